//! Post-stratification: a treatment effect estimated within strata (platform, country, new vs
//! returning) and combined with the strata's shares of the experiment, which removes the
//! between-strata variance from the estimate without any pre-period data.
//!
//! The estimator is eq. 15 of Xie and Aurisset (2016, "Improving the sensitivity of online
//! controlled experiments: case studies at Netflix", KDD), the post-stratified estimator of
//! Miratrix, Sekhon and Yu (2013): with n_k units in stratum k out of n and weights
//! w_k = n_k/n, each arm's mean is μ̂ = Σ_k w_k x̄_k and the variance of that mean, given the
//! stratum counts, is Σ_k w_k² s²_k/n_k. The effect (absolute or, by the delta method,
//! relative) then goes through the same code path as every other comparison. gbstats 0.8.0
//! has no post-stratification, so the tests check this against the fully interacted OLS
//! regression of Lin (2013) with HC2 standard errors, which gives the same estimate and
//! variance.

use std::ops::Add;

use serde::{Deserialize, Serialize};

use crate::ExperimentError;
use crate::error::invalid_input;
use crate::frequentist::{Analysis, TestOutcome};
use crate::moments::{ArmMoments, Metric};

/// One stratum's sufficient statistics in each arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stratum<T> {
    /// The stratum's name (used in errors and in [`PostStratifiedOutcome::merged_strata`]).
    pub name: String,
    /// Control's statistics within the stratum.
    pub control: T,
    /// Treatment's statistics within the stratum.
    pub treatment: T,
}

impl<T> Stratum<T> {
    /// A stratum from its parts.
    pub fn new(name: impl Into<String>, control: T, treatment: T) -> Stratum<T> {
        Stratum {
            name: name.into(),
            control,
            treatment,
        }
    }
}

/// The post-stratified comparison, with the unstratified one beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PostStratifiedOutcome {
    /// The post-stratified comparison.
    pub adjusted: TestOutcome,
    /// The same comparison on the strata pooled (no stratification).
    pub unadjusted: TestOutcome,
    /// 1 − Var(adjusted estimate) / Var(unadjusted estimate). Can be negative: with tiny or
    /// irrelevant strata, stratifying can cost precision.
    pub variance_reduction: f64,
    /// The strata analysed, with their weights n_k/n, after merging non-viable strata.
    pub weights: Vec<(String, f64)>,
    /// Strata that could not be analysed on their own (an arm with fewer than 2 units or no
    /// variance) and were merged, as described at [`Analysis::post_stratified`].
    pub merged_strata: Vec<String>,
}

/// Name given to the stratum formed from non-viable strata.
fn viable<T: Metric>(s: &Stratum<T>) -> bool {
    s.control.moments("control").is_ok() && s.treatment.moments("treatment").is_ok()
}

fn add_stratum<T: Clone + Add<Output = T>>(
    a: &Stratum<T>,
    b: &Stratum<T>,
    name: &str,
) -> Stratum<T> {
    Stratum::new(
        name,
        a.control.clone() + b.control.clone(),
        a.treatment.clone() + b.treatment.clone(),
    )
}

impl Analysis {
    /// The post-stratified comparison of treatment with control over `strata`, with the
    /// analysis' alternative, scale, test of means and α.
    ///
    /// Each arm is reduced to μ̂ = Σ_k w_k x̄_k with w_k = n_k/n (n_k both arms' units in
    /// stratum k) and variance Σ_k w_k² s²_k/n_k; Welch degrees of freedom, when the test
    /// uses them, come from these two arm variances. A relative effect divides by the
    /// post-stratified control mean.
    ///
    /// A stratum in which an arm has fewer than 2 units or no variance cannot be analysed on
    /// its own. Such strata are merged into the largest viable stratum (by units in both
    /// arms), as gbstats' post-stratification merges cells with an empty arm; with no viable
    /// stratum the result is the unstratified comparison. No unit is dropped.
    ///
    /// # Errors
    ///
    /// [`ExperimentError::InvalidInput`] for no strata; otherwise as [`Analysis::compare`]
    /// (for instance when even all strata pooled have no variance).
    ///
    /// # Examples
    ///
    /// ```
    /// use prodops_experiment::{Analysis, MeanStats, Stratum};
    ///
    /// let strata = [
    ///     Stratum::new(
    ///         "desktop",
    ///         MeanStats::from_values(&[20.0, 22.0, 19.0, 21.0])?,
    ///         MeanStats::from_values(&[21.0, 23.0, 20.5, 22.0])?,
    ///     ),
    ///     Stratum::new(
    ///         "mobile",
    ///         MeanStats::from_values(&[8.0, 9.0, 7.5, 8.5])?,
    ///         MeanStats::from_values(&[9.0, 9.5, 8.0, 9.5])?,
    ///     ),
    /// ];
    /// let out = Analysis::default().post_stratified(&strata)?;
    /// assert!(out.adjusted.std_error < out.unadjusted.std_error);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn post_stratified<T>(
        &self,
        strata: &[Stratum<T>],
    ) -> Result<PostStratifiedOutcome, ExperimentError>
    where
        T: Metric + Clone + Add<Output = T>,
    {
        let Some(first) = strata.first() else {
            return Err(invalid_input(
                "strata",
                "post-stratification needs at least one stratum",
            ));
        };
        let total = strata[1..]
            .iter()
            .fold(first.clone(), |acc, s| add_stratum(&acc, s, "all"));
        let unadjusted = self.compare(&total.control, &total.treatment)?;

        let (mut kept, rest): (Vec<Stratum<T>>, Vec<&Stratum<T>>) = (
            strata.iter().filter(|s| viable(*s)).cloned().collect(),
            strata.iter().filter(|s| !viable(*s)).collect(),
        );
        let merged_strata: Vec<String> = rest.iter().map(|s| s.name.clone()).collect();
        let size = |s: &Stratum<T>| -> u64 {
            s.control.moments("control").map_or(0, |m| m.n)
                + s.treatment.moments("treatment").map_or(0, |m| m.n)
        };
        // The first of the largest, so ties go to the stratum given first.
        let largest = kept
            .iter()
            .enumerate()
            .max_by_key(|&(i, s)| (size(s), std::cmp::Reverse(i)))
            .map(|(i, _)| i);
        match largest {
            Some(largest) => {
                let name = kept[largest].name.clone();
                for s in &rest {
                    kept[largest] = add_stratum(&kept[largest], s, &name);
                }
            }
            // No viable stratum: the analysis is the unstratified one (or its error).
            None => kept.push(total),
        }

        let moments = kept
            .iter()
            .map(|s| {
                let at = |arm: &str| format!("{arm} in stratum {:?}", s.name);
                Ok((
                    s.control.moments(&at("control"))?,
                    s.treatment.moments(&at("treatment"))?,
                ))
            })
            .collect::<Result<Vec<(ArmMoments, ArmMoments)>, ExperimentError>>()?;
        let n: u64 = moments.iter().map(|(a, b)| a.n + b.n).sum();
        let weights: Vec<f64> = moments
            .iter()
            .map(|(a, b)| (a.n + b.n) as f64 / n as f64)
            .collect();
        let arm = |name: &str, pick: fn(&(ArmMoments, ArmMoments)) -> &ArmMoments| {
            let units: u64 = moments.iter().map(|m| pick(m).n).sum();
            let (mean, var_of_mean) =
                moments
                    .iter()
                    .zip(&weights)
                    .fold((0.0, 0.0), |(mean, var), (m, w)| {
                        let m = pick(m);
                        (mean + w * m.mean, var + w * w * m.variance_of_mean())
                    });
            ArmMoments::new(name, units, mean, var_of_mean * units as f64)
        };
        let a = arm("control", |m| &m.0)?;
        let b = arm("treatment", |m| &m.1)?;
        let adjusted = self.compare_moments(&a, &b)?;
        let variance_reduction = 1.0 - (adjusted.std_error / unadjusted.std_error).powi(2);
        Ok(PostStratifiedOutcome {
            adjusted,
            unadjusted,
            variance_reduction,
            weights: kept.iter().map(|s| s.name.clone()).zip(weights).collect(),
            merged_strata,
        })
    }
}
