//! Integration tests of the root package: the `product_review` example's loop, run on the
//! bundled data and on a small hostile input.
#![allow(missing_docs, dead_code, clippy::unwrap_used, clippy::expect_used)]

// The example's loop, compiled into this test binary from the very file the example uses, so
// the test runs what `cargo run --example product_review` runs (examples have no
// `CARGO_BIN_EXE_*` to spawn from a test).
#[path = "../../examples/product_review/review.rs"]
mod review;

mod product_review;
