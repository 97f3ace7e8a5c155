//! Integration tests of prodops-report, in one binary.

mod browser;
mod charts;
mod edge;
mod escaping;
mod format;
mod markdown;
mod properties;
mod sample;
mod validation;
