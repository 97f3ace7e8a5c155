//! # prodops-example-extension
//!
//! How a team extends prodops from its own crate. Every piece here implements a public prodops
//! trait (or is a file a public loader reads), and is then used by prodops' own machinery
//! exactly like a built-in:
//!
//! | piece | extends | used by |
//! | --- | --- | --- |
//! | [`sentiment::PhraseBoost`] | `prodops_feedback::sentiment::SentimentModel` | the feedback `Pipeline`, `score_batch` |
//! | [`prioritize::CostOfDelay`] | `prodops_process::prioritize::Prioritizer` | `rank`, `sensitivity` |
//! | [`activation::ActivationRate`] | `prodops_kpi::definition::Kpi` | `prodops_kpi::definition::evaluate` |
//! | [`monitor::SeasonalNaive`] | `prodops_kpi::monitor::Detector` | `anomalies`, `latest`, `detect_column` |
//! | `templates/pricing-change.toml` ([`template::team_library`]) | a template in a `prodops_process::Library` | `Library::resolve`, `Plan::builder` |
//! | [`decision::PracticalSignificance`] | `prodops_experiment::DecisionRule` | `Scorecard::builder(..).rule(..)` |
//!
//! ```
//! use chrono::NaiveDate;
//! use polars::prelude::*;
//! use prodops_example_extension::activation::ActivationRate;
//! use prodops_example_extension::monitor::SeasonalNaive;
//! use prodops_example_extension::prioritize::{CostOfDelay, CostOfDelayInput};
//! use prodops_example_extension::sentiment::{PhraseBoost, PhraseList};
//! use prodops_example_extension::template::team_library;
//! use prodops_feedback::sentiment::{Label, SentimentModel, VaderModel};
//! use prodops_kpi::monitor::Detector;
//! use prodops_process::Plan;
//! use prodops_process::prioritize::{Item, rank};
//!
//! // Sentiment: VADER plus the team's billing phrases.
//! let model = PhraseBoost::new(VaderModel::product()?, PhraseList::billing()?);
//! assert_eq!(model.score("We were charged twice this month")?.label, Label::Negative);
//!
//! // Prioritization: cost of delay per engineer-week × confidence.
//! let items = vec![
//!     Item::new("sso", CostOfDelayInput::new(12_000.0, 6.0, 0.5)), // 1000
//!     Item::new("export", CostOfDelayInput::new(3_000.0, 2.0, 1.0)), // 1500
//! ];
//! assert_eq!(rank(&CostOfDelay::default(), &items)?.ids(), ["export", "sso"]);
//!
//! // A KPI: 7-day activation of signup cohorts, on any events frame.
//! let events = df!(
//!     "user_id" => ["a", "a", "b"],
//!     "event" => ["signed_up", "project_created", "signed_up"],
//!     "timestamp" => ["2026-10-05 09:00:00", "2026-10-06 09:00:00", "2026-10-07 09:00:00"],
//! )?
//! .lazy()
//! .with_column(col("timestamp").str().to_datetime(None, None, StrptimeOptions::default(), lit("raise")));
//! let activation = ActivationRate::builder().key_event("project_created").build()?;
//! let out = activation.run(events)?;
//! assert_eq!(out.column("value")?.f64()?.get(0), Some(0.5)); // a of {a, b}
//!
//! // An anomaly detector: same weekday last week.
//! let daily = [100.0, 98.0, 97.0, 99.0, 95.0, 40.0, 38.0, 101.0, 99.0, 50.0];
//! let alerts = SeasonalNaive::builder().build()?.anomalies(&daily)?;
//! assert_eq!(alerts.iter().map(|d| d.index).collect::<Vec<_>>(), [9]); // 50 vs 97
//!
//! // A process template that extends a built-in one.
//! let template = team_library()?.resolve("pricing-change")?;
//! let plan = Plan::builder(&template)
//!     .anchor(NaiveDate::from_ymd_opt(2027, 3, 1).ok_or("bad date")?)
//!     .param("product", "Atlas")
//!     .param("new_price", "$12 per seat per month")
//!     .build()?;
//! assert!(plan.task("billing-dry-run").is_some());
//! assert!(plan.task("press-kit").is_none()); // removed from the base launch
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The `team_review` example runs every piece on the bundled sample data:
//! `cargo run -p prodops-example-extension --example team_review`.
//!
//! ## Writing your own
//!
//! - Depend on the prodops crates whose traits you implement, nothing else of prodops.
//! - Inside a trait method, return that trait's error type (`FeedbackError`, `KpiError`,
//!   `InputError`); give your own constructors and helpers your own error enum
//!   ([`ExtensionError`]).
//! - Result types of prodops are `#[non_exhaustive]`: build them with their public
//!   constructors (`Detection::new(..).with_score(..)`), or adjust the one a base
//!   implementation returns (a `Sentiment` from VADER), since their fields are public.
//! - Test the extension through prodops' own entry points (`rank`, `evaluate`, the
//!   feedback `Pipeline`), with expected values derived by hand.

pub mod activation;
pub mod decision;
mod error;
pub mod monitor;
pub mod prioritize;
pub mod sentiment;
pub mod template;

pub use error::ExtensionError;
