//! One-pass readouts: which statistics to compute per variant ([`ReadoutColumns`]), what comes
//! back ([`VariantStats`]), and the per-variant sums that the adapters fold.
//!
//! The adapters (`frame` over polars frames, feature `polars`; `parquet` over Parquet files,
//! feature `parquet`) share this module: a [`ReadoutColumns`] becomes a plan in which each
//! column and each cross-product appears once, the adapter folds its rows into per-variant
//! sums (n, Σx, Σx², Σxy), and the sums become the statistics types. The sums merge by
//! addition, so batches, row groups and files can be folded independently and combined.

use serde::{Deserialize, Serialize};

use crate::{CupedStats, MeanStats, ProportionStats, RatioStats};

// The folding machinery is used only by the adapters.
#[cfg(any(feature = "polars", feature = "parquet"))]
mod sums;
#[cfg(any(feature = "polars", feature = "parquet"))]
pub(crate) use sums::*;
#[cfg(feature = "parquet")]
mod fold;
#[cfg(feature = "parquet")]
pub(crate) use fold::*;

/// The columns of a readout: which per-variant statistics an adapter computes in one pass
/// (`frame::readout_stats_by_variant` over a polars frame, `parquet::readout_stats_from_parquet`
/// over a Parquet file).
///
/// Build it with [`ReadoutColumns::new`] and the chained methods; each may be called several
/// times, and the statistics come back in [`VariantStats`] in the order they were added. A
/// column used by several statistics (say `metric` as a mean and as the outcome of CUPED) is
/// read and summed once.
///
/// # Examples
///
/// ```
/// use prodops_experiment::ReadoutColumns;
///
/// let spec = ReadoutColumns::new("variant")
///     .mean("metric")
///     .conversion("converted")
///     .ratio("clicks", "sessions")
///     .cuped("metric", "pre_metric");
/// assert_eq!(spec.means, ["metric"]);
/// assert_eq!(spec.ratios, [("clicks".to_owned(), "sessions".to_owned())]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReadoutColumns {
    /// The column that assigns each unit to a variant (any type; values become string keys).
    pub variant: String,
    /// Numeric columns summarised as [`MeanStats`].
    pub means: Vec<String>,
    /// Boolean or 0/1 columns summarised as [`ProportionStats`].
    pub conversions: Vec<String>,
    /// (numerator, denominator) column pairs summarised as [`RatioStats`].
    pub ratios: Vec<(String, String)>,
    /// (outcome, pre-period covariate) column pairs summarised as [`CupedStats`].
    pub cuped: Vec<(String, String)>,
}

impl ReadoutColumns {
    /// A readout grouped by `variant_col`, with no statistics yet.
    #[must_use]
    pub fn new(variant_col: impl Into<String>) -> Self {
        ReadoutColumns {
            variant: variant_col.into(),
            ..ReadoutColumns::default()
        }
    }

    /// Adds [`MeanStats`] of `value_col`.
    #[must_use]
    pub fn mean(mut self, value_col: impl Into<String>) -> Self {
        self.means.push(value_col.into());
        self
    }

    /// Adds [`ProportionStats`] of `converted_col` (boolean, or numeric with values 0 and 1).
    #[must_use]
    pub fn conversion(mut self, converted_col: impl Into<String>) -> Self {
        self.conversions.push(converted_col.into());
        self
    }

    /// Adds [`RatioStats`] of `numerator_col / denominator_col`.
    #[must_use]
    pub fn ratio(
        mut self,
        numerator_col: impl Into<String>,
        denominator_col: impl Into<String>,
    ) -> Self {
        self.ratios
            .push((numerator_col.into(), denominator_col.into()));
        self
    }

    /// Adds [`CupedStats`] of the outcome `value_col` with the pre-period `covariate_col`.
    #[must_use]
    pub fn cuped(mut self, value_col: impl Into<String>, covariate_col: impl Into<String>) -> Self {
        self.cuped.push((value_col.into(), covariate_col.into()));
        self
    }
}

/// The statistics of one variant, as requested by a [`ReadoutColumns`].
///
/// Each vector is in the order of the matching field of the [`ReadoutColumns`] (`means[i]` is
/// the statistic of `spec.means[i]`, and so on). Every statistic has the same n: the number of
/// units in the variant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VariantStats {
    /// Units in the variant.
    pub n: u64,
    /// One [`MeanStats`] per entry of [`ReadoutColumns::means`].
    pub means: Vec<MeanStats>,
    /// One [`ProportionStats`] per entry of [`ReadoutColumns::conversions`].
    pub conversions: Vec<ProportionStats>,
    /// One [`RatioStats`] per entry of [`ReadoutColumns::ratios`].
    pub ratios: Vec<RatioStats>,
    /// One [`CupedStats`] per entry of [`ReadoutColumns::cuped`].
    pub cuped: Vec<CupedStats>,
}
