//! # prodops-core
//!
//! The small shared vocabulary of the prodops crates: calendar periods and time grains,
//! identifiers and segments, exact [`Money`], and the [`IngestReport`] that every loader
//! returns beside its data. It has no dataframe or statistics dependency and changes rarely,
//! so extension crates can depend on it cheaply.
//!
//! ```toml
//! [dependencies]
//! prodops-core = "0.1"
//! ```
//!
//! ## Example
//!
//! Bucket survey timestamps by ISO week and walk the weeks of a reporting window:
//!
//! ```
//! use chrono::NaiveDate;
//! use prodops_core::{Grain, Period, Segment};
//!
//! let answered = NaiveDate::from_ymd_opt(2026, 11, 26).ok_or("bad date")?.and_hms_opt(23, 5, 0).ok_or("bad time")?;
//! let week = Period::containing_datetime(Grain::Week, answered);
//! assert_eq!(week.to_string(), "2026-W48");
//! assert!(week.contains(answered));
//!
//! let first: Period = "2026-W45".parse()?;
//! let labels: Vec<String> = first.through(week).map(|p| p.label()).collect();
//! assert_eq!(labels, ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
//! assert_eq!(week.prev()?.label(), "2026-W47");
//!
//! let emea_pro = Segment::all().with("region", "EMEA")?.with("plan", "Pro")?;
//! assert_eq!(emea_pro.to_string(), "plan=Pro, region=EMEA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Error convention
//!
//! Each prodops crate defines one `#[non_exhaustive]` [`thiserror`] enum for its own failures,
//! whose variants say what was wrong and where (a row, a column, a task id), and wraps
//! [`CoreError`] with `#[from]`. Constructors validate and return `Result`; library code does
//! not panic on user input, and loaders never drop a row without recording it in an
//! [`IngestReport`].
//!
//! ## Crate features
//!
//! - `proptest`: exposes the `strategies` module, proptest strategies for core types, so other crates'
//!   property tests can generate periods, segments and money.

mod error;
mod id;
mod ingest;
mod money;
mod period;
#[cfg(feature = "proptest")]
pub mod strategies;

pub use error::CoreError;
pub use id::{AccountId, DimensionName, Segment, UserId};
pub use ingest::{IngestReport, Ingested, RejectedRow};
pub use money::{Currency, Money};
pub use period::{Change, Grain, Period, PeriodRange};

/// Re-exported so that users name the same `Decimal` type that [`Money`] holds.
pub use rust_decimal::Decimal;
