//! Integration tests of kpi, one module per analysis: reference fixtures,
//! hand-worked cases and properties.

mod funnel;
mod lifecycle;
mod retention;
mod stickiness;
mod survey;
mod trends;
