//! Rust side of the VADER comparison: score the same N texts as `compare_vader.py` (the 23,703
//! ICWSM-14 texts and the 2,000 sample texts, cycled to N) with the stock model, in parallel
//! with rayon, and print one JSON line: wall seconds (scoring only), texts per second and the
//! sum of compound scores, which must equal the Python peer's to 1e-6 · N.
//!
//! `cargo bench -p prodops-feedback --bench compare_vader -- 1000000`, then
//! `python crates/feedback/benches/compare_vader.py 1000000` with vaderSentiment 3.3.2.

use std::time::Instant;

use prodops_feedback::sentiment::{SentimentModel, VaderModel};

fn corpus(n: usize) -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/icwsm2014/");
    let mut base = Vec::new();
    for f in [
        "tweets_GroundTruth.txt",
        "movieReviewSnippets_GroundTruth.txt",
        "amazonReviewSnippets_GroundTruth.txt",
        "nytEditorialSnippets_GroundTruth.txt",
    ] {
        let raw = std::fs::read_to_string(format!("{dir}{f}")).unwrap_or_default();
        for line in raw.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(text) = line.splitn(3, '\t').nth(2) {
                base.push(text.to_owned());
            }
        }
    }
    if base.is_empty() {
        return Vec::new();
    }
    (0..n).map(|i| base[i % base.len()].clone()).collect()
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let texts = corpus(n);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let Ok(model) = VaderModel::stock() else {
        eprintln!("cannot load the VADER lexicon");
        return;
    };
    let start = Instant::now();
    let scores = model.score_batch(&refs);
    let secs = start.elapsed().as_secs_f64();
    let sum: f64 = scores
        .iter()
        .filter_map(|s| s.as_ref().ok())
        .map(|s| s.compound)
        .sum();
    println!(
        "{{\"impl\": \"prodops-feedback\", \"texts\": {}, \"seconds\": {secs:.3}, \"texts_per_second\": {:.0}, \"compound_sum\": {sum:.4}}}",
        refs.len(),
        refs.len() as f64 / secs
    );
}
