//! Integration tests of prodops-kpi against reference fixtures, hand-worked cases and
//! properties.

mod survey;
