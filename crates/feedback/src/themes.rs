//! Themes: a rule-based taxonomy tagger, c-TF-IDF keyphrases for themes nobody defined yet,
//! theme volume and sentiment by period and segment, and rising themes by a windowed test.
//!
//! - [`RuleTagger`] stems the words of each theme phrase and of the text with the Snowball
//!   English stemmer and finds every phrase as a whole-word token sequence with Aho–Corasick;
//!   a match tags the theme and its ancestors.
//! - [`ctfidf`] is class-based TF-IDF (Grootendorst 2022, BERTopic):
//!   W(x, c) = tf(x, c)/Σ_x tf(x, c) · ln(1 + A / f(x)), with A the mean number of terms per
//!   class and f(x) the frequency of x over all classes.
//! - [`ThemeTable`] keeps mergeable sufficient statistics (n, accounts, Σ compound, Σ compound²,
//!   negatives) per theme, period and segment.
//! - [`rising_themes`] compares the count x₁ of the current period with the total x₀ of the k
//!   periods before it, as two Poisson rates with exposures 1 and k: under equal rates,
//!   x₁ | x₁ + x₀ = n is Binomial(n, 1/(1 + k)) (Przyborowski & Wilenski 1940), and the
//!   one-sided p-value is P(X ≥ x₁).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aho_corasick::AhoCorasick;
use chrono::NaiveDateTime;
use prodops_core::{AccountId, Grain, Period};
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};

use crate::FeedbackError;
use crate::model::{Taxonomy, ThemeId};
use crate::text::words;

/// Assigns themes to a text.
pub trait ThemeTagger: Send + Sync {
    /// The themes of `text` (each once, in taxonomy order).
    fn assign(&self, text: &str) -> Vec<ThemeId>;
}

/// Stems lowercase words with the Snowball English stemmer.
fn stem_all(stemmer: &Stemmer, text: &str) -> Vec<String> {
    words(text)
        .iter()
        .map(|w| stemmer.stem(w).into_owned())
        .collect()
}

/// Keyword and phrase rules from a [`Taxonomy`], matched on stemmed words.
///
/// # Examples
///
/// ```
/// use prodops_feedback::model::{Taxonomy, Theme};
/// use prodops_feedback::themes::{RuleTagger, ThemeTagger};
///
/// let tax = Taxonomy::new(vec![
///     Theme::new("performance", None, &["slow", "load time"])?,
///     Theme::new("search_speed", Some("performance"), &["search takes forever"])?,
/// ])?;
/// let tagger = RuleTagger::new(&tax)?;
/// let got: Vec<String> = tagger.assign("Searching takes forever!").iter().map(|t| t.to_string()).collect();
/// assert_eq!(got, ["performance", "search_speed"]);
/// assert_eq!(tagger.assign("Loading times are awful").len(), 1); // "load time" after stemming
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RuleTagger {
    taxonomy: Taxonomy,
    automaton: AhoCorasick,
    /// For each pattern, the taxonomy index of its theme.
    pattern_theme: Vec<usize>,
    /// For each theme, the taxonomy indices of itself and its ancestors.
    closure: Vec<Vec<usize>>,
    stemmer: Stemmer,
}

impl std::fmt::Debug for RuleTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleTagger")
            .field("themes", &self.taxonomy.themes().len())
            .field("patterns", &self.pattern_theme.len())
            .finish()
    }
}

impl RuleTagger {
    /// Compiles the phrases of every theme.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] when a phrase has no words or the automaton cannot be
    /// built.
    pub fn new(taxonomy: &Taxonomy) -> Result<RuleTagger, FeedbackError> {
        let stemmer = Stemmer::create(Algorithm::English);
        let themes = taxonomy.themes();
        let index: HashMap<&ThemeId, usize> =
            themes.iter().enumerate().map(|(k, t)| (&t.id, k)).collect();
        let mut patterns = Vec::new();
        let mut pattern_theme = Vec::new();
        for (k, t) in themes.iter().enumerate() {
            for p in &t.phrases {
                let stems = stem_all(&stemmer, p);
                if stems.is_empty() {
                    return Err(FeedbackError::InvalidInput {
                        what: format!("phrase {p:?} of theme {}", t.id),
                        reason: "has no words".to_owned(),
                    });
                }
                patterns.push(format!(" {} ", stems.join(" ")));
                pattern_theme.push(k);
            }
        }
        let automaton = AhoCorasick::new(&patterns).map_err(|e| FeedbackError::InvalidInput {
            what: "theme phrases".to_owned(),
            reason: e.to_string(),
        })?;
        let closure = themes
            .iter()
            .map(|t| {
                let mut v = vec![];
                let mut cur = Some(t);
                while let Some(x) = cur {
                    if let Some(k) = index.get(&x.id) {
                        v.push(*k);
                    }
                    cur = x.parent.as_ref().and_then(|p| taxonomy.get(p));
                }
                v
            })
            .collect();
        Ok(RuleTagger {
            taxonomy: taxonomy.clone(),
            automaton,
            pattern_theme,
            closure,
            stemmer,
        })
    }

    /// The taxonomy.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }
}

impl ThemeTagger for RuleTagger {
    fn assign(&self, text: &str) -> Vec<ThemeId> {
        let hay = format!(" {} ", stem_all(&self.stemmer, text).join(" "));
        let mut hit = vec![false; self.taxonomy.themes().len()];
        for m in self.automaton.find_overlapping_iter(&hay) {
            for k in &self.closure[self.pattern_theme[m.pattern().as_usize()]] {
                hit[*k] = true;
            }
        }
        self.taxonomy
            .themes()
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(t, _)| t.id.clone())
            .collect()
    }
}

/// A short English stop-word list (function words and pronouns) for keyphrases.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "even", "every", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "no",
    "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out",
    "over", "own", "same", "she", "should", "so", "some", "still", "such", "than", "that", "the",
    "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "im", "ive",
    "dont", "cant", "didnt", "doesnt", "isnt", "wasnt", "really", "also", "get", "got", "one",
    "like",
];

/// The candidate terms of a text: unigrams and bigrams of consecutive non-stop-words (numbers
/// and one-letter words are dropped).
pub fn candidate_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        for (k, w) in run.iter().enumerate() {
            out.push(w.clone());
            if k + 1 < run.len() {
                out.push(format!("{w} {}", run[k + 1]));
            }
        }
        run.clear();
    };
    for w in words(text) {
        let keep = w.chars().count() > 1
            && !w.chars().all(|c| c.is_ascii_digit())
            && !STOP_WORDS.contains(&w.as_str());
        if keep {
            run.push(w);
        } else {
            flush(&mut run, &mut out);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A weighted term of a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Keyphrase {
    /// The term (one or two words).
    pub term: String,
    /// Its c-TF-IDF weight.
    pub weight: f64,
}

/// c-TF-IDF top terms per class; classes are given as lists of texts (say, the items of one
/// dedup cluster, one request, or the items no rule tagged). Ties break alphabetically.
///
/// # Examples
///
/// ```
/// use prodops_feedback::themes::ctfidf;
///
/// let classes = vec![
///     ("exports", vec!["CSV export fails", "export to CSV is slow"]),
///     ("sso", vec!["Need SSO with Okta", "Okta SSO please"]),
/// ];
/// let top = ctfidf(&classes, 2);
/// assert_eq!(top[0].1[0].term, "csv");
/// assert_eq!(top[1].1[0].term, "okta");
/// ```
pub fn ctfidf<L: Clone>(classes: &[(L, Vec<&str>)], top_k: usize) -> Vec<(L, Vec<Keyphrase>)> {
    let tfs: Vec<HashMap<String, f64>> = classes
        .iter()
        .map(|(_, texts)| {
            let mut tf = HashMap::new();
            for t in texts {
                for term in candidate_terms(t) {
                    *tf.entry(term).or_insert(0.0) += 1.0;
                }
            }
            tf
        })
        .collect();
    let mut f: HashMap<&str, f64> = HashMap::new();
    for tf in &tfs {
        for (t, c) in tf {
            *f.entry(t.as_str()).or_insert(0.0) += c;
        }
    }
    let total: f64 = f.values().sum();
    let a = if classes.is_empty() {
        0.0
    } else {
        total / classes.len() as f64
    };
    classes
        .iter()
        .zip(&tfs)
        .map(|((label, _), tf)| {
            let norm: f64 = tf.values().sum();
            let mut terms: Vec<Keyphrase> = tf
                .iter()
                .map(|(t, c)| Keyphrase {
                    term: t.clone(),
                    weight: c / norm * (1.0 + a / f[t.as_str()]).ln(),
                })
                .collect();
            terms.sort_by(|x, y| y.weight.total_cmp(&x.weight).then(x.term.cmp(&y.term)));
            terms.truncate(top_k);
            (label.clone(), terms)
        })
        .collect()
}

/// An item as the theme aggregates see it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaggedItem {
    /// When it was received.
    pub at: NaiveDateTime,
    /// The account.
    pub account: Option<AccountId>,
    /// The segment label (such as `Enterprise`), if any.
    pub segment: Option<String>,
    /// Its themes.
    pub themes: Vec<ThemeId>,
    /// Its sentiment compound, if scored.
    pub compound: Option<f64>,
}

impl TaggedItem {
    /// An item with its time, themes and optional sentiment.
    pub fn new(at: NaiveDateTime, themes: Vec<ThemeId>, compound: Option<f64>) -> TaggedItem {
        TaggedItem {
            at,
            account: None,
            segment: None,
            themes,
            compound,
        }
    }

    /// Sets the account and its segment label.
    pub fn with_account(
        mut self,
        account: Option<AccountId>,
        segment: Option<String>,
    ) -> TaggedItem {
        self.account = account;
        self.segment = segment;
        self
    }
}

/// Mergeable statistics of one theme in one period and segment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThemeCell {
    /// Items.
    pub n: u64,
    /// Distinct accounts.
    pub accounts: BTreeSet<AccountId>,
    /// Items with a sentiment score.
    pub scored: u64,
    /// Σ compound.
    pub sum: f64,
    /// Σ compound².
    pub sum_sq: f64,
    /// Items with compound ≤ -0.05.
    pub negative: u64,
}

/// Summary of a [`ThemeCell`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThemeSummary {
    /// Items.
    pub n: u64,
    /// Distinct accounts.
    pub unique_accounts: usize,
    /// Share of scored items that are negative, if any are scored.
    pub negative_share: Option<f64>,
    /// Mean compound, if any item is scored.
    pub mean_compound: Option<f64>,
    /// 95% t-interval of the mean compound (needs two scored items and positive variance).
    pub ci95: Option<(f64, f64)>,
}

impl ThemeCell {
    /// Folds another cell in (exact: all fields are sums or unions).
    pub fn merge(&mut self, other: &ThemeCell) {
        self.n += other.n;
        self.accounts.extend(other.accounts.iter().cloned());
        self.scored += other.scored;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        self.negative += other.negative;
    }

    /// Mean, negative share and the 95% t-interval of the mean compound.
    pub fn summary(&self) -> ThemeSummary {
        let k = self.scored as f64;
        let mean = (self.scored > 0).then(|| self.sum / k);
        let ci95 = mean.and_then(|m| {
            if self.scored < 2 {
                return None;
            }
            let var = (self.sum_sq - k * m * m) / (k - 1.0);
            if var.is_nan() || var <= 0.0 {
                return None;
            }
            let t = StudentsT::new(0.0, 1.0, k - 1.0).ok()?.inverse_cdf(0.975);
            let half = t * (var / k).sqrt();
            Some((m - half, m + half))
        });
        ThemeSummary {
            n: self.n,
            unique_accounts: self.accounts.len(),
            negative_share: (self.scored > 0).then(|| self.negative as f64 / k),
            mean_compound: mean,
            ci95,
        }
    }
}

/// Key of a [`ThemeTable`] cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ThemeKey {
    /// Theme.
    pub theme: ThemeId,
    /// Period.
    pub period: Period,
    /// Segment label, `None` for items without one.
    pub segment: Option<String>,
}

/// Theme volume and sentiment by period and segment.
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_core::Grain;
/// use prodops_feedback::model::ThemeId;
/// use prodops_feedback::themes::{TaggedItem, ThemeTable};
///
/// let at = NaiveDate::from_ymd_opt(2026, 5, 4).ok_or("date")?.and_hms_opt(9, 0, 0).ok_or("time")?;
/// let perf = ThemeId::new("performance")?;
/// let items = [
///     TaggedItem::new(at, vec![perf.clone()], Some(-0.5)),
///     TaggedItem::new(at, vec![perf.clone()], Some(0.1)),
/// ];
/// let table = ThemeTable::build(&items, Grain::Month);
/// let total = table.by_theme(&perf);
/// let s = total.summary();
/// assert_eq!(s.n, 2);
/// assert_eq!(s.negative_share, Some(0.5));
/// assert!((s.mean_compound.ok_or("mean")? + 0.2).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThemeTable {
    cells: BTreeMap<ThemeKey, ThemeCell>,
    grain: Option<Grain>,
}

impl ThemeTable {
    /// Aggregates items by theme, period of `grain` and segment.
    pub fn build(items: &[TaggedItem], grain: Grain) -> ThemeTable {
        let mut cells: BTreeMap<ThemeKey, ThemeCell> = BTreeMap::new();
        for it in items {
            let period = Period::containing_datetime(grain, it.at);
            for theme in &it.themes {
                let c = cells
                    .entry(ThemeKey {
                        theme: theme.clone(),
                        period,
                        segment: it.segment.clone(),
                    })
                    .or_default();
                c.n += 1;
                c.accounts.extend(it.account.clone());
                if let Some(x) = it.compound.filter(|x| x.is_finite()) {
                    c.scored += 1;
                    c.sum += x;
                    c.sum_sq += x * x;
                    if x <= -0.05 {
                        c.negative += 1;
                    }
                }
            }
        }
        ThemeTable {
            cells,
            grain: Some(grain),
        }
    }

    /// Folds another table in.
    ///
    /// # Errors
    ///
    /// [`FeedbackError::InvalidInput`] when the tables use different grains.
    pub fn merge(&mut self, other: &ThemeTable) -> Result<(), FeedbackError> {
        if self.grain.is_some() && other.grain.is_some() && self.grain != other.grain {
            return Err(FeedbackError::InvalidInput {
                what: "theme tables".to_owned(),
                reason: "cannot merge tables of different grains".to_owned(),
            });
        }
        self.grain = self.grain.or(other.grain);
        for (k, c) in &other.cells {
            self.cells.entry(k.clone()).or_default().merge(c);
        }
        Ok(())
    }

    /// All cells.
    pub fn cells(&self) -> &BTreeMap<ThemeKey, ThemeCell> {
        &self.cells
    }

    /// One theme over all periods and segments.
    pub fn by_theme(&self, theme: &ThemeId) -> ThemeCell {
        let mut out = ThemeCell::default();
        for (_, c) in self.cells.iter().filter(|(k, _)| &k.theme == theme) {
            out.merge(c);
        }
        out
    }

    /// One theme per period, all segments merged.
    pub fn by_period(&self, theme: &ThemeId) -> BTreeMap<Period, ThemeCell> {
        let mut out: BTreeMap<Period, ThemeCell> = BTreeMap::new();
        for (k, c) in self.cells.iter().filter(|(k, _)| &k.theme == theme) {
            out.entry(k.period).or_default().merge(c);
        }
        out
    }

    /// One theme per segment, all periods merged.
    pub fn by_segment(&self, theme: &ThemeId) -> BTreeMap<Option<String>, ThemeCell> {
        let mut out: BTreeMap<Option<String>, ThemeCell> = BTreeMap::new();
        for (k, c) in self.cells.iter().filter(|(k, _)| &k.theme == theme) {
            out.entry(k.segment.clone()).or_default().merge(c);
        }
        out
    }

    /// Item counts per theme and period (all segments).
    pub fn counts(&self) -> BTreeMap<(ThemeId, Period), u64> {
        let mut out = BTreeMap::new();
        for (k, c) in &self.cells {
            *out.entry((k.theme.clone(), k.period)).or_insert(0) += c.n;
        }
        out
    }
}

/// The windowed test result for one theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RisingTheme {
    /// Theme.
    pub theme: ThemeId,
    /// Count in the current period.
    pub current: u64,
    /// Mean count of the k previous periods.
    pub baseline_mean: f64,
    /// current / baseline mean (`None` with a zero baseline).
    pub ratio: Option<f64>,
    /// (current − baseline mean)/√(baseline mean) (`None` with a zero baseline).
    pub z: Option<f64>,
    /// One-sided p-value of the conditional binomial test.
    pub p_value: f64,
    /// p < α and current ≥ the minimum count.
    pub rising: bool,
}

/// Settings of [`rising_themes`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RisingConfig {
    /// Number of previous periods in the baseline.
    pub baseline_periods: usize,
    /// Significance level.
    pub alpha: f64,
    /// Minimum count in the current period to flag a theme.
    pub min_count: u64,
}

impl Default for RisingConfig {
    fn default() -> RisingConfig {
        RisingConfig {
            baseline_periods: 4,
            alpha: 0.01,
            min_count: 5,
        }
    }
}

/// One-sided p-value P(X ≥ x₁) for X ~ Binomial(x₁ + x₀, 1/(1 + k)): the conditional test of
/// a higher Poisson rate in one current period than in k baseline periods.
///
/// # Errors
///
/// [`FeedbackError::InvalidInput`] for k = 0.
pub fn poisson_rate_pvalue(x1: u64, x0: u64, k: usize) -> Result<f64, FeedbackError> {
    if k == 0 {
        return Err(FeedbackError::InvalidInput {
            what: "baseline periods".to_owned(),
            reason: "must be at least 1".to_owned(),
        });
    }
    if x1 == 0 {
        return Ok(1.0);
    }
    let b = Binomial::new(1.0 / (1.0 + k as f64), x1 + x0).map_err(|e| {
        FeedbackError::InvalidInput {
            what: "binomial".to_owned(),
            reason: e.to_string(),
        }
    })?;
    Ok(b.sf(x1 - 1).clamp(0.0, 1.0))
}

/// Tests every theme with a count in `current` or the baseline for a rise, sorted by p-value.
///
/// # Errors
///
/// [`FeedbackError::InvalidInput`] for zero baseline periods or α outside (0, 1);
/// [`FeedbackError::Core`] when a baseline period is out of range.
pub fn rising_themes(
    counts: &BTreeMap<(ThemeId, Period), u64>,
    current: Period,
    cfg: &RisingConfig,
) -> Result<Vec<RisingTheme>, FeedbackError> {
    if !(cfg.alpha > 0.0 && cfg.alpha < 1.0) {
        return Err(FeedbackError::InvalidInput {
            what: "alpha".to_owned(),
            reason: "must be in (0, 1)".to_owned(),
        });
    }
    let k = cfg.baseline_periods;
    let baseline: Vec<Period> = (1..=k as i64)
        .map(|d| current.offset(-d))
        .collect::<Result<_, _>>()?;
    let themes: BTreeSet<&ThemeId> = counts.keys().map(|(t, _)| t).collect();
    let mut out = Vec::new();
    for theme in themes {
        let get = |p: &Period| counts.get(&(theme.clone(), *p)).copied().unwrap_or(0);
        let x1 = get(&current);
        let x0: u64 = baseline.iter().map(get).sum();
        if x1 == 0 && x0 == 0 {
            continue;
        }
        let p_value = poisson_rate_pvalue(x1, x0, k)?;
        let mu = x0 as f64 / k as f64;
        out.push(RisingTheme {
            theme: theme.clone(),
            current: x1,
            baseline_mean: mu,
            ratio: (mu > 0.0).then(|| x1 as f64 / mu),
            z: (mu > 0.0).then(|| (x1 as f64 - mu) / mu.sqrt()),
            p_value,
            rising: p_value < cfg.alpha && x1 >= cfg.min_count,
        });
    }
    out.sort_by(|a, b| a.p_value.total_cmp(&b.p_value).then(a.theme.cmp(&b.theme)));
    Ok(out)
}
