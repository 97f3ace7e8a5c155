//! Integration tests of prodops-report, in one binary.

mod browser;
mod charts;
mod escaping;
mod markdown;
mod properties;
mod sample;
mod validation;
