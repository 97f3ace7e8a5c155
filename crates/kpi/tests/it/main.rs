//! Integration tests of prodops-kpi: hand-worked scenarios, reference fixtures and properties.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod lifecycle;
mod stickiness;
mod trends;
