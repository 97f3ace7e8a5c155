//! Integration tests of prodops-sample: determinism, planted truths, and the committed data.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod determinism;
mod events;
mod experiment;
mod feedback;
mod files;
mod surveys;

use prodops_sample::{Account, SampleSpec, accounts_and_mrr};

/// Accounts of the small spec, shared by several tests.
pub fn small_accounts() -> Vec<Account> {
    accounts_and_mrr(&SampleSpec::small().accounts()).unwrap().0
}

/// A binomial proportion's standard error, for tolerances stated in standard errors.
pub fn se(p: f64, n: usize) -> f64 {
    (p * (1.0 - p) / n as f64).sqrt()
}
