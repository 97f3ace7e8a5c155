//! Criterion benchmarks of the feedback text pipeline in texts per second: each stage alone
//! (clean, language, redact, VADER, intents, tag) and the whole pipeline, on the 2,000 texts
//! of `data/feedback.csv`.
//!
//! `cargo bench -p prodops-feedback --bench pipeline`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prodops_feedback::ingest::FeedbackReader;
use prodops_feedback::intent::intents;
use prodops_feedback::model::Taxonomy;
use prodops_feedback::pii::Redactor;
use prodops_feedback::pipeline::Pipeline;
use prodops_feedback::sentiment::{SentimentModel, Vader, VaderModel};
use prodops_feedback::text::{LanguageDetector, Whatlang, clean};
use prodops_feedback::themes::{RuleTagger, ThemeTagger};

fn texts() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/feedback.csv");
    FeedbackReader::default()
        .read_csv_path(path)
        .map(|l| l.data.into_iter().map(|i| i.text).collect())
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let tax: Option<Taxonomy> = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sample_taxonomy.json"
    ))
    .ok()
    .and_then(|s| serde_json::from_str(&s).ok());
    let (Some(tax), Ok(vader), Ok(model)) = (tax, Vader::stock(), VaderModel::product()) else {
        eprintln!("cannot set up the benchmark inputs");
        return;
    };
    let Ok(tagger) = RuleTagger::new(&tax) else {
        return;
    };
    let redactor = Redactor::builtin();
    let mut g = c.benchmark_group("feedback");
    g.throughput(Throughput::Elements(refs.len() as u64));
    g.bench_function("clean", |b| {
        b.iter(|| {
            refs.iter()
                .map(|t| clean(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("language", |b| {
        b.iter(|| {
            refs.iter()
                .filter(|t| Whatlang.detect(black_box(t)).is_some())
                .count()
        })
    });
    g.bench_function("redact", |b| {
        b.iter(|| {
            refs.iter()
                .map(|t| redactor.redact(black_box(t)).total())
                .sum::<usize>()
        })
    });
    g.bench_function("vader", |b| {
        b.iter(|| {
            refs.iter()
                .map(|t| vader.polarity_scores(black_box(t)).compound)
                .sum::<f64>()
        })
    });
    g.bench_function("vader_batch_parallel", |b| {
        b.iter(|| model.score_batch(black_box(&refs)).len())
    });
    g.bench_function("intents", |b| {
        b.iter(|| {
            refs.iter()
                .map(|t| intents(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("tag", |b| {
        b.iter(|| {
            refs.iter()
                .map(|t| tagger.assign(black_box(t)).len())
                .sum::<usize>()
        })
    });
    let pipeline = Pipeline::new(&redactor, &model, &Whatlang).with_tagger(&tagger);
    g.bench_function("pipeline", |b| {
        b.iter(|| {
            refs.iter()
                .filter_map(|t| pipeline.process_text("bench", black_box(t)).ok())
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
