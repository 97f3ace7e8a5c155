use std::collections::{BTreeSet, HashMap};

use prodops_feedback::dedup::{Deduper, merge_items};
use prodops_feedback::pii::Redactor;
use prodops_feedback::text::{LanguageDetector, Whatlang, clean, fold};
use proptest::prelude::*;

use crate::common::{R, feedback, truth};

fn pairs(n: usize) -> u64 {
    (n * n.saturating_sub(1) / 2) as u64
}

/// The content of a sample text: its fold without the parts the generator varies around the
/// same feedback (ticket number, contact sentence, card sentence, "@acmeapp", hashtags, "Same
/// here:", "+1", "!!", case).
fn content_key(text: &str) -> String {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            r"\[ticket #\d+\]",
            r"call me on .*? if needed\.",
            r"you can reach me at \S+?\.(\s|$)",
            r"my card .*? was charged\.",
            r"@acmeapp",
            r"#\w+",
            r"^same here:",
            r"\+1$",
        ]
        .iter()
        .filter_map(|p| regex::Regex::new(p).ok())
        .collect()
    });
    let mut t = text.to_lowercase();
    for re in res {
        t = re.replace_all(&t, " ").into_owned();
    }
    fold(&t)
}

/// Pair-counting recall and precision of the clusters on data/feedback.csv. Truth: the planted
/// `duplicate_of` links, plus texts with the same content key (the generator repeats template
/// sentences across accounts with different ticket numbers and contact details; those are the
/// same feedback from several customers, which is what merging is for).
#[test]
fn dedup_recall_and_precision_on_planted_duplicates() -> R {
    let (recall, precision) = measure(&Deduper::default())?;
    // Measured: all 81 planted pairs found; pair precision 0.9924 (pair recall 0.6175 against
    // the content truth, which also joins texts that only share their template sentence).
    assert!(recall >= 0.99, "recall {recall}");
    assert!(precision >= 0.98, "precision {precision}");
    Ok(())
}

fn measure(d: &Deduper) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let rows = truth()?;
    // The pipeline deduplicates redacted text.
    let redactor = Redactor::builtin();
    let redacted: Vec<String> = rows.iter().map(|r| redactor.redact(&r.text).text).collect();
    let texts: Vec<&str> = redacted.iter().map(String::as_str).collect();
    let c = d.clusters(&texts)?;
    let idx: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut planted = 0;
    let mut found = 0;
    for (i, r) in rows.iter().enumerate() {
        if r.duplicate_of.is_empty() {
            continue;
        }
        planted += 1;
        let j = idx[r.duplicate_of.as_str()];
        if c.same(i, j) {
            found += 1;
        } else {
            eprintln!("missed {:?} ~ {:?}", r.text, rows[j].text);
        }
    }
    // Truth clusters: union of planted links and equal fold keys.
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            x = p[x];
        }
        x
    }
    let mut key_first: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let k = content_key(&r.text);
        let first = *key_first.entry(k).or_insert(i);
        let (a, b) = (find(&mut parent, first), find(&mut parent, i));
        parent[a.max(b)] = a.min(b);
        if !r.duplicate_of.is_empty() {
            let (a, b) = (
                find(&mut parent, idx[r.duplicate_of.as_str()]),
                find(&mut parent, i),
            );
            parent[a.max(b)] = a.min(b);
        }
    }
    let truth_of: Vec<usize> = (0..rows.len()).map(|i| find(&mut parent, i)).collect();
    let mut pred_sizes: HashMap<usize, usize> = HashMap::new();
    let mut cell_sizes: HashMap<(usize, usize), usize> = HashMap::new();
    let mut truth_sizes: HashMap<usize, usize> = HashMap::new();
    for (pred_rep, truth_rep) in c.representative.iter().zip(&truth_of) {
        *pred_sizes.entry(*pred_rep).or_default() += 1;
        *truth_sizes.entry(*truth_rep).or_default() += 1;
        *cell_sizes.entry((*pred_rep, *truth_rep)).or_default() += 1;
    }
    let tp: u64 = cell_sizes.values().map(|n| pairs(*n)).sum();
    let pred: u64 = pred_sizes.values().map(|n| pairs(*n)).sum();
    let actual: u64 = truth_sizes.values().map(|n| pairs(*n)).sum();
    let recall = found as f64 / planted as f64;
    let precision = tp as f64 / pred as f64;
    let pair_recall = tp as f64 / actual as f64;
    eprintln!(
        "dedup: planted {planted}, found {found} (recall {recall:.4}); pair precision {precision:.4}, pair recall {pair_recall:.4}; exact {} near {}",
        c.exact_pairs, c.near_pairs
    );
    assert_eq!(planted, 81);
    Ok((recall, precision))
}

#[test]
fn merging_keeps_every_account() -> R {
    let items = feedback()?.data;
    let merged = merge_items(&items, &Deduper::default())?;
    let before: BTreeSet<_> = items.iter().filter_map(|i| i.account.clone()).collect();
    let after: BTreeSet<_> = merged
        .iter()
        .flat_map(|m| m.accounts.iter().cloned())
        .collect();
    assert_eq!(before, after);
    assert_eq!(
        merged.iter().map(|m| m.members.len()).sum::<usize>(),
        items.len()
    );
    assert!(merged.len() < items.len());
    Ok(())
}

#[test]
fn language_detection_on_the_sample() -> R {
    let items = feedback()?.data;
    let (mut agree, mut labelled) = (0, 0);
    for it in &items {
        let Some(given) = it.language.as_deref() else {
            continue;
        };
        labelled += 1;
        if Whatlang
            .detect(&it.text)
            .and_then(|l| l.code_639_1)
            .as_deref()
            == Some(given)
        {
            agree += 1;
        }
    }
    let acc = agree as f64 / labelled as f64;
    eprintln!(
        "language: whatlang agrees with the sample's label on {agree} of {labelled} ({acc:.4})"
    );
    assert!(acc > 0.9);
    assert_eq!(Whatlang.detect("").map(|l| l.code), None);
    Ok(())
}

#[test]
fn clean_is_idempotent_on_examples() {
    for s in ["  a\u{3000}b  ", "Ｃａｆé\r\n\tx", "\u{FEFF}hi\u{200D}", ""] {
        let once = clean(s);
        assert_eq!(clean(&once), once);
    }
}

proptest! {
    #[test]
    fn clusters_are_transitive_partitions(texts in proptest::collection::vec("(dark mode|sso|slow|export|csv|please|add|the|app)( (dark mode|sso|slow|export|csv|please|add|the|app)){0,6}", 1..30)) {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let c = Deduper::default().clusters(&refs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Every text is in exactly one group (or alone) and its representative is the smallest member.
        let mut seen = vec![false; refs.len()];
        for g in &c.groups {
            for &i in g {
                prop_assert!(!seen[i]);
                seen[i] = true;
                prop_assert_eq!(c.representative[i], g[0]);
            }
        }
        for (i, r) in c.representative.iter().enumerate() {
            prop_assert_eq!(c.representative[*r], *r);
            if !seen[i] { prop_assert_eq!(*r, i); }
        }
        // Equal fold keys always share a cluster.
        let keys: Vec<String> = refs.iter().map(|t| fold(t)).collect();
        for i in 0..refs.len() {
            for j in 0..refs.len() {
                if keys[i] == keys[j] { prop_assert!(c.same(i, j)); }
            }
        }
    }
}
