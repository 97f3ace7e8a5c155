//! Integration tests of the example extension, through prodops' own entry points.
//!
//! Expected values are derived by hand in the tests (the arithmetic is in the comments) or come
//! from an independent pandas computation on the bundled data (`fixtures/reference.py`).

mod activation;
mod decision;
mod monitor;
mod prioritize;
mod sentiment;
mod template;

/// The result type of every test.
pub(crate) type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The workspace's bundled sample data.
pub(crate) fn data(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(file)
}
