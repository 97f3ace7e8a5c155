//! Seasonality-aware detection (feature `stl`): STL (Cleveland et al. 1990, through `stlrs`)
//! removes the weekly or daily cycle and the trend, and a detector judges what is left.

use serde::{Deserialize, Serialize};
use stlrs::StlParams;

use super::{Detection, Detector, GeneralizedEsd, check_finite, median, need, num};
use crate::KpiError;
use crate::error::invalid_input;

/// Seasonal and trend components of a series by robust STL.
fn decompose(
    series: &[f64],
    period: usize,
    seasonal_length: Option<usize>,
) -> Result<(Vec<f64>, Vec<f64>), KpiError> {
    if period < 2 {
        return Err(invalid_input(
            "STL period",
            format!("must be at least 2, got {period}"),
        ));
    }
    need(series, 2 * period)?;
    let mut params = StlParams::new();
    params.robust(true);
    if let Some(ns) = seasonal_length {
        params.seasonal_length(ns);
    }
    let fit = params
        .fit(series, period)
        .map_err(|e| invalid_input("STL decomposition", e.to_string()))?;
    Ok((fit.seasonal().to_vec(), fit.trend().to_vec()))
}

/// The robust STL remainder x − seasonal − trend of a series.
///
/// # Errors
///
/// [`KpiError::InvalidInput`] for a non-finite value or a period under 2;
/// [`KpiError::InsufficientHistory`] for fewer than two periods.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::stl_residuals;
///
/// let series: Vec<f64> = (0..28).map(|i| [10.0, 12.0, 14.0, 12.0, 10.0, 5.0, 5.0][i % 7]).collect();
/// let r = stl_residuals(&series, 7)?;
/// assert!(r.iter().all(|x| x.abs() < 1e-6)); // a pure weekly cycle leaves nothing
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stl_residuals(series: &[f64], period: usize) -> Result<Vec<f64>, KpiError> {
    check_finite(series)?;
    let (s, t) = decompose(series, period, None)?;
    Ok(series
        .iter()
        .zip(s.iter().zip(&t))
        .map(|(x, (s, t))| x - s - t)
        .collect())
}

/// Any detector run on the robust STL remainder, so a Monday peak is not an anomaly but a
/// Monday that misses its peak is. Detections carry the original value; the reason says what
/// the season and trend expected.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Detector, Rolling, StlResidual};
///
/// let mut series: Vec<f64> = (0..56).map(|i| [100.0, 120.0, 140.0, 120.0, 100.0, 50.0, 50.0][i % 7]).collect();
/// series[50] += 60.0; // a spike on a Tuesday
/// let detector = StlResidual::new(Rolling::modified_z().window(14).build()?, 7)?;
/// let found = detector.anomalies(&series)?;
/// assert!(found.iter().any(|d| d.index == 50));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StlResidual<D> {
    inner: D,
    period: usize,
    seasonal_length: Option<usize>,
}

impl<D: Detector> StlResidual<D> {
    /// Wraps `inner` with a seasonal period (7 for daily data with a weekly cycle).
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a period under 2.
    pub fn new(inner: D, period: usize) -> Result<Self, KpiError> {
        if period < 2 {
            return Err(invalid_input(
                "STL period",
                format!("must be at least 2, got {period}"),
            ));
        }
        Ok(StlResidual {
            inner,
            period,
            seasonal_length: None,
        })
    }

    /// The seasonal smoother's length (odd, ≥ 7 recommended; `stlrs` default: the period).
    pub fn seasonal_length(mut self, length: usize) -> Self {
        self.seasonal_length = Some(length);
        self
    }
}

impl<D: Detector> Detector for StlResidual<D> {
    /// Decomposes, runs the inner detector on the remainder, and maps back.
    ///
    /// # Errors
    ///
    /// As [`stl_residuals`], and whatever the inner detector returns on the remainder.
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        check_finite(series)?;
        let (s, t) = decompose(series, self.period, self.seasonal_length)?;
        let remainder: Vec<f64> = series
            .iter()
            .zip(s.iter().zip(&t))
            .map(|(x, (s, t))| x - s - t)
            .collect();
        let mut out = self.inner.detect(&remainder)?;
        for d in &mut out {
            let i = d.index;
            d.reason = format!(
                "value {} vs {} expected (trend {} + seasonal {}), remainder {}: {}",
                num(series[i]),
                num(s[i] + t[i]),
                num(t[i]),
                num(s[i]),
                num(remainder[i]),
                d.reason
            );
            d.value = series[i];
            d.baseline += s[i] + t[i];
        }
        Ok(out)
    }
}

/// Seasonal Hybrid ESD (Vallis, Hochenbaum and Kejariwal 2014): the residual
/// x − seasonal − median(x), with the seasonal component from a robust STL whose seasonal
/// smoother is "periodic" (length 10n + 1, degree 0, as R's `stl(s.window = "periodic")`),
/// tested by the hybrid (median/MAD) generalized ESD. Defaults α = 0.05, max_anoms = 0.10,
/// both directions.
///
/// # Examples
///
/// ```
/// use prodops_kpi::monitor::{Detector, SeasonalHybridEsd};
///
/// let mut series: Vec<f64> = (0..56)
///     .map(|i| [100.0, 120.0, 140.0, 120.0, 100.0, 50.0, 50.0][i % 7] + (i % 3) as f64)
///     .collect();
/// series[30] -= 70.0;
/// let found = SeasonalHybridEsd::builder(7).build()?.anomalies(&series)?;
/// assert_eq!(found.iter().map(|d| d.index).collect::<Vec<_>>(), vec![30]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonalHybridEsd {
    period: usize,
    esd: GeneralizedEsd,
}

/// Builds a [`SeasonalHybridEsd`]; validation happens in [`SeasonalHybridEsdBuilder::build`].
#[derive(Debug, Clone)]
pub struct SeasonalHybridEsdBuilder {
    period: usize,
    esd: super::GeneralizedEsdBuilder,
}

impl SeasonalHybridEsd {
    /// S-H-ESD with the seasonal period (7 for daily data with a weekly cycle).
    pub fn builder(period: usize) -> SeasonalHybridEsdBuilder {
        SeasonalHybridEsdBuilder {
            period,
            esd: GeneralizedEsd::builder().hybrid(true),
        }
    }

    /// The residuals the ESD test sees: x − seasonal − median(x).
    ///
    /// # Errors
    ///
    /// As [`stl_residuals`].
    pub fn residuals(&self, series: &[f64]) -> Result<Vec<f64>, KpiError> {
        check_finite(series)?;
        need(series, 1)?;
        let periodic = 10 * series.len() + 1;
        let (s, _) = decompose(series, self.period, Some(periodic))?;
        let m = median(series);
        Ok(series.iter().zip(&s).map(|(x, s)| x - s - m).collect())
    }
}

impl SeasonalHybridEsdBuilder {
    /// The significance level α.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.esd = self.esd.alpha(alpha);
        self
    }

    /// The largest share of anomalous points.
    pub fn max_anoms(mut self, share: f64) -> Self {
        self.esd = self.esd.max_anoms(share);
        self
    }

    /// Which side may fire.
    pub fn direction(mut self, direction: super::Direction) -> Self {
        self.esd = self.esd.direction(direction);
        self
    }

    /// Validates the settings.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a period under 2 or invalid ESD settings.
    pub fn build(self) -> Result<SeasonalHybridEsd, KpiError> {
        if self.period < 2 {
            return Err(invalid_input(
                "S-H-ESD period",
                format!("must be at least 2, got {}", self.period),
            ));
        }
        Ok(SeasonalHybridEsd {
            period: self.period,
            esd: self.esd.build()?,
        })
    }
}

impl Detector for SeasonalHybridEsd {
    /// Tests the residuals; detections carry the original values.
    ///
    /// # Errors
    ///
    /// As [`SeasonalHybridEsd::residuals`] and [`GeneralizedEsd`].
    fn detect(&self, series: &[f64]) -> Result<Vec<Detection>, KpiError> {
        let residuals = self.residuals(series)?;
        let mut out = self.esd.detect(&residuals)?;
        for d in &mut out {
            let i = d.index;
            d.reason = format!(
                "value {}, residual {} after the seasonal component and the median: {}",
                num(series[i]),
                num(residuals[i]),
                d.reason
            );
            d.value = series[i];
        }
        Ok(out)
    }
}
