use std::path::PathBuf;

use prodops_core::Ingested;
use prodops_feedback::ingest::{AccountColumns, FeedbackReader, read_accounts_csv};
use prodops_feedback::model::{Account, FeedbackItem};

pub type R = Result<(), Box<dyn std::error::Error>>;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The directory of the ICWSM-14 ground-truth files, where `fixtures/fetch_icwsm.sh` puts
/// them: `$PRODOPS_ICWSM_DIR`, else `$PRODOPS_CACHE/icwsm2014`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/prodops/icwsm2014`. `None` (after saying so on stderr,
/// naming the test) when the files are absent: the sets are not committed, so a checkout
/// without them skips the checks that need them.
pub fn icwsm_dir(test: &str) -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = env("PRODOPS_ICWSM_DIR").unwrap_or_else(|| {
        env("PRODOPS_CACHE")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("prodops")))
            .or_else(|| env("HOME").map(|d| d.join(".cache/prodops")))
            .unwrap_or_default()
            .join("icwsm2014")
    });
    if dir.join("tweets_GroundTruth.txt").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipping {test}: no ICWSM-14 ground truth in {} (run crates/feedback/fixtures/fetch_icwsm.sh)",
            dir.display()
        );
        None
    }
}

pub fn accounts() -> Result<Ingested<Account>, Box<dyn std::error::Error>> {
    let f = std::fs::File::open(repo_root().join("data/accounts.csv"))?;
    Ok(read_accounts_csv(
        "accounts.csv",
        f,
        &AccountColumns::default(),
    )?)
}

pub fn feedback() -> Result<Ingested<FeedbackItem>, Box<dyn std::error::Error>> {
    Ok(FeedbackReader::default().read_csv_path(repo_root().join("data/feedback.csv"))?)
}

/// The planted truth columns of data/feedback.csv, by feedback id.
pub struct Truth {
    pub id: String,
    pub text: String,
    pub themes: Vec<String>,
    pub sentiment: String,
    pub pii: String,
    pub duplicate_of: String,
}

pub fn truth() -> Result<Vec<Truth>, Box<dyn std::error::Error>> {
    let mut rdr = csv::Reader::from_path(repo_root().join("data/feedback.csv"))?;
    let h = rdr.headers()?.clone();
    let col = |name: &str| {
        h.iter()
            .position(|x| x == name)
            .ok_or(format!("column {name}"))
    };
    let (id, text, themes, sentiment, pii, dup) = (
        col("feedback_id")?,
        col("text")?,
        col("themes")?,
        col("sentiment")?,
        col("pii")?,
        col("duplicate_of")?,
    );
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r?;
        out.push(Truth {
            id: r[id].to_owned(),
            text: r[text].to_owned(),
            themes: r[themes]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            sentiment: r[sentiment].to_owned(),
            pii: r[pii].to_owned(),
            duplicate_of: r[dup].to_owned(),
        });
    }
    Ok(out)
}
