//! Integration tests of prodops-core.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod ids;
mod ingest;
mod money;
mod periods;
