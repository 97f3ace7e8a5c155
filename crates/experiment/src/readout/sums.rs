//! The plan of a readout and the per-variant sums the adapters fold.

use std::collections::BTreeMap;

use super::{ReadoutColumns, VariantStats};
use crate::{CupedStats, ExperimentError, MeanStats, ProportionStats, RatioStats};

/// One value column of a [`Plan`].
pub(crate) struct PlanColumn<'a> {
    pub(crate) name: &'a str,
    /// Sum squares (for mean-type statistics).
    pub(crate) squares: bool,
    /// Count 0/1 values (for conversions).
    pub(crate) binary: bool,
    /// The column is boolean (set by the adapter's schema check): its values are 0 and 1 by
    /// type, so they need no check.
    pub(crate) boolean: bool,
}

/// Where each statistic of a [`ReadoutColumns`] finds its sums in a [`Plan`].
struct Layout {
    /// Column index of each mean.
    means: Vec<usize>,
    /// Column index of each conversion.
    conversions: Vec<usize>,
    /// (numerator column, denominator column, product) of each ratio.
    ratios: Vec<(usize, usize, usize)>,
    /// (outcome column, covariate column, product) of each CUPED pair.
    cuped: Vec<(usize, usize, usize)>,
}

/// What to sum in one pass: each column and product appears once, however many statistics
/// use it.
pub(crate) struct Plan<'a> {
    pub(crate) spec: &'a ReadoutColumns,
    /// The value columns, read as `f64`.
    pub(crate) columns: Vec<PlanColumn<'a>>,
    /// Pairs of `columns` indices (smaller first) whose products are summed.
    pub(crate) products: Vec<(usize, usize)>,
    layout: Layout,
}

impl<'a> Plan<'a> {
    /// The plan of `spec`.
    pub(crate) fn new(spec: &'a ReadoutColumns) -> Self {
        let mut plan = Plan {
            spec,
            columns: Vec::new(),
            products: Vec::new(),
            layout: Layout {
                means: Vec::new(),
                conversions: Vec::new(),
                ratios: Vec::new(),
                cuped: Vec::new(),
            },
        };
        for name in &spec.means {
            let i = plan.column(name, true, false);
            plan.layout.means.push(i);
        }
        for name in &spec.conversions {
            let i = plan.column(name, false, true);
            plan.layout.conversions.push(i);
        }
        for (m, d) in &spec.ratios {
            let p = plan.product(m, d);
            plan.layout.ratios.push(p);
        }
        for (y, x) in &spec.cuped {
            let p = plan.product(y, x);
            plan.layout.cuped.push(p);
        }
        plan
    }

    /// The variant column's name.
    pub(crate) fn variant(&self) -> &'a str {
        &self.spec.variant
    }

    /// The index of `name` in `columns`, adding it or widening what is summed.
    fn column(&mut self, name: &'a str, squares: bool, binary: bool) -> usize {
        if let Some(i) = self.columns.iter().position(|c| c.name == name) {
            self.columns[i].squares |= squares;
            self.columns[i].binary |= binary;
            return i;
        }
        self.columns.push(PlanColumn {
            name,
            squares,
            binary,
            boolean: false,
        });
        self.columns.len() - 1
    }

    /// The indices of two mean-type columns and of their product in `products`, adding what
    /// is new.
    fn product(&mut self, a: &'a str, b: &'a str) -> (usize, usize, usize) {
        let i = self.column(a, true, false);
        let j = self.column(b, true, false);
        let key = (i.min(j), i.max(j));
        let k = match self.products.iter().position(|p| *p == key) {
            Some(k) => k,
            None => {
                self.products.push(key);
                self.products.len() - 1
            }
        };
        (i, j, k)
    }

    /// The statistics of each variant from its sums.
    pub(crate) fn stats(
        &self,
        sums: BTreeMap<String, GroupSums>,
    ) -> Result<BTreeMap<String, VariantStats>, ExperimentError> {
        let spec = self.spec;
        let layout = &self.layout;
        sums.into_iter()
            .map(|(variant, s)| {
                let mut stats = VariantStats {
                    n: s.n,
                    ..VariantStats::default()
                };
                for (&i, name) in layout.means.iter().zip(&spec.means) {
                    let m = s
                        .mean(i)
                        .map_err(|e| in_variant(&format!("column `{name}`"), &variant, e))?;
                    stats.means.push(m);
                }
                for (&i, name) in layout.conversions.iter().zip(&spec.conversions) {
                    let p = ProportionStats::new(s.n, s.ones(i))
                        .map_err(|e| in_variant(&format!("column `{name}`"), &variant, e))?;
                    stats.conversions.push(p);
                }
                for (&(i, j, k), (m, d)) in layout.ratios.iter().zip(&spec.ratios) {
                    let r = s
                        .mean(i)
                        .and_then(|num| RatioStats::new(num, s.mean(j)?, s.products[k]))
                        .map_err(|e| in_variant(&format!("columns `{m}` / `{d}`"), &variant, e))?;
                    stats.ratios.push(r);
                }
                for (&(i, j, k), (y, x)) in layout.cuped.iter().zip(&spec.cuped) {
                    let c = s
                        .mean(i)
                        .and_then(|post| CupedStats::new(post, s.mean(j)?, s.products[k]))
                        .map_err(|e| in_variant(&format!("columns `{y}`, `{x}`"), &variant, e))?;
                    stats.cuped.push(c);
                }
                Ok((variant, stats))
            })
            .collect()
    }
}

/// An error about one column of the input.
pub(crate) fn column_error(column: &str, reason: impl Into<String>) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: format!("column `{column}`"),
        reason: reason.into(),
    }
}

/// Adds the column and variant to an error from a statistics constructor.
fn in_variant(columns: &str, variant: &str, e: ExperimentError) -> ExperimentError {
    ExperimentError::InvalidInput {
        what: format!("{columns} in variant `{variant}`"),
        reason: e.to_string(),
    }
}

/// The sums of one variant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupSums {
    pub(crate) n: u64,
    /// Σx per column; for a conversion column, the number of ones.
    pub(crate) sum: Vec<f64>,
    /// Σx² per column (0 for a column without `squares`).
    pub(crate) sum_sq: Vec<f64>,
    /// Σxy per product of the plan.
    pub(crate) products: Vec<f64>,
}

impl GroupSums {
    fn mean(&self, i: usize) -> Result<MeanStats, ExperimentError> {
        MeanStats::new(self.n, self.sum[i], self.sum_sq[i])
    }

    /// The number of ones of a conversion column, whose values are checked to be 0 or 1: their
    /// sum is an exact integer below 2⁵³.
    fn ones(&self, i: usize) -> u64 {
        self.sum[i] as u64
    }
}

/// The error for `count` nulls in a value column.
pub(crate) fn null_values(column: &str, count: u64) -> ExperimentError {
    column_error(
        column,
        format!(
            "{count} null values; fill or filter them before computing statistics (dropping \
             them silently would bias the comparison)"
        ),
    )
}

/// The error for `count` values other than 0 and 1 in a conversion column.
pub(crate) fn non_binary_values(column: &str, count: u64) -> ExperimentError {
    column_error(
        column,
        format!("{count} values are neither 0 nor 1 (nor true/false)"),
    )
}
