//! Integration tests of kpi, one module per analysis: reference fixtures,
//! hand-worked cases and properties.

mod definition;
mod funnel;
mod lifecycle;
mod retention;
mod revenue;
mod stickiness;
mod survey;
mod trends;
