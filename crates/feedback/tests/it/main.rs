//! Integration tests of prodops-feedback against vaderSentiment fixtures, planted truth in the
//! sample data, hand-checked examples and properties.
#![allow(
    missing_docs,
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used
)]

mod common;
mod dedup;
mod demand;
#[cfg(feature = "polars")]
mod frame;
mod ingest;
mod intent;
mod item_demand;
mod model;
mod pii;
mod sentiment;
mod themes;
