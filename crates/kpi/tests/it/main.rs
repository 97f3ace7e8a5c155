//! Integration tests of prodops-kpi, one module per analysis.

mod funnel;
mod retention;
