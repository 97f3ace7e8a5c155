//! Explaining a KPI change: how much of a rate's move comes from the segment mix, how much from
//! the segments' own rates, and how a metric tree's leaves add up to its change.
//!
//! # Mix, rate and interaction
//!
//! A rate KPI is a volume-weighted mean of segment rates, R = Σ sᵢrᵢ with sᵢ = Vᵢ/V the
//! segment's share of the denominator. Between periods 0 and 1:
//!
//! | method | rate effect | mix effect | interaction |
//! |---|---|---|---|
//! | [`Laspeyres`] (base weights) | Σ sᵢ⁰Δrᵢ | Σ Δsᵢ(rᵢ⁰ − R⁰) | Σ ΔsᵢΔrᵢ |
//! | [`Paasche`] (current weights) | Σ sᵢ¹Δrᵢ | Σ Δsᵢ(rᵢ¹ − R¹) | −Σ ΔsᵢΔrᵢ |
//! | [`Shapley`] (two-period means) | Σ s̄ᵢΔrᵢ | Σ Δsᵢ(r̄ᵢ − R̄) | none |
//!
//! Each row sums exactly to ΔR (ΣΔsᵢ = 0, so the R terms only make each segment's sign
//! readable: a segment growing while below average pulls the KPI down). A segment present in
//! one period only has no rate change to speak of, so all of its contribution is mix, and it is
//! flagged. The numerator total splits as ΔT = ΔV·R⁰ (volume) + V¹·ΔR.
//!
//! Effects computed on several dimensions separately do not add up; [`sequential`] decomposes
//! them in a stated order and [`shapley_dimensions`] averages over every order. [`MetricTree`] attributes the change of a formula of leaf metrics
//! (+ − × ÷) to its leaves: exactly on additive nodes, by LMDI or Shapley on multiplicative ones.
//! [`segments_from_frame`] and [`decomposition_frame`] connect the decomposition to polars.
//!
//! # Examples
//!
//! Traffic shifts toward mobile, which converts worse; each platform's rate is unchanged, so the
//! whole fall is mix:
//!
//! ```
//! use prodops_kpi::explain::{Decomposer, Segment, Shapley};
//!
//! let segments = [
//!     Segment::new("desktop", 600.0, 60.0, 400.0, 40.0)?, // 10% both periods
//!     Segment::new("mobile", 400.0, 20.0, 600.0, 30.0)?,  // 5% both periods
//! ];
//! let d = Shapley.decompose(&segments)?;
//! // R⁰ = 80/1000 = 8%, R¹ = 70/1000 = 7%.
//! assert!((d.change - (-0.01)).abs() < 1e-15);
//! assert!((d.mix - (-0.01)).abs() < 1e-15);
//! assert_eq!(d.rate, 0.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod frame;
mod mix;
mod tree;

pub use frame::{decomposition_frame, segments_from_frame};
pub use mix::{
    Decomposer, Decomposition, DimensionShapley, Effects, Laspeyres, MultiSegment, Paasche, Period,
    Segment, SegmentEffect, SegmentInputs, SequentialDecomposition, Shapley, sequential,
    shapley_dimensions,
};
pub use tree::{LeafContribution, MetricTree, ProductMethod, TreeAttribution};
