//! # prodops-kpi
//!
//! The analytics a product-ops team runs every week, on polars: survey metrics with an
//! interval on every number (NPS, CSAT, CES), PostHog-compatible event analytics (trends and
//! active users, funnels, retention, stickiness, lifecycle), the MRR bridge, declarative KPIs
//! compiled to polars expressions, anomaly detectors that say why they fired, and
//! explanations of a KPI's change. Where analytics tools disagree (funnel re-entry, unbounded
//! retention, MRR reactivation), the convention is a named option and the default is stated;
//! `docs/methods/kpi.md` in the repository lists each definition and whose semantics it
//! matches.
//!
//! ```toml
//! [dependencies]
//! prodops-kpi = "0.1"
//! ```
//!
//! ## Example: NPS by segment and month, a funnel, and an alert
//!
//! ```
//! use polars::prelude::*;
//! use prodops_core::Grain;
//! use prodops_kpi::events::EventTableBuilder;
//! use prodops_kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel, WindowUnit};
//! use prodops_kpi::monitor::{Detector, Direction, Rolling};
//! use prodops_kpi::survey::{RatedScale, SurveyQuery};
//!
//! // NPS with its adjusted-Wald interval per plan and month, in one polars pass.
//! let answers = df!(
//!     "score" => [10i64, 9, 6, 8, 10, 3, 9, 7],
//!     "plan" => ["Pro", "Pro", "Pro", "Pro", "Free", "Free", "Free", "Free"],
//!     "answered_at" => ["2026-10-01 09:00:00", "2026-10-02 10:00:00", "2026-10-03 11:00:00",
//!                       "2026-10-04 12:00:00", "2026-10-05 09:00:00", "2026-10-06 10:00:00",
//!                       "2026-10-07 11:00:00", "2026-10-08 12:00:00"],
//! )?;
//! let nps = SurveyQuery::builder("score", RatedScale::nps())
//!     .segments(["plan"])
//!     .time("answered_at", Grain::Month)
//!     .build()?
//!     .run(&answers)?;
//! assert_eq!(nps.frame.height(), 2); // Free and Pro in 2026-10
//! assert!(nps.report.is_clean()); // an off-scale score would be listed here by row
//!
//! // A two-step funnel with a one-day window counted from the first step.
//! let hour = 3_600_000_000_i64; // microseconds
//! let mut events = EventTableBuilder::new(Vec::<String>::new());
//! events.push("ann", 0, "signup", &[])?.push("ann", 2 * hour, "pay", &[])?;
//! events.push("bob", 0, "signup", &[])?.push("bob", 30 * hour, "pay", &[])?;
//! let funnel = Funnel::builder()
//!     .step(EventMatcher::event("signup"))
//!     .step(EventMatcher::event("pay"))
//!     .window(ConversionWindow::new(1, WindowUnit::Day)?)
//!     .build()?
//!     .run(&events.build())?;
//! assert_eq!(funnel.series[0].steps[1].persons, 1); // bob paid too late
//!
//! // A daily KPI with a spike on the last day, and the reason the alert fired.
//! let mut daily: Vec<f64> = (0..40).map(|i| 200.0 + (i % 5) as f64).collect();
//! daily.push(312.0);
//! let alert = Rolling::z_score().direction(Direction::Up).build()?.latest(&daily)?;
//! assert!(alert.is_anomaly);
//! println!("{}", alert.reason);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! - [`survey`]: rated scales, mergeable counts, NPS (adjusted Wald, Wald, score, bootstrap,
//!   Dirichlet), two-sample and paired tests, sample sizes, weighted NPS, CSAT and CES, and
//!   [`survey::SurveyQuery`] over frames.
//! - [`events`]: the [`events::EventTable`] every event analysis scans, and trends, funnels,
//!   retention, stickiness and lifecycle.
//! - [`revenue`]: the MRR bridge, GRR, NRR, churn, ARR, ARPU and LTV in exact money.
//! - [`definition`]: declarative KPIs (serde) compiled to polars, and the [`definition::Kpi`]
//!   trait.
//! - [`monitor`]: the [`monitor::Detector`] trait and its detectors; significance-aware
//!   alerts for rate KPIs.
//! - [`explain`]: mix / rate / interaction decompositions ([`explain::Decomposer`]) and
//!   metric trees.
//!
//! ## Crate features
//!
//! - `stl` (default): seasonality-aware detectors on STL remainders (`stlrs`, no
//!   dependencies).

pub mod definition;
mod error;
pub mod events;
pub mod explain;
pub mod monitor;
pub mod revenue;
pub mod survey;

pub use error::KpiError;
