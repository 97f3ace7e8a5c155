//! Rated scales: the range of answers, the bucket map and the headline reducer.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::KpiError;
use crate::error::invalid_input;

/// The widest scale accepted, in points. Counts are stored densely per scale point, so the
/// bound keeps a malformed range from allocating without limit.
pub const MAX_SCALE_POINTS: i32 = 101;

/// The number a scale reduces to in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reducer {
    /// Share in the top bucket minus share in the bottom bucket, ×100 (NPS).
    Net,
    /// Share in the top bucket, in percent (CSAT top-2-box, CES "% agree").
    TopBox,
    /// The mean answer, in scale units (CES).
    Mean,
}

/// The bucket of one answer on a [`RatedScale`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// At or below the bottom-box threshold (NPS detractors, 0–6).
    Bottom,
    /// Between the two boxes (NPS passives, 7–8).
    Middle,
    /// At or above the top-box threshold (NPS promoters, 9–10).
    Top,
}

/// A validated rated-scale question: the integer answers `min..=max`, the top box (answers
/// `>= top_min`), an optional bottom box (answers `<= bottom_max`) and the [`Reducer`] that
/// gives its headline number.
///
/// A scale is a declaration, not an inference: a 0–10 question built with
/// [`RatedScale::builder`] reduces to its mean unless it is declared as [`Reducer::Net`] or
/// built with [`RatedScale::nps`], so an arbitrary 0–10 rating is never reported as NPS by
/// accident.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{Bucket, RatedScale, Reducer};
///
/// let nps = RatedScale::nps();
/// assert_eq!(nps.bucket(9)?, Bucket::Top);
/// assert_eq!(nps.bucket(7)?, Bucket::Middle);
/// assert_eq!(nps.bucket(6)?, Bucket::Bottom);
/// assert!(nps.bucket(11).is_err());
///
/// // A 1–7 CSAT question whose top box is 6–7.
/// let csat7 = RatedScale::csat(7, 6)?;
/// assert_eq!((csat7.min(), csat7.max(), csat7.top_min()), (1, 7, 6));
///
/// // A 0–10 "how likely are you to renew" question: not NPS unless declared.
/// let renew = RatedScale::builder(0, 10).top_box(9).build()?;
/// assert_eq!(renew.reducer(), Reducer::Mean);
/// assert!(!renew.is_nps());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RatedScale {
    min: i32,
    max: i32,
    top_min: i32,
    bottom_max: Option<i32>,
    reducer: Reducer,
}

impl RatedScale {
    /// The Net Promoter question: 0–10, promoters 9–10, passives 7–8, detractors 0–6, reduced
    /// to the net score.
    pub fn nps() -> RatedScale {
        RatedScale {
            min: 0,
            max: 10,
            top_min: 9,
            bottom_max: Some(6),
            reducer: Reducer::Net,
        }
    }

    /// CSAT on 1–5: top-2-box (4–5) share, bottom box 1–2.
    pub fn csat_5() -> RatedScale {
        RatedScale {
            min: 1,
            max: 5,
            top_min: 4,
            bottom_max: Some(2),
            reducer: Reducer::TopBox,
        }
    }

    /// CSAT on `1..=points` with a top box of `top_min..=points`, for the 1–3, 1–7 and 1–10
    /// variants (for example `csat(7, 6)` or `csat(10, 9)`). No bottom box is declared.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] unless `points` is 3, 5, 7 or 10 and `1 < top_min <= points`.
    pub fn csat(points: i32, top_min: i32) -> Result<RatedScale, KpiError> {
        if ![3, 5, 7, 10].contains(&points) {
            return Err(invalid_input(
                "CSAT scale",
                format!("expected 3, 5, 7 or 10 points, got {points}"),
            ));
        }
        RatedScale::builder(1, points)
            .top_box(top_min)
            .reducer(Reducer::TopBox)
            .build()
    }

    /// CES on 1–7 ("the company made it easy..."): reduced to the mean; "% agree" is the top-3
    /// box 5–7.
    pub fn ces_7() -> RatedScale {
        RatedScale {
            min: 1,
            max: 7,
            top_min: 5,
            bottom_max: None,
            reducer: Reducer::Mean,
        }
    }

    /// CES on 1–5: reduced to the mean; "% agree" is the top-2 box 4–5.
    pub fn ces_5() -> RatedScale {
        RatedScale {
            min: 1,
            max: 5,
            top_min: 4,
            bottom_max: None,
            reducer: Reducer::Mean,
        }
    }

    /// A builder for any other scale on the integers `min..=max`. Without further settings
    /// the top box is the maximum alone, there is no bottom box and the reducer is the mean.
    pub fn builder(min: i32, max: i32) -> RatedScaleBuilder {
        RatedScaleBuilder {
            min,
            max,
            top_min: None,
            bottom_max: None,
            reducer: Reducer::Mean,
        }
    }

    /// The lowest answer.
    pub fn min(&self) -> i32 {
        self.min
    }

    /// The highest answer.
    pub fn max(&self) -> i32 {
        self.max
    }

    /// The lowest answer in the top box.
    pub fn top_min(&self) -> i32 {
        self.top_min
    }

    /// The highest answer in the bottom box, if the scale has one.
    pub fn bottom_max(&self) -> Option<i32> {
        self.bottom_max
    }

    /// The headline reducer.
    pub fn reducer(&self) -> Reducer {
        self.reducer
    }

    /// The number of scale points, `max − min + 1`.
    pub fn points(&self) -> usize {
        // Validated: 2 <= max − min + 1 <= MAX_SCALE_POINTS.
        (self.max - self.min + 1).unsigned_abs() as usize
    }

    /// Whether this is exactly the declared NPS question of [`RatedScale::nps`].
    pub fn is_nps(&self) -> bool {
        *self == RatedScale::nps()
    }

    /// Whether `value` is an answer on this scale.
    pub fn contains(&self, value: i32) -> bool {
        (self.min..=self.max).contains(&value)
    }

    /// The bucket of an answer.
    ///
    /// # Errors
    ///
    /// [`KpiError::ScoreOutOfRange`] (with row 0) when `value` is off the scale.
    pub fn bucket(&self, value: i32) -> Result<Bucket, KpiError> {
        if !self.contains(value) {
            return Err(self.out_of_range(0, f64::from(value)));
        }
        Ok(self.bucket_of_valid(value))
    }

    pub(crate) fn bucket_of_valid(&self, value: i32) -> Bucket {
        if value >= self.top_min {
            Bucket::Top
        } else if self.bottom_max.is_some_and(|b| value <= b) {
            Bucket::Bottom
        } else {
            Bucket::Middle
        }
    }

    /// Validates a raw answer: it must be an integer in `min..=max`. `row` is where it was
    /// found, for the error.
    pub(crate) fn check_score(&self, row: u64, score: f64) -> Result<i32, KpiError> {
        if score.is_finite()
            && score.fract() == 0.0
            && score >= f64::from(self.min)
            && score <= f64::from(self.max)
        {
            // In range of i32 by the comparison above.
            Ok(score as i32)
        } else {
            Err(self.out_of_range(row, score))
        }
    }

    pub(crate) fn out_of_range(&self, row: u64, value: f64) -> KpiError {
        KpiError::ScoreOutOfRange {
            row,
            value,
            min: self.min,
            max: self.max,
        }
    }

    /// The zero-based slot of a valid answer in dense per-point storage.
    pub(crate) fn slot(&self, value: i32) -> usize {
        (value - self.min).unsigned_abs() as usize
    }

    /// The answer stored in a slot.
    pub(crate) fn value_of_slot(&self, slot: usize) -> i32 {
        // slot < points <= MAX_SCALE_POINTS, so it fits in i32.
        self.min + slot as i32
    }

    pub(crate) fn require_net(&self, what: &str) -> Result<Option<i32>, KpiError> {
        match (self.reducer, self.bottom_max) {
            (Reducer::Net, Some(b)) => Ok(Some(b)),
            _ => Err(KpiError::IncompatibleOptions {
                reason: format!(
                    "{what} needs a scale declared with Reducer::Net (such as RatedScale::nps()), \
                     got {self}"
                ),
            }),
        }
    }
}

impl fmt::Display for RatedScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}..={} (top box >= {}",
            self.min, self.max, self.top_min
        )?;
        if let Some(b) = self.bottom_max {
            write!(f, ", bottom box <= {b}")?;
        }
        let reducer = match self.reducer {
            Reducer::Net => "net",
            Reducer::TopBox => "top-box share",
            Reducer::Mean => "mean",
        };
        write!(f, ", {reducer})")
    }
}

/// Builds a [`RatedScale`]; see [`RatedScale::builder`].
#[derive(Debug, Clone, Copy)]
pub struct RatedScaleBuilder {
    min: i32,
    max: i32,
    top_min: Option<i32>,
    bottom_max: Option<i32>,
    reducer: Reducer,
}

impl RatedScaleBuilder {
    /// Answers `>= top_min` form the top box.
    pub fn top_box(mut self, top_min: i32) -> Self {
        self.top_min = Some(top_min);
        self
    }

    /// Answers `<= bottom_max` form the bottom box.
    pub fn bottom_box(mut self, bottom_max: i32) -> Self {
        self.bottom_max = Some(bottom_max);
        self
    }

    /// The headline reducer. [`Reducer::Net`] needs a bottom box.
    pub fn reducer(mut self, reducer: Reducer) -> Self {
        self.reducer = reducer;
        self
    }

    /// Validates the scale.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] when `min >= max`, the scale has more than
    /// [`MAX_SCALE_POINTS`] points, the top box is not inside `min < top_min <= max`, or the
    /// bottom box is not inside `min <= bottom_max < top_min`; [`KpiError::IncompatibleOptions`]
    /// for [`Reducer::Net`] without a bottom box.
    pub fn build(self) -> Result<RatedScale, KpiError> {
        let RatedScaleBuilder {
            min,
            max,
            top_min,
            bottom_max,
            reducer,
        } = self;
        if min >= max {
            return Err(invalid_input(
                "scale range",
                format!("min must be below max, got {min}..={max}"),
            ));
        }
        if i64::from(max) - i64::from(min) + 1 > i64::from(MAX_SCALE_POINTS) {
            return Err(invalid_input(
                "scale range",
                format!("{min}..={max} has more than {MAX_SCALE_POINTS} points"),
            ));
        }
        let top_min = top_min.unwrap_or(max);
        if top_min <= min || top_min > max {
            return Err(invalid_input(
                "top box",
                format!(
                    "its threshold must be in {}..={max}, got {top_min}",
                    min + 1
                ),
            ));
        }
        if let Some(b) = bottom_max
            && (b < min || b >= top_min)
        {
            return Err(invalid_input(
                "bottom box",
                format!("its threshold must be in {min}..{top_min}, got {b}"),
            ));
        }
        if reducer == Reducer::Net && bottom_max.is_none() {
            return Err(KpiError::IncompatibleOptions {
                reason: "Reducer::Net needs a bottom box (the detractors)".into(),
            });
        }
        Ok(RatedScale {
            min,
            max,
            top_min,
            bottom_max,
            reducer,
        })
    }
}

/// An answer to the NPS question, validated to `0..=10`.
///
/// # Examples
///
/// ```
/// use prodops_kpi::survey::{NpsCategory, NpsScore};
///
/// assert_eq!(NpsScore::new(9)?.category(), NpsCategory::Promoter);
/// assert_eq!(NpsScore::new(8)?.category(), NpsCategory::Passive);
/// assert_eq!(NpsScore::new(0)?.category(), NpsCategory::Detractor);
/// assert!(NpsScore::new(11).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct NpsScore(u8);

/// The NPS category of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    /// 0–6.
    Detractor,
    /// 7–8.
    Passive,
    /// 9–10.
    Promoter,
}

impl NpsScore {
    /// Validates an answer.
    ///
    /// # Errors
    ///
    /// [`KpiError::ScoreOutOfRange`] (row 0) when `score > 10`.
    pub fn new(score: u8) -> Result<NpsScore, KpiError> {
        if score <= 10 {
            Ok(NpsScore(score))
        } else {
            Err(RatedScale::nps().out_of_range(0, f64::from(score)))
        }
    }

    /// The answer.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Promoter, passive or detractor.
    pub fn category(self) -> NpsCategory {
        match self.0 {
            9..=10 => NpsCategory::Promoter,
            7..=8 => NpsCategory::Passive,
            _ => NpsCategory::Detractor,
        }
    }
}

impl TryFrom<u8> for NpsScore {
    type Error = KpiError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        NpsScore::new(value)
    }
}

impl From<NpsScore> for u8 {
    fn from(s: NpsScore) -> u8 {
        s.0
    }
}
