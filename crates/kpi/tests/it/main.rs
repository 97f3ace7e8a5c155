//! Integration tests of prodops-kpi against reference fixtures, hand-worked cases and
//! properties.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod explain;
mod monitor;
