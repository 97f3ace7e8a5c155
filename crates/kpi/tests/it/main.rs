//! Integration tests of prodops-kpi, one module per analysis: reference fixtures,
//! hand-worked cases and properties.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod definition;
mod explain;
mod funnel;
mod lifecycle;
mod monitor;
mod retention;
mod revenue;
mod stickiness;
mod survey;
mod survey_change;
mod trends;
