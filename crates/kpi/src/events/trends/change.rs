//! Period-over-period change of a count or a rate, flagged significant or not.
//!
//! - A **rate** (conversion, the DAU/MAU share) is compared by the two-proportion z test of
//!   `prodops-experiment` ([`Analysis::proportions`] with the pooled standard error for the
//!   p-value, as statsmodels' `proportions_ztest`).
//! - A **count** of events is compared as two Poisson rates by the exact conditional test
//!   (Przyborski and Wilenski 1940; Gu, Ng, Tang and Schucany 2008, *Biometrical Journal*
//!   50(6), "Testing the ratio of two Poisson rates"): given the total x₁ + x₂, x₁ is
//!   Binomial(x₁ + x₂, t₁/(t₁ + t₂)) under equal rates, with t the exposures (days in each
//!   period, so a short first bucket is compared fairly). The two-sided p-value sums the
//!   probabilities no larger than the observed one, as `scipy.stats.binomtest` and
//!   statsmodels' `test_poisson_2indep(method="exact-cond")`. `prodops-experiment` has no
//!   Poisson-rate test, so it lives here.
//!
//! Counts of *distinct* persons (DAU, WAU) are neither Poisson event counts nor independent
//! proportions; no test applies and the change carries none.

use prodops_experiment::{Alpha, Analysis, ProportionSe, ProportionStats};
use statrs::distribution::{Binomial, Discrete, DiscreteCDF};

use crate::error::{KpiError, invalid_input};

/// The test behind a [`Significance`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeTest {
    /// Exact conditional (binomial) test of two Poisson rates.
    PoissonExactConditional,
    /// Two-proportion z test with the pooled standard error.
    TwoProportionZ,
}

/// The outcome of a significance test on a change.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Significance {
    /// The test used.
    pub test: ChangeTest,
    /// Two-sided p-value.
    pub p_value: f64,
    /// The level the test was run at.
    pub alpha: f64,
    /// Whether `p_value <= alpha`.
    pub significant: bool,
}

/// The change of a value from one period to the next.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PeriodChange {
    /// The earlier value (a count, or a rate in [0, 1]).
    pub previous: f64,
    /// The later value.
    pub current: f64,
    /// `current − previous`.
    pub absolute: f64,
    /// The relative change; for counts, of the exposure-adjusted rates. `None` when the
    /// previous value is zero.
    pub relative: Option<f64>,
    /// The significance test, `None` when no test applies to the measure.
    pub significance: Option<Significance>,
}

impl PeriodChange {
    /// A change with no test.
    pub(crate) fn untested(previous: f64, current: f64) -> PeriodChange {
        PeriodChange {
            previous,
            current,
            absolute: current - previous,
            relative: (previous != 0.0).then(|| current / previous - 1.0),
            significance: None,
        }
    }
}

/// The change between two event counts observed over `previous_exposure` and
/// `current_exposure` (any positive unit, such as days), tested as Poisson rates.
///
/// # Errors
///
/// [`KpiError::InvalidInput`] when an exposure is not positive and finite.
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_kpi::events::trends::count_change;
///
/// // 120 signups last week, 160 this week, seven days each.
/// let change = count_change(120, 7.0, 160, 7.0, Alpha::new(0.05)?)?;
/// assert_eq!(change.absolute, 40.0);
/// let test = change.significance.ok_or("a count is tested")?;
/// assert!(test.significant); // p ≈ 0.02
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn count_change(
    previous: u64,
    previous_exposure: f64,
    current: u64,
    current_exposure: f64,
    alpha: Alpha,
) -> Result<PeriodChange, KpiError> {
    let p_value = poisson_rate_p_value(current, current_exposure, previous, previous_exposure)?;
    let (prev, cur) = (previous as f64, current as f64);
    Ok(PeriodChange {
        previous: prev,
        current: cur,
        absolute: cur - prev,
        relative: (previous > 0)
            .then(|| (cur / current_exposure) / (prev / previous_exposure) - 1.0),
        significance: Some(Significance {
            test: ChangeTest::PoissonExactConditional,
            p_value,
            alpha: alpha.get(),
            significant: p_value <= alpha.get(),
        }),
    })
}

/// The change between two rates, `successes / n` in each period, tested by the two-proportion
/// z test (pooled standard error).
///
/// # Errors
///
/// [`KpiError::Experiment`] when a period has fewer than 2 units, successes exceed `n`, or both
/// rates are 0 or 1 (no variance to test against).
///
/// # Examples
///
/// ```
/// use prodops_experiment::Alpha;
/// use prodops_kpi::events::trends::rate_change;
///
/// // DAU/MAU share: 300 of 1 000 monthly actives, then 360 of 1 000.
/// let change = rate_change((300, 1_000), (360, 1_000), Alpha::new(0.05)?)?;
/// assert!((change.absolute - 0.06).abs() < 1e-12);
/// assert!(change.significance.ok_or("tested")?.significant);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rate_change(
    previous: (u64, u64),
    current: (u64, u64),
    alpha: Alpha,
) -> Result<PeriodChange, KpiError> {
    let control = ProportionStats::new(previous.1, previous.0)?;
    let treatment = ProportionStats::new(current.1, current.0)?;
    let outcome = Analysis::builder()
        .alpha(alpha.get())
        .build()?
        .proportions(&control, &treatment, ProportionSe::Pooled)?;
    let mut change = PeriodChange::untested(outcome.control_mean, outcome.treatment_mean);
    change.significance = Some(Significance {
        test: ChangeTest::TwoProportionZ,
        p_value: outcome.p_value,
        alpha: alpha.get(),
        significant: outcome.significant(alpha),
    });
    Ok(change)
}

/// Two-sided p-value of the exact conditional test that two Poisson counts have equal rates
/// per unit of exposure.
///
/// # Errors
///
/// [`KpiError::InvalidInput`] when an exposure is not positive and finite.
pub fn poisson_rate_p_value(
    count1: u64,
    exposure1: f64,
    count2: u64,
    exposure2: f64,
) -> Result<f64, KpiError> {
    for (name, e) in [("exposure1", exposure1), ("exposure2", exposure2)] {
        if !(e.is_finite() && e > 0.0) {
            return Err(invalid_input(name, format!("must be positive, got {e}")));
        }
    }
    let n = count1 + count2;
    if n == 0 {
        return Ok(1.0);
    }
    binomial_two_sided(count1, n, exposure1 / (exposure1 + exposure2))
}

/// The two-sided binomial test p-value by the minimum-likelihood rule (`scipy.stats.binomtest`):
/// the probability of every outcome whose probability does not exceed the observed one,
/// with the same relative tolerance 1e-7 for ties.
fn binomial_two_sided(k: u64, n: u64, p: f64) -> Result<f64, KpiError> {
    let b = Binomial::new(p, n)
        .map_err(|e| invalid_input("binomial test", format!("p = {p}, n = {n}: {e}")))?;
    let pmf = |x: i64| if x < 0 { 0.0 } else { b.pmf(x as u64) };
    let cdf = |x: i64| if x < 0 { 0.0 } else { b.cdf(x as u64) };
    let sf = |x: i64| if x < 0 { 1.0 } else { b.sf(x as u64) };
    let threshold = pmf(k as i64) * (1.0 + 1e-7);
    let mean = p * n as f64;
    let (k, n) = (k as i64, n as i64);
    let p_value = if k as f64 == mean {
        1.0
    } else if (k as f64) < mean {
        // The upper tail: the last x ≥ ⌈np⌉ whose probability is still above the observed.
        let ix = last_at_most(|x| -pmf(x), -threshold, mean.ceil() as i64, n);
        let y = n - ix + i64::from(threshold == pmf(ix));
        cdf(k) + sf(n - y)
    } else {
        let ix = last_at_most(pmf, threshold, 0, mean.floor() as i64);
        cdf(ix) + sf(k - 1)
    };
    Ok(p_value.min(1.0))
}

/// For `a` non-decreasing on `lo..=hi`, the `i` with `a(i) ≤ d < a(i + 1)` (possibly `lo − 1`).
fn last_at_most(a: impl Fn(i64) -> f64, d: f64, mut lo: i64, mut hi: i64) -> i64 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let v = a(mid);
        if v < d {
            lo = mid + 1;
        } else if v > d {
            hi = mid - 1;
        } else {
            return mid;
        }
    }
    if a(lo) <= d { lo } else { lo - 1 }
}
