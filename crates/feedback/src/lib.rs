//! # prodops-feedback
//!
//! Customer feedback from raw text to ranked, customer-weighted demand.

pub mod dedup;
pub mod demand;
mod error;
pub mod ingest;
pub mod model;
pub mod pii;
pub mod sentiment;
pub mod text;
pub mod themes;

pub use error::FeedbackError;
