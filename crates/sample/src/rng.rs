//! Deterministic, block-parallel random streams.
//!
//! Every dataset is generated in fixed blocks of [`BLOCK_ROWS`] rows. Block `b` of dataset
//! `d` draws from a ChaCha8 stream keyed by the user's seed and `(d, b)`, so the rows of a
//! block depend only on the seed and the block's position: a 100M-row file starts with the
//! same rows as the 5,000-row one, blocks can be generated in any order or in parallel, and
//! adding a dataset never shifts another's numbers. ChaCha8 is used rather than `StdRng`
//! because its output is specified and stable across `rand` releases.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Rows generated from one random stream.
pub const BLOCK_ROWS: usize = 16_384;

/// Which dataset a stream belongs to; part of the stream key.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Accounts = 1,
    Surveys = 2,
    Feedback = 3,
    Events = 4,
    Experiment = 5,
}

/// The random stream for block `block` of dataset `stream` under `seed`.
pub(crate) fn block_rng(seed: u64, stream: Stream, block: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((stream as u64) << 48) ^ block);
    rng
}

/// Runs `fill` for each block overlapping `rows`, in parallel, and returns the rows of
/// `rows` in order. `fill(rng, first_row, n, out)` must push exactly the rows
/// `first_row..first_row + n`; generators that drop rows push `Option`s and flatten after.
pub(crate) fn generate_blocks<T: Send>(
    seed: u64,
    stream: Stream,
    rows: std::ops::Range<usize>,
    fill: impl Fn(&mut ChaCha8Rng, usize, usize, &mut Vec<T>) + Sync,
) -> Vec<T> {
    if rows.is_empty() {
        return Vec::new();
    }
    let first_block = rows.start / BLOCK_ROWS;
    let last_block = (rows.end - 1) / BLOCK_ROWS;
    let blocks: Vec<Vec<T>> = (first_block..=last_block)
        .into_par_iter()
        .map(|block| {
            let block_start = block * BLOCK_ROWS;
            let mut rng = block_rng(seed, stream, block as u64);
            // Rows come off the stream in order, so the rows a range needs are a prefix of
            // the block: generating only up to `rows.end` gives the same rows.
            let n = (rows.end - block_start).min(BLOCK_ROWS);
            let mut out = Vec::with_capacity(n);
            fill(&mut rng, block_start, n, &mut out);
            let lo = rows.start.saturating_sub(block_start).min(out.len());
            let hi = (rows.end - block_start).min(out.len());
            out.truncate(hi);
            out.drain(..lo);
            out
        })
        .collect();
    blocks.into_iter().flatten().collect()
}
