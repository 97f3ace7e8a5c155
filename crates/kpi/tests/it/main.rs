//! Integration tests of prodops-kpi against hand-worked examples, reference fixtures and
//! properties.
#![allow(missing_docs)]

mod definition;
mod revenue;
