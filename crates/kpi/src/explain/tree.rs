//! Metric trees: a KPI written as + − × ÷ of leaf metrics, with its change attributed to the
//! leaves.
//!
//! Additive nodes pass each child's change through exactly. A multiplicative node y = Π xⱼ^eⱼ
//! (eⱼ = ±1) splits Δy among its factors by LMDI-I (Ang 2004),
//! wⱼ = L(y¹, y⁰)·eⱼ·ln(xⱼ¹/xⱼ⁰) with the logarithmic mean L(a, b) = (a − b)/ln(a/b) (L(a, a) = a),
//! which needs every value positive, or by the Shapley value over the factors, which needs only
//! non-zero divisors. A factor's share wⱼ is then spread over the leaves below it in proportion
//! to their parts of Δxⱼ. The leaves' contributions always sum to the root's change.

use serde::{Deserialize, Serialize};

use super::Period;
use crate::KpiError;
use crate::error::invalid_input;

/// How multiplicative nodes are split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductMethod {
    /// LMDI when every factor is positive in both periods, Shapley otherwise. The default.
    #[default]
    Auto,
    /// LMDI only; a factor ≤ 0 is an error.
    Lmdi,
    /// The Shapley value (exact over all 2ⁿ orderings of the factors; at most 20 factors).
    Shapley,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Node {
    Leaf { name: String, values: [f64; 2] },
    Sum(Vec<(f64, MetricTree)>),
    Product(Vec<(i32, MetricTree)>),
}

/// A KPI as a formula of leaf metrics, each known in the base period 0 and the current
/// period 1.
///
/// # Examples
///
/// Revenue = Visitors × CVR × AOV:
///
/// ```
/// use prodops_kpi::explain::{MetricTree, ProductMethod};
///
/// let revenue = MetricTree::product(vec![
///     MetricTree::leaf("visitors", 10_000.0, 11_000.0)?,
///     MetricTree::leaf("cvr", 0.02, 0.02)?,
///     MetricTree::leaf("aov", 50.0, 45.0)?,
/// ]);
/// let a = revenue.attribute(ProductMethod::Auto)?;
/// // 10,000 × 0.02 × 50 = 10,000 → 11,000 × 0.02 × 45 = 9,900.
/// assert!((a.change - (-100.0)).abs() < 1e-9);
/// let sum: f64 = a.leaves.iter().map(|l| l.contribution).sum();
/// assert!((sum - a.change).abs() < 1e-9);
/// assert_eq!(a.leaves[1].contribution, 0.0); // CVR did not move
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricTree {
    node: Node,
}

/// One leaf's share of the root's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeafContribution {
    /// The leaf's name.
    pub name: String,
    /// The leaf's values in periods 0 and 1.
    pub values: [f64; 2],
    /// Its part of the root's change.
    pub contribution: f64,
}

/// The attribution of a tree's change to its leaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TreeAttribution {
    /// The root's values in periods 0 and 1.
    pub values: [f64; 2],
    /// The root's change y¹ − y⁰.
    pub change: f64,
    /// Leaves in depth-first order; contributions sum to `change`.
    pub leaves: Vec<LeafContribution>,
    /// Whether some multiplicative node used Shapley (because a value was ≤ 0, or on request).
    pub used_shapley: bool,
}

impl MetricTree {
    /// A leaf metric.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a non-finite value.
    pub fn leaf(name: impl Into<String>, before: f64, after: f64) -> Result<MetricTree, KpiError> {
        let name = name.into();
        if !(before.is_finite() && after.is_finite()) {
            return Err(invalid_input(
                format!("metric {name:?}"),
                format!("values must be finite, got {before} and {after}"),
            ));
        }
        Ok(MetricTree {
            node: Node::Leaf {
                name,
                values: [before, after],
            },
        })
    }

    /// The sum of the children.
    pub fn sum(children: Vec<MetricTree>) -> MetricTree {
        MetricTree {
            node: Node::Sum(children.into_iter().map(|c| (1.0, c)).collect()),
        }
    }

    /// `a − b` (NPS = %promoters − %detractors).
    pub fn difference(a: MetricTree, b: MetricTree) -> MetricTree {
        MetricTree {
            node: Node::Sum(vec![(1.0, a), (-1.0, b)]),
        }
    }

    /// The product of the children.
    pub fn product(children: Vec<MetricTree>) -> MetricTree {
        MetricTree {
            node: Node::Product(children.into_iter().map(|c| (1, c)).collect()),
        }
    }

    /// `a ÷ b`.
    pub fn ratio(a: MetricTree, b: MetricTree) -> MetricTree {
        MetricTree {
            node: Node::Product(vec![(1, a), (-1, b)]),
        }
    }

    /// The tree's value in a period.
    ///
    /// # Errors
    ///
    /// [`KpiError::ZeroBaseline`] when a divisor is 0.
    pub fn value(&self, period: Period) -> Result<f64, KpiError> {
        self.value_at(match period {
            Period::Before => 0,
            Period::After => 1,
        })
    }

    fn value_at(&self, p: usize) -> Result<f64, KpiError> {
        match &self.node {
            Node::Leaf { values, .. } => Ok(values[p]),
            Node::Sum(children) => children
                .iter()
                .map(|(sign, c)| Ok(sign * c.value_at(p)?))
                .sum(),
            Node::Product(children) => {
                let mut y = 1.0;
                for (e, c) in children {
                    let x = c.value_at(p)?;
                    if *e < 0 {
                        if x == 0.0 {
                            return Err(KpiError::ZeroBaseline {
                                what: format!(
                                    "a divisor is 0 in period {p} (leaves {})",
                                    c.leaf_names().join(", ")
                                ),
                            });
                        }
                        y /= x;
                    } else {
                        y *= x;
                    }
                }
                Ok(y)
            }
        }
    }

    fn leaf_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_leaves(&mut |name, _| out.push(name.to_owned()));
        out
    }

    fn collect_leaves(&self, f: &mut dyn FnMut(&str, [f64; 2])) {
        match &self.node {
            Node::Leaf { name, values } => f(name, *values),
            Node::Sum(children) => children.iter().for_each(|(_, c)| c.collect_leaves(f)),
            Node::Product(children) => children.iter().for_each(|(_, c)| c.collect_leaves(f)),
        }
    }

    /// Attributes the root's change to the leaves.
    ///
    /// # Errors
    ///
    /// [`KpiError::ZeroBaseline`] for a zero divisor; [`KpiError::IncompatibleOptions`] for
    /// [`ProductMethod::Lmdi`] with a value ≤ 0, or Shapley on a node with more than 20 factors;
    /// [`KpiError::InvalidInput`] when a result is not finite (overflow).
    pub fn attribute(&self, method: ProductMethod) -> Result<TreeAttribution, KpiError> {
        let values = [self.value_at(0)?, self.value_at(1)?];
        let mut used_shapley = false;
        let contributions = self.contributions(method, &mut used_shapley)?;
        let mut leaves = Vec::with_capacity(contributions.len());
        let mut iter = contributions.into_iter();
        let mut missing = false;
        self.collect_leaves(&mut |name, v| match iter.next() {
            Some(c) => leaves.push(LeafContribution {
                name: name.to_owned(),
                values: v,
                contribution: c,
            }),
            None => missing = true,
        });
        let change = values[1] - values[0];
        if missing || !change.is_finite() || leaves.iter().any(|l| !l.contribution.is_finite()) {
            return Err(invalid_input(
                "metric tree",
                "the attribution overflowed; rescale the leaves",
            ));
        }
        Ok(TreeAttribution {
            values,
            change,
            leaves,
            used_shapley,
        })
    }

    /// Leaf contributions (depth-first) summing to this node's change.
    fn contributions(
        &self,
        method: ProductMethod,
        used_shapley: &mut bool,
    ) -> Result<Vec<f64>, KpiError> {
        match &self.node {
            Node::Leaf { values, .. } => Ok(vec![values[1] - values[0]]),
            Node::Sum(children) => {
                let mut out = Vec::new();
                for (sign, c) in children {
                    out.extend(
                        c.contributions(method, used_shapley)?
                            .into_iter()
                            .map(|x| sign * x),
                    );
                }
                Ok(out)
            }
            Node::Product(children) => {
                let x: Vec<[f64; 2]> = children
                    .iter()
                    .map(|(_, c)| Ok([c.value_at(0)?, c.value_at(1)?]))
                    .collect::<Result<_, KpiError>>()?;
                let e: Vec<i32> = children.iter().map(|(e, _)| *e).collect();
                let positive = x.iter().all(|v| v[0] > 0.0 && v[1] > 0.0);
                let weights = match (method, positive) {
                    (ProductMethod::Lmdi | ProductMethod::Auto, true) => lmdi(&x, &e),
                    (ProductMethod::Lmdi, false) => {
                        return Err(KpiError::IncompatibleOptions {
                            reason: "LMDI needs every factor positive in both periods; use \
                                     ProductMethod::Shapley or Auto"
                                .into(),
                        });
                    }
                    (ProductMethod::Shapley | ProductMethod::Auto, _) => {
                        *used_shapley = true;
                        shapley(&x, &e)?
                    }
                };
                let mut out = Vec::new();
                for ((_, c), (w, xv)) in children.iter().zip(weights.iter().zip(&x)) {
                    let inner = c.contributions(method, used_shapley)?;
                    let dx = xv[1] - xv[0];
                    // Both methods give a factor that did not move a weight of 0, so its leaves
                    // (whose changes cancel) get 0 too.
                    let factor = if dx == 0.0 { 0.0 } else { w / dx };
                    out.extend(inner.into_iter().map(|c| c * factor));
                }
                Ok(out)
            }
        }
    }
}

/// The value of Π xⱼ^eⱼ with factors in `after` taken from period 1, the rest from period 0.
fn mixed_product(x: &[[f64; 2]], e: &[i32], after: u32) -> f64 {
    x.iter().zip(e).enumerate().fold(1.0, |y, (j, (v, &ej))| {
        let xv = v[usize::from((after >> j) & 1 == 1)];
        if ej < 0 { y / xv } else { y * xv }
    })
}

fn lmdi(x: &[[f64; 2]], e: &[i32]) -> Vec<f64> {
    let y0 = mixed_product(x, e, 0);
    let y1 = mixed_product(x, e, (1u32 << x.len()) - 1);
    let l = if y1 == y0 {
        y0
    } else {
        (y1 - y0) / (y1 / y0).ln()
    };
    x.iter()
        .zip(e)
        .map(|(v, &ej)| l * f64::from(ej) * (v[1] / v[0]).ln())
        .collect()
}

fn shapley(x: &[[f64; 2]], e: &[i32]) -> Result<Vec<f64>, KpiError> {
    let n = x.len();
    if n > 20 {
        return Err(KpiError::IncompatibleOptions {
            reason: format!("Shapley attribution over {n} factors of one node (at most 20)"),
        });
    }
    // w(|S|) = |S|!(n − |S| − 1)!/n!
    let mut fact = vec![1.0_f64; n + 1];
    for i in 1..=n {
        fact[i] = fact[i - 1] * i as f64;
    }
    let values: Vec<f64> = (0..1u32 << n).map(|s| mixed_product(x, e, s)).collect();
    Ok((0..n)
        .map(|j| {
            (0..1u32 << n)
                .filter(|s| (s >> j) & 1 == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    fact[k] * fact[n - k - 1] / fact[n]
                        * (values[(s | 1 << j) as usize] - values[s as usize])
                })
                .sum()
        })
        .collect())
}
