//! Rust side of the `survey_bucketing` comparison: read the `answered_at` column of a survey
//! Parquet file with polars, bucket every timestamp into its month and ISO week with
//! `prodops_core::Period`, and count responses per period.
//!
//! Run through `benches/compare/run.sh survey_bucketing`, which runs the Python peer
//! (`peers/survey_bucketing.py`) on the same file in the same run and prints the ratio. By
//! hand: `cargo bench --bench compare_survey_bucketing -- FILE.parquet [REPEATS]`.
//!
//! Output is one JSON object: the best wall time over the repeats (read + bucket + count,
//! process start-up excluded) and the counts, which the harness checks against the peer's.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::DateTime;
use polars::prelude::*;
use prodops::core::{Grain, Period};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Dense counts per period index, for a contiguous run of periods.
#[derive(Default)]
struct Counts {
    first: i64,
    counts: Vec<u64>,
}

impl Counts {
    fn add(&mut self, index: i64, n: u64) {
        if self.counts.is_empty() {
            self.first = index;
        }
        if index < self.first {
            let grow = (self.first - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.first = index;
        }
        let slot = (index - self.first) as usize;
        if slot >= self.counts.len() {
            self.counts.resize(slot + 1, 0);
        }
        self.counts[slot] += n;
    }

    fn merge(&mut self, other: Counts) {
        for (i, n) in other.counts.into_iter().enumerate() {
            if n > 0 {
                self.add(other.first + i as i64, n);
            }
        }
    }

    fn labelled(&self, grain: Grain) -> Result<BTreeMap<String, u64>, Box<dyn std::error::Error>> {
        let mut out = BTreeMap::new();
        for (i, n) in self.counts.iter().enumerate() {
            if *n > 0 {
                out.insert(
                    Period::from_index(grain, self.first + i as i64)?.label(),
                    *n,
                );
            }
        }
        Ok(out)
    }
}

/// Buckets a slice of epoch milliseconds by month and ISO week.
///
/// Consecutive rows rarely share a day, but a file spans few days, so the period of each day
/// is looked up once and cached by day number.
fn bucket(millis: &[i64]) -> Result<(Counts, Counts), String> {
    let mut months = Counts::default();
    let mut weeks = Counts::default();
    let mut cache: Vec<Option<(i64, i64)>> = Vec::new();
    let mut cache_first = 0i64;
    for &ms in millis {
        let day = ms.div_euclid(MILLIS_PER_DAY);
        if cache.is_empty() {
            cache_first = day;
        }
        if day < cache_first {
            cache.splice(
                0..0,
                std::iter::repeat_n(None, (cache_first - day) as usize),
            );
            cache_first = day;
        }
        let slot = (day - cache_first) as usize;
        if slot >= cache.len() {
            cache.resize(slot + 1, None);
        }
        let (m, w) = match cache[slot] {
            Some(hit) => hit,
            None => {
                let date = DateTime::from_timestamp_millis(ms)
                    .ok_or_else(|| format!("timestamp {ms} out of range"))?
                    .date_naive();
                let pair = (
                    Period::containing(Grain::Month, date).index(),
                    Period::containing(Grain::Week, date).index(),
                );
                cache[slot] = Some(pair);
                pair
            }
        };
        months.add(m, 1);
        weeks.add(w, 1);
    }
    Ok((months, weeks))
}

fn run(path: &str) -> Result<(Counts, Counts), Box<dyn std::error::Error>> {
    let df = ParquetReader::new(std::fs::File::open(path)?)
        .with_columns(Some(vec!["answered_at".into()]))
        .finish()?;
    let column = df.column("answered_at")?.datetime()?.physical().rechunk();
    let millis = column.cont_slice()?;
    // Split across the machine's cores, as polars does on the peer's side.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = millis.len().div_ceil(threads).max(1);
    let parts: Vec<Result<(Counts, Counts), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = millis
            .chunks(chunk)
            .map(|c| s.spawn(move || bucket(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("worker panicked".to_owned()))
            })
            .collect()
    });
    let mut months = Counts::default();
    let mut weeks = Counts::default();
    for part in parts {
        let (m, w) = part?;
        months.merge(m);
        weeks.merge(w);
    }
    Ok((months, weeks))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: compare_survey_bucketing FILE.parquet [REPEATS]");
        return Ok(());
    };
    let repeats: usize = args.get(1).map_or(Ok(5), |r| r.parse())?;
    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let counts = run(path)?;
        best = best.min(started.elapsed().as_secs_f64());
        result = Some(counts);
    }
    let (months, weeks) = result.ok_or("no run")?;
    let json = |m: &BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "{{\"impl\": \"prodops (Rust)\", \"seconds\": {best:.6}, \"months\": {{{}}}, \"weeks\": {{{}}}}}",
        json(&months.labelled(Grain::Month)?),
        json(&weeks.labelled(Grain::Week)?)
    );
    Ok(())
}
