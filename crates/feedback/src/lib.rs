//! # prodops-feedback
//!
//! Customer feedback from raw text to ranked, customer-weighted demand.

mod error;
pub mod ingest;
pub mod model;
pub mod pii;
pub mod sentiment;

pub use error::FeedbackError;
