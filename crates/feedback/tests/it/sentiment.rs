use std::path::PathBuf;

use prodops_feedback::sentiment::Vader;
use serde_json::Value;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

#[test]
fn vader_matches_python_on_parity_cases() -> Result<(), Box<dyn std::error::Error>> {
    let raw = std::fs::read_to_string(crate_dir().join("fixtures/vader_parity.json"))?;
    let fx: Value = serde_json::from_str(&raw)?;
    let vader = Vader::stock()?;
    let cases = fx["cases"].as_array().ok_or("cases")?;
    let mut bad = Vec::new();
    for c in cases {
        let text = c["text"].as_str().ok_or("text")?;
        let want: Vec<f64> = c["scores"].as_array().ok_or("scores")?.iter().filter_map(Value::as_f64).collect();
        let s = vader.polarity_scores(text);
        let got = [s.neg, s.neu, s.pos, s.compound];
        if !got.iter().zip(&want).all(|(a, b)| close(*a, *b)) {
            bad.push(format!("{text:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), cases.len(), bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
    Ok(())
}

/// One ICWSM-14 ground-truth file: (human mean rating, text) per line, split as the fixture
/// script splits it.
fn icwsm(name: &str) -> Result<Vec<(f64, String)>, Box<dyn std::error::Error>> {
    let raw = std::fs::read_to_string(crate_dir().join("data/icwsm2014").join(name))?;
    let mut out = Vec::new();
    for line in raw.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let _id = parts.next().ok_or("id")?;
        let rating: f64 = parts.next().ok_or("rating")?.parse()?;
        out.push((rating, parts.next().ok_or("text")?.to_owned()));
    }
    Ok(out)
}

const SETS: [(&str, &str); 4] = [
    ("tweets", "tweets_GroundTruth.txt"),
    ("movies", "movieReviewSnippets_GroundTruth.txt"),
    ("amazon", "amazonReviewSnippets_GroundTruth.txt"),
    ("nyt", "nytEditorialSnippets_GroundTruth.txt"),
];

#[test]
fn vader_matches_python_on_icwsm_corpus() -> Result<(), Box<dyn std::error::Error>> {
    let raw = std::fs::read_to_string(crate_dir().join("fixtures/vader_icwsm.json"))?;
    let fx: Value = serde_json::from_str(&raw)?;
    let vader = Vader::stock()?;
    let mut total = 0;
    for (key, file) in SETS {
        let texts = icwsm(file)?;
        let want = fx["sets"][key].as_array().ok_or("set")?;
        assert_eq!(texts.len(), want.len(), "{key}");
        for ((_, text), w) in texts.iter().zip(want) {
            let w: Vec<f64> = w.as_array().ok_or("row")?.iter().filter_map(Value::as_f64).collect();
            let s = vader.polarity_scores(text);
            let got = [s.neg, s.neu, s.pos, s.compound];
            assert!(got.iter().zip(&w).all(|(a, b)| close(*a, *b)), "{key} {text:?}: {got:?} vs {w:?}");
            total += 1;
        }
    }
    // 4,200 tweets + 10,605 movie + 3,708 Amazon + 5,190 NYT snippets.
    assert_eq!(total, 23_703);
    Ok(())
}
