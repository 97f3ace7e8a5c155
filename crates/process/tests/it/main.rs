//! Integration tests of prodops-process: hand-worked schedules and scores, the built-in
//! library, validation errors, rendering, and properties.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod library;
mod prioritize;
mod render;
mod schedule;
mod validation;
