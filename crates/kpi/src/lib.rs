//! # prodops-kpi
//!
//! Survey metrics with an interval on every number (NPS, CSAT, CES), PostHog-compatible event
//! analytics (trends, funnels, retention, stickiness, lifecycle), the MRR bridge, declarative
//! KPIs compiled to polars expressions, KPI monitoring, and explanations of KPI changes.

pub mod definition;
mod error;
pub mod events;
pub mod explain;
pub mod monitor;
pub mod revenue;
pub mod survey;

pub use error::KpiError;
