//! Integration tests of kpi, one module per analysis: reference fixtures,
//! hand-worked cases and properties.

mod funnel;
mod retention;
mod survey;
