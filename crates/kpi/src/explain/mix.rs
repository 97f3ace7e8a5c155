//! Mix / rate / interaction decomposition of a rate KPI across segments.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::KpiError;
use crate::error::invalid_input;

/// A segment's denominator (volume) and numerator in the base period 0 and the current
/// period 1, such as visitors and orders per platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    label: String,
    volume: [f64; 2],
    numerator: [f64; 2],
}

impl Segment {
    /// A segment from counts: `volume0` units with numerator `numerator0` in the base period,
    /// `volume1` and `numerator1` now. A volume of 0 means the segment is absent in that period.
    ///
    /// # Errors
    ///
    /// [`KpiError::InvalidInput`] for a negative or non-finite volume, a non-finite numerator,
    /// or a non-zero numerator on a zero volume.
    pub fn new(
        label: impl Into<String>,
        volume0: f64,
        numerator0: f64,
        volume1: f64,
        numerator1: f64,
    ) -> Result<Segment, KpiError> {
        let label = label.into();
        for (period, v, n) in [(0, volume0, numerator0), (1, volume1, numerator1)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid_input(
                    format!("segment {label:?} period {period} volume"),
                    format!("must be finite and ≥ 0, got {v}"),
                ));
            }
            if !n.is_finite() {
                return Err(invalid_input(
                    format!("segment {label:?} period {period} numerator"),
                    format!("must be finite, got {n}"),
                ));
            }
            if v == 0.0 && n != 0.0 {
                return Err(invalid_input(
                    format!("segment {label:?} period {period}"),
                    format!("numerator {n} on a volume of 0"),
                ));
            }
        }
        Ok(Segment {
            label,
            volume: [volume0, volume1],
            numerator: [numerator0, numerator1],
        })
    }

    /// A segment from volumes and rates; the numerator is volume × rate.
    ///
    /// # Errors
    ///
    /// As [`Segment::new`], and for a non-finite rate.
    pub fn from_rates(
        label: impl Into<String>,
        volume0: f64,
        rate0: f64,
        volume1: f64,
        rate1: f64,
    ) -> Result<Segment, KpiError> {
        let label = label.into();
        for (period, r) in [(0, rate0), (1, rate1)] {
            if !r.is_finite() {
                return Err(invalid_input(
                    format!("segment {label:?} period {period} rate"),
                    format!("must be finite, got {r}"),
                ));
            }
        }
        Segment::new(label, volume0, volume0 * rate0, volume1, volume1 * rate1)
    }

    /// The segment's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Volumes in periods 0 and 1.
    pub fn volume(&self) -> [f64; 2] {
        self.volume
    }

    /// Numerators in periods 0 and 1.
    pub fn numerator(&self) -> [f64; 2] {
        self.numerator
    }
}

/// A period of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// The base period 0.
    Before,
    /// The current period 1.
    After,
}

/// What a [`Decomposer`] sees of one segment: shares and rates in both periods and the overall
/// rates. For a segment absent in one period, the missing rate is set to the other period's,
/// so every method books it as pure mix.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct SegmentInputs {
    /// sᵢ⁰, sᵢ¹: shares of the total volume.
    pub share: [f64; 2],
    /// rᵢ⁰, rᵢ¹.
    pub rate: [f64; 2],
    /// R⁰, R¹.
    pub total_rate: [f64; 2],
}

/// One segment's part of the change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Effects {
    /// From the segment's share moving.
    pub mix: f64,
    /// From the segment's rate moving.
    pub rate: f64,
    /// From both moving together (zero for symmetric methods).
    pub interaction: f64,
}

impl Effects {
    /// The three effects.
    pub fn new(mix: f64, rate: f64, interaction: f64) -> Effects {
        Effects {
            mix,
            rate,
            interaction,
        }
    }

    fn total(&self) -> f64 {
        self.mix + self.rate + self.interaction
    }
}

/// A segment's row in a [`Decomposition`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SegmentEffect {
    /// The segment.
    pub label: String,
    /// sᵢ⁰, sᵢ¹.
    pub share: [f64; 2],
    /// rᵢ⁰, rᵢ¹, `None` in a period where the segment is absent.
    pub rate: [Option<f64>; 2],
    /// The segment's effects; they sum over segments to the totals.
    pub effects: Effects,
    /// The period in which the segment has no volume, if any (then all of it is mix).
    pub absent_in: Option<Period>,
}

/// A rate KPI's change split into mix, rate and interaction, overall and per segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decomposition {
    /// The method's name.
    pub method: String,
    /// R⁰, R¹.
    pub total_rate: [f64; 2],
    /// ΔR = R¹ − R⁰.
    pub change: f64,
    /// Σ mix effects.
    pub mix: f64,
    /// Σ rate effects.
    pub rate: f64,
    /// Σ interaction effects.
    pub interaction: f64,
    /// V⁰, V¹.
    pub volume: [f64; 2],
    /// T⁰ = V⁰R⁰, T¹ = V¹R¹ (the numerator totals).
    pub total: [f64; 2],
    /// ΔV·R⁰: the part of ΔT from the volume alone.
    pub volume_effect: f64,
    /// V¹·ΔR: the part of ΔT from the rate KPI's change.
    pub rate_change_effect: f64,
    /// Per segment, in input order.
    pub segments: Vec<SegmentEffect>,
}

/// A decomposition method. Implement [`Decomposer::effects`] (one segment's effects from its
/// shares and rates); [`Decomposer::decompose`] validates, handles absent segments, sums, adds
/// the volume split, and checks the effects add up to ΔR.
///
/// # Examples
///
/// A custom method: Laspeyres with the interaction folded into the rate effect.
///
/// ```
/// use prodops_kpi::explain::{Decomposer, Effects, Laspeyres, Segment, SegmentInputs};
///
/// struct RateAbsorbs;
/// impl Decomposer for RateAbsorbs {
///     fn name(&self) -> &str { "laspeyres, interaction in rate" }
///     fn effects(&self, s: &SegmentInputs) -> Effects {
///         let e = Laspeyres.effects(s);
///         Effects::new(e.mix, e.rate + e.interaction, 0.0)
///     }
/// }
/// let d = RateAbsorbs.decompose(&[
///     Segment::new("a", 100.0, 10.0, 100.0, 20.0)?,
///     Segment::new("b", 100.0, 30.0, 300.0, 60.0)?,
/// ])?;
/// assert!((d.mix + d.rate - d.change).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Decomposer {
    /// The method's name, for reports.
    fn name(&self) -> &str;

    /// One segment's effects. Summed over segments they must equal R¹ − R⁰.
    fn effects(&self, segment: &SegmentInputs) -> Effects;

    /// Decomposes the change of R = ΣN/ΣV across `segments`.
    ///
    /// # Errors
    ///
    /// [`KpiError::EmptySample`] for no segments; [`KpiError::ZeroBaseline`] when a period's
    /// total volume is 0; [`KpiError::InvalidInput`] for a duplicated label, or when the
    /// method's effects do not sum to ΔR (a faulty custom method).
    fn decompose(&self, segments: &[Segment]) -> Result<Decomposition, KpiError> {
        decompose_with(self, segments)
    }
}

impl<D: Decomposer + ?Sized> Decomposer for &D {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn effects(&self, segment: &SegmentInputs) -> Effects {
        (**self).effects(segment)
    }
}

impl<D: Decomposer + ?Sized> Decomposer for Box<D> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn effects(&self, segment: &SegmentInputs) -> Effects {
        (**self).effects(segment)
    }
}

/// Base-period weights: rate Σ sᵢ⁰Δrᵢ, mix Σ Δsᵢ(rᵢ⁰ − R⁰), interaction Σ ΔsᵢΔrᵢ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Laspeyres;

/// Current-period weights: rate Σ sᵢ¹Δrᵢ, mix Σ Δsᵢ(rᵢ¹ − R¹), interaction −Σ ΔsᵢΔrᵢ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paasche;

/// The Shapley split (the mean of Laspeyres and Paasche): rate Σ s̄ᵢΔrᵢ,
/// mix Σ Δsᵢ(r̄ᵢ − R̄), no interaction; swapping the periods negates every term.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shapley;

impl Decomposer for Laspeyres {
    fn name(&self) -> &str {
        "laspeyres"
    }
    fn effects(&self, s: &SegmentInputs) -> Effects {
        let ds = s.share[1] - s.share[0];
        let dr = s.rate[1] - s.rate[0];
        Effects::new(ds * (s.rate[0] - s.total_rate[0]), s.share[0] * dr, ds * dr)
    }
}

impl Decomposer for Paasche {
    fn name(&self) -> &str {
        "paasche"
    }
    fn effects(&self, s: &SegmentInputs) -> Effects {
        let ds = s.share[1] - s.share[0];
        let dr = s.rate[1] - s.rate[0];
        Effects::new(
            ds * (s.rate[1] - s.total_rate[1]),
            s.share[1] * dr,
            -ds * dr,
        )
    }
}

impl Decomposer for Shapley {
    fn name(&self) -> &str {
        "shapley"
    }
    fn effects(&self, s: &SegmentInputs) -> Effects {
        let ds = s.share[1] - s.share[0];
        let dr = s.rate[1] - s.rate[0];
        let s_bar = (s.share[0] + s.share[1]) / 2.0;
        let r_bar = (s.rate[0] + s.rate[1]) / 2.0;
        let total_bar = (s.total_rate[0] + s.total_rate[1]) / 2.0;
        Effects::new(ds * (r_bar - total_bar), s_bar * dr, 0.0)
    }
}

fn decompose_with<D: Decomposer + ?Sized>(
    method: &D,
    segments: &[Segment],
) -> Result<Decomposition, KpiError> {
    if segments.is_empty() {
        return Err(KpiError::EmptySample {
            what: "decomposition: no segments".into(),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for s in segments {
        if !seen.insert(s.label.as_str()) {
            return Err(invalid_input(
                "segments",
                format!("label {:?} appears twice", s.label),
            ));
        }
    }
    let mut volume = [0.0; 2];
    let mut total = [0.0; 2];
    for s in segments {
        for p in 0..2 {
            volume[p] += s.volume[p];
            total[p] += s.numerator[p];
        }
    }
    for (p, name) in [(0, "base"), (1, "current")] {
        if volume[p] == 0.0 {
            return Err(KpiError::ZeroBaseline {
                what: format!("the total volume of the {name} period is 0"),
            });
        }
    }
    let total_rate = [total[0] / volume[0], total[1] / volume[1]];
    let change = total_rate[1] - total_rate[0];
    let mut sums = Effects::default();
    let mut rows = Vec::with_capacity(segments.len());
    for s in segments {
        let share = [s.volume[0] / volume[0], s.volume[1] / volume[1]];
        let rate = [
            (s.volume[0] > 0.0).then(|| s.numerator[0] / s.volume[0]),
            (s.volume[1] > 0.0).then(|| s.numerator[1] / s.volume[1]),
        ];
        let (absent_in, filled) = match rate {
            [Some(a), Some(b)] => (None, [a, b]),
            [None, Some(b)] => (Some(Period::Before), [b, b]),
            [Some(a), None] => (Some(Period::After), [a, a]),
            // Absent in both periods: no share, no rate, no effect.
            [None, None] => (None, [0.0, 0.0]),
        };
        let effects = method.effects(&SegmentInputs {
            share,
            rate: filled,
            total_rate,
        });
        sums.mix += effects.mix;
        sums.rate += effects.rate;
        sums.interaction += effects.interaction;
        rows.push(SegmentEffect {
            label: s.label.clone(),
            share,
            rate,
            effects,
            absent_in,
        });
    }
    let scale = total_rate[0].abs().max(total_rate[1].abs()).max(1.0);
    if !sums.total().is_finite() || (sums.total() - change).abs() > 1e-9 * scale {
        return Err(invalid_input(
            format!("decomposer {:?}", method.name()),
            format!(
                "effects sum to {}, not to the change {change}",
                sums.total()
            ),
        ));
    }
    Ok(Decomposition {
        method: method.name().to_owned(),
        total_rate,
        change,
        mix: sums.mix,
        rate: sums.rate,
        interaction: sums.interaction,
        volume,
        total,
        volume_effect: (volume[1] - volume[0]) * total_rate[0],
        rate_change_effect: volume[1] * change,
        segments: rows,
    })
}

/// A row keyed by several dimensions, for [`sequential`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiSegment {
    keys: BTreeMap<String, String>,
    volume: [f64; 2],
    numerator: [f64; 2],
}

impl MultiSegment {
    /// A row: its value on each dimension, such as `[("platform", "ios"), ("country", "FR")]`,
    /// and its counts as in [`Segment::new`].
    ///
    /// # Errors
    ///
    /// As [`Segment::new`].
    pub fn new<K: Into<String>, V: Into<String>>(
        keys: impl IntoIterator<Item = (K, V)>,
        volume0: f64,
        numerator0: f64,
        volume1: f64,
        numerator1: f64,
    ) -> Result<MultiSegment, KpiError> {
        let keys: BTreeMap<String, String> = keys
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let label = keys
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let checked = Segment::new(label, volume0, numerator0, volume1, numerator1)?;
        Ok(MultiSegment {
            keys,
            volume: checked.volume,
            numerator: checked.numerator,
        })
    }
}

/// The result of [`sequential`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SequentialDecomposition {
    /// The dimensions, in the order they were taken.
    pub order: Vec<String>,
    /// The mix effect each dimension adds to the ones before it, in `order`.
    pub mix: Vec<f64>,
    /// The rate effect within the finest cells.
    pub rate: f64,
    /// The interaction within the finest cells (zero for Shapley).
    pub interaction: f64,
    /// ΔR; equals Σ mix + rate + interaction.
    pub change: f64,
    /// The decomposition at each prefix of `order` (by the first dimension, the first two, ...).
    pub steps: Vec<Decomposition>,
}

/// Decomposes a rate change across several dimensions in a stated order.
///
/// Mix effects computed on each dimension separately overlap (a shift toward mobile is also a
/// shift toward the countries where mobile is common), so they do not add up. Here dimension k
/// is credited with the mix effect of the cells of dimensions 1..=k minus that of dimensions
/// 1..k: the mix it adds once the earlier dimensions are accounted for. The rate and
/// interaction effects are those within the finest cells, and the parts sum to ΔR. The order
/// matters and is part of the answer.
///
/// # Errors
///
/// [`KpiError::InvalidInput`] for no dimensions, a duplicated dimension, or a row without a
/// value on a dimension; as [`Decomposer::decompose`] otherwise.
///
/// # Examples
///
/// ```
/// use prodops_kpi::explain::{MultiSegment, Shapley, sequential};
///
/// let rows = [
///     MultiSegment::new([("platform", "web"), ("country", "US")], 500.0, 50.0, 300.0, 30.0)?,
///     MultiSegment::new([("platform", "web"), ("country", "FR")], 100.0, 5.0, 100.0, 5.0)?,
///     MultiSegment::new([("platform", "app"), ("country", "US")], 200.0, 10.0, 400.0, 20.0)?,
///     MultiSegment::new([("platform", "app"), ("country", "FR")], 200.0, 4.0, 200.0, 4.0)?,
/// ];
/// let d = sequential(&Shapley, &["platform", "country"], &rows)?;
/// let parts: f64 = d.mix.iter().sum::<f64>() + d.rate + d.interaction;
/// assert!((parts - d.change).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sequential<D: Decomposer + ?Sized>(
    method: &D,
    dimensions: &[&str],
    rows: &[MultiSegment],
) -> Result<SequentialDecomposition, KpiError> {
    check_dimensions(dimensions)?;
    let steps = (1..=dimensions.len())
        .map(|k| decompose_by(method, &dimensions[..k], rows))
        .collect::<Result<Vec<_>, _>>()?;
    let mut mix = Vec::with_capacity(steps.len());
    let mut previous = 0.0;
    for s in &steps {
        mix.push(s.mix - previous);
        previous = s.mix;
    }
    let (rate, interaction, change) = match steps.last() {
        Some(last) => (last.rate, last.interaction, last.change),
        None => (0.0, 0.0, 0.0),
    };
    Ok(SequentialDecomposition {
        order: dimensions.iter().map(|d| (*d).to_owned()).collect(),
        mix,
        rate,
        interaction,
        change,
        steps,
    })
}

fn check_dimensions(dimensions: &[&str]) -> Result<(), KpiError> {
    if dimensions.is_empty() {
        return Err(invalid_input("dimensions", "name at least one"));
    }
    for (i, d) in dimensions.iter().enumerate() {
        if dimensions[..i].contains(d) {
            return Err(invalid_input(
                "dimensions",
                format!("{d:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

/// The decomposition over the cells of `dimensions` (rows summed within each cell).
fn decompose_by<D: Decomposer + ?Sized>(
    method: &D,
    dimensions: &[&str],
    rows: &[MultiSegment],
) -> Result<Decomposition, KpiError> {
    let mut cells: BTreeMap<Vec<&str>, ([f64; 2], [f64; 2])> = BTreeMap::new();
    for (r, row) in rows.iter().enumerate() {
        let key = dimensions
            .iter()
            .map(|d| {
                row.keys.get(*d).map(String::as_str).ok_or_else(|| {
                    invalid_input(format!("row {r}"), format!("has no value for {d:?}"))
                })
            })
            .collect::<Result<Vec<&str>, KpiError>>()?;
        let cell = cells.entry(key).or_insert(([0.0; 2], [0.0; 2]));
        for p in 0..2 {
            cell.0[p] += row.volume[p];
            cell.1[p] += row.numerator[p];
        }
    }
    let segments = cells
        .into_iter()
        .map(|(key, (v, n))| {
            let label = dimensions
                .iter()
                .zip(&key)
                .map(|(d, v)| format!("{d}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            Segment::new(label, v[0], n[0], v[1], n[1])
        })
        .collect::<Result<Vec<_>, _>>()?;
    method.decompose(&segments)
}

/// The result of [`shapley_dimensions`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DimensionShapley {
    /// The dimensions, as given.
    pub dimensions: Vec<String>,
    /// Each dimension's mix effect: its Shapley value over every order of the dimensions.
    pub mix: Vec<f64>,
    /// The rate effect within the finest cells.
    pub rate: f64,
    /// The interaction within the finest cells.
    pub interaction: f64,
    /// ΔR; equals Σ mix + rate + interaction.
    pub change: f64,
}

/// Splits the mix effect among several dimensions by the Shapley value, so no order has to be
/// chosen: dimension j gets the average, over all orders, of the mix it adds when it joins
/// the dimensions before it (the [`sequential`] credit). With M(S) the mix effect of the cells
/// of the dimensions in S (M(∅) = 0), φⱼ = Σ_{S ∌ j} |S|!(d − |S| − 1)!/d! · [M(S ∪ j) − M(S)],
/// computed from the 2^d partitions (at most 12 dimensions). The φⱼ sum to the mix effect of
/// the finest cells, so Σ φ + rate + interaction = ΔR.
///
/// # Errors
///
/// As [`sequential`]; [`KpiError::IncompatibleOptions`] for more than 12 dimensions.
///
/// # Examples
///
/// ```
/// use prodops_kpi::explain::{MultiSegment, Shapley, sequential, shapley_dimensions};
///
/// let rows = [
///     MultiSegment::new([("platform", "web"), ("country", "US")], 500.0, 50.0, 300.0, 30.0)?,
///     MultiSegment::new([("platform", "web"), ("country", "FR")], 100.0, 5.0, 100.0, 5.0)?,
///     MultiSegment::new([("platform", "app"), ("country", "US")], 200.0, 10.0, 400.0, 20.0)?,
///     MultiSegment::new([("platform", "app"), ("country", "FR")], 200.0, 4.0, 200.0, 4.0)?,
/// ];
/// let s = shapley_dimensions(&Shapley, &["platform", "country"], &rows)?;
/// // With two dimensions it is the mean of the two sequential orders.
/// let a = sequential(&Shapley, &["platform", "country"], &rows)?;
/// let b = sequential(&Shapley, &["country", "platform"], &rows)?;
/// assert!((s.mix[0] - (a.mix[0] + b.mix[1]) / 2.0).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shapley_dimensions<D: Decomposer + ?Sized>(
    method: &D,
    dimensions: &[&str],
    rows: &[MultiSegment],
) -> Result<DimensionShapley, KpiError> {
    check_dimensions(dimensions)?;
    let d = dimensions.len();
    if d > 12 {
        return Err(KpiError::IncompatibleOptions {
            reason: format!("Shapley over {d} dimensions (at most 12)"),
        });
    }
    let mut mix_of = vec![0.0; 1 << d];
    let mut finest = None;
    for (subset, slot) in mix_of.iter_mut().enumerate().skip(1) {
        let dims: Vec<&str> = (0..d)
            .filter(|j| (subset >> j) & 1 == 1)
            .map(|j| dimensions[j])
            .collect();
        let dec = decompose_by(method, &dims, rows)?;
        *slot = dec.mix;
        if subset == (1 << d) - 1 {
            finest = Some(dec);
        }
    }
    let finest = finest.ok_or_else(|| invalid_input("dimensions", "name at least one"))?;
    let mut fact = vec![1.0_f64; d + 1];
    for i in 1..=d {
        fact[i] = fact[i - 1] * i as f64;
    }
    let mix = (0..d)
        .map(|j| {
            (0..1usize << d)
                .filter(|s| (s >> j) & 1 == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    fact[k] * fact[d - k - 1] / fact[d] * (mix_of[s | 1 << j] - mix_of[s])
                })
                .sum()
        })
        .collect();
    Ok(DimensionShapley {
        dimensions: dimensions.iter().map(|s| (*s).to_owned()).collect(),
        mix,
        rate: finest.rate,
        interaction: finest.interaction,
        change: finest.change,
    })
}
