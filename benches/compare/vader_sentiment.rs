//! Rust side of the `vader_sentiment` comparison: VADER polarity scores (neg, neu, pos,
//! compound) of every line of a text file, with `prodops_feedback::sentiment::Vader`
//! (a port of vaderSentiment 3.3.2) scored in parallel by `Vader::polarity_scores_batch`.
//!
//! Run through `benches/compare/run.sh vader_sentiment 1000000 1`, which builds the input
//! (the 23,703 ICWSM-14 texts, cycled to the requested count) and runs vaderSentiment 3.3.2
//! on the same file in the same run. By hand:
//! `cargo bench --bench compare_vader_sentiment -- TEXTS.txt [REPEATS]`.
//!
//! The timed job is scoring only (the file is read first, as the peer does). The results
//! printed for the harness to compare are the number of texts, the sum of compound scores
//! and a CRC-32 of every text's four scores as integers (neg, neu and pos in thousandths,
//! compound in ten-thousandths, one line per text), so a single differing score anywhere
//! stops the harness from reporting a ratio.

use std::time::Instant;

use prodops_feedback::sentiment::{Vader, VaderScores};

/// The lines of the input: texts separated by `\n` (the file ends with one).
fn read_texts(path: &str) -> Result<String, Box<dyn std::error::Error>> {
    let mut raw = std::fs::read_to_string(path)?;
    if raw.ends_with('\n') {
        raw.pop();
    }
    Ok(raw)
}

/// CRC-32 (IEEE 802.3, reflected, as Python's `zlib.crc32`) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0_u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// Extends a running CRC-32 with `bytes`, as `zlib.crc32(bytes, crc)` does.
fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in bytes {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// The line a text's scores contribute to the checksum: `neg neu pos compound` as integers.
fn score_line(s: &VaderScores) -> String {
    format!(
        "{} {} {} {}\n",
        (s.neg * 1e3).round() as i64,
        (s.neu * 1e3).round() as i64,
        (s.pos * 1e3).round() as i64,
        (s.compound * 1e4).round() as i64
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: compare_vader_sentiment TEXTS.txt [REPEATS]");
        return Ok(());
    };
    let repeats: usize = args.get(1).map_or(Ok(5), |r| r.parse())?;
    let raw = read_texts(path)?;
    let texts: Vec<&str> = raw.split('\n').collect();
    let vader = Vader::stock()?;
    let mut best = f64::INFINITY;
    let mut scores = Vec::new();
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        scores = vader.polarity_scores_batch(&texts);
        best = best.min(started.elapsed().as_secs_f64());
    }
    let compound_sum: f64 = scores.iter().map(|s| s.compound).sum();
    let crc = scores
        .iter()
        .fold(0, |crc, s| crc32(crc, score_line(s).as_bytes()));
    println!(
        "{{\"impl\": \"prodops-feedback\", \"seconds\": {best:.4}, \"texts\": {}, \"compound_sum\": {compound_sum:.4}, \"scores_crc32\": \"{crc:08x}\"}}",
        texts.len()
    );
    Ok(())
}
