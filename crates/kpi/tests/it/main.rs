//! Integration tests of kpi, one module per analysis: reference fixtures,
//! hand-worked cases and properties.

mod definition;
mod explain;
mod funnel;
mod lifecycle;
mod monitor;
mod retention;
mod revenue;
mod stickiness;
mod survey;
mod trends;
