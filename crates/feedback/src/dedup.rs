//! Exact and near-duplicate detection, and merging that keeps every account.
//!
//! 1. Exact: texts with the same [`fold`] key (NFKC, lowercase, alphanumeric words) are
//!    duplicates.
//! 2. Near: each text becomes a set of word n-gram shingles (bigrams by default); `gaoya`'s
//!    MinHash (32-bit, seeded) and banded LSH index propose candidate pairs, and a candidate is
//!    kept only if the exact Jaccard similarity of the shingle sets reaches the threshold
//!    (Broder 1997; Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3). With
//!    b bands of r rows the LSH S-curve crosses 1/2 near (1/b)^(1/r); the default 20 × 5 puts
//!    that at 0.55, below the 0.7 threshold, so few true pairs are missed.
//! 3. In input order, each text links to its most similar earlier text whose similarity
//!    reaches the threshold (one edge per text, which limits single-linkage chaining); the
//!    clusters are the connected components (union–find), a partition, so merges are
//!    transitive; [`merge_items`] unions the accounts and authors of each cluster.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gaoya::minhash::{MinHashIndex, MinHasher, MinHasher32, SipHasher24BuildHasher};
use prodops_core::{AccountId, UserId};
use serde::{Deserialize, Serialize};

use crate::FeedbackError;
use crate::model::{FeedbackId, FeedbackItem};
use crate::text::{fold, words};

/// Near-duplicate settings.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Deduper {
    /// Minimum Jaccard similarity of shingle sets for a near duplicate.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle_words: usize,
    /// LSH bands.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// Seed of the MinHash permutations.
    pub seed: u64,
}

impl Default for Deduper {
    fn default() -> Deduper {
        Deduper {
            threshold: 0.7,
            shingle_words: 2,
            bands: 20,
            rows: 5,
            seed: 20_260_523,
        }
    }
}

/// Duplicate clusters over a list of texts (indices into that list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Clusters {
    /// For each text, the index of its cluster's representative (the earliest member).
    pub representative: Vec<usize>,
    /// Clusters of two or more texts, each sorted, ordered by representative.
    pub groups: Vec<Vec<usize>>,
    /// Pairs joined because their fold keys are equal.
    pub exact_pairs: usize,
    /// Pairs joined by MinHash-LSH and confirmed by exact Jaccard.
    pub near_pairs: usize,
}

impl Clusters {
    /// Whether texts `a` and `b` are in one cluster.
    pub fn same(&self, a: usize, b: usize) -> bool {
        self.representative.get(a) == self.representative.get(b) && a < self.representative.len()
    }
}

/// Union–find with path halving; the root is always the smallest index of its set.
struct Dsu(Vec<usize>);

impl Dsu {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.0[hi] = lo;
        true
    }
}

/// Jaccard similarity of two sorted, deduplicated slices.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// FNV-1a, a fixed hash so that shingle ids do not depend on the process.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Deduper {
    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] for a threshold outside (0, 1] or zero sizes.
    pub fn validate(&self) -> Result<(), FeedbackError> {
        let bad = |what: &str, reason: &str| FeedbackError::InvalidInput {
            what: what.to_owned(),
            reason: reason.to_owned(),
        };
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(bad("dedup threshold", "must be in (0, 1]"));
        }
        if self.shingle_words == 0 || self.bands == 0 || self.rows == 0 {
            return Err(bad(
                "dedup settings",
                "shingle size, bands and rows must be positive",
            ));
        }
        Ok(())
    }

    /// The shingle set of a text: hashes of word n-grams of its fold, sorted and unique. A text
    /// shorter than n words is one shingle.
    pub fn shingles(&self, text: &str) -> Vec<u64> {
        let w = words(text);
        let n = self.shingle_words;
        let mut out: Vec<u64> = if w.len() <= n {
            vec![fnv1a(&w.join(" "))]
        } else {
            w.windows(n).map(|g| fnv1a(&g.join(" "))).collect()
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Finds exact and near-duplicate clusters.
    ///
    /// # Errors
    ///
    /// As [`Deduper::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_feedback::dedup::Deduper;
    ///
    /// let texts = [
    ///     "Please add dark mode to the mobile app",
    ///     "please add DARK MODE to the mobile app!!",
    ///     "Same here: please add dark mode to the mobile app +1",
    ///     "Exports to CSV time out on large projects",
    /// ];
    /// let c = Deduper::default().clusters(&texts)?;
    /// assert_eq!(c.groups, vec![vec![0, 1, 2]]);
    /// assert_eq!((c.exact_pairs, c.near_pairs), (1, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clusters(&self, texts: &[&str]) -> Result<Clusters, FeedbackError> {
        self.validate()?;
        let n = texts.len();
        let mut dsu = Dsu((0..n).collect());
        let mut exact_pairs = 0;
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (i, t) in texts.iter().enumerate() {
            let key = fold(t);
            match by_key.get(&key) {
                Some(&first) => {
                    if dsu.union(first, i) {
                        exact_pairs += 1;
                    }
                }
                None => {
                    by_key.insert(key, i);
                }
            }
        }
        // Near duplicates among the exact-cluster representatives only.
        let reps: Vec<usize> = by_key
            .values()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let shingles: Vec<Vec<u64>> = reps.iter().map(|&i| self.shingles(texts[i])).collect();
        let hasher = MinHasher32::new_with_hasher_and_seed(
            self.bands * self.rows,
            SipHasher24BuildHasher::default(),
            self.seed,
        );
        let sigs: Vec<Vec<u32>> = shingles
            .iter()
            .map(|s| hasher.create_signature(s.iter()))
            .collect();
        // Each exact-cluster representative, in input order, links to its single most similar
        // earlier text at or above the threshold. One edge per text keeps the chaining of
        // single linkage (A~B, B~C, but A and C far apart) in check while still finding the
        // original of a copy that an intermediate text resembles less.
        let mut index: MinHashIndex<u32, usize> = MinHashIndex::new(self.bands, self.rows, 0.0);
        let mut near_pairs = 0;
        for (k, sig) in sigs.iter().enumerate() {
            let mut best: Option<(f64, usize)> = None;
            for m in index.query_owned(sig) {
                let j = jaccard(&shingles[k], &shingles[m]);
                if j >= self.threshold && best.is_none_or(|(bj, bm)| j > bj || (j == bj && m < bm))
                {
                    best = Some((j, m));
                }
            }
            if let Some((_, m)) = best
                && dsu.union(reps[k], reps[m])
            {
                near_pairs += 1;
            }
            index.insert(k, sig.clone());
        }
        let representative: Vec<usize> = (0..n).map(|i| dsu.find(i)).collect();
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, r) in representative.iter().enumerate() {
            groups.entry(*r).or_default().push(i);
        }
        Ok(Clusters {
            representative,
            groups: groups.into_values().filter(|g| g.len() > 1).collect(),
            exact_pairs,
            near_pairs,
        })
    }
}

/// One merged cluster of feedback items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MergedItem {
    /// The representative item (the earliest in input order).
    pub representative: FeedbackId,
    /// Every member, representative first.
    pub members: Vec<FeedbackId>,
    /// Every account that asked.
    pub accounts: BTreeSet<AccountId>,
    /// Every author.
    pub authors: BTreeSet<UserId>,
}

/// Merges items by cluster: one [`MergedItem`] per cluster (singletons included), keeping
/// every account and author.
///
/// # Errors
///
/// As [`Deduper::clusters`].
pub fn merge_items(
    items: &[FeedbackItem],
    deduper: &Deduper,
) -> Result<Vec<MergedItem>, FeedbackError> {
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    let c = deduper.clusters(&texts)?;
    let mut by_rep: BTreeMap<usize, MergedItem> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let r = c.representative[i];
        let m = by_rep.entry(r).or_insert_with(|| MergedItem {
            representative: items[r].id.clone(),
            members: Vec::new(),
            accounts: BTreeSet::new(),
            authors: BTreeSet::new(),
        });
        m.members.push(item.id.clone());
        m.accounts.extend(item.account.clone());
        m.authors.extend(item.author.clone());
    }
    Ok(by_rep.into_values().collect())
}
