//! `SurveyTable::change_segments`: survey groups as mix/rate segments, checked by hand.

use polars::prelude::*;
use prodops_core::{Grain, Period};
use prodops_kpi::explain::{Decomposer, Laspeyres, Shapley};
use prodops_kpi::survey::{RatedScale, SurveyQuery, SurveyTable};

type R = Result<(), Box<dyn std::error::Error>>;

fn month(label: &str) -> Result<Period, Box<dyn std::error::Error>> {
    Ok(label.parse()?)
}

/// Region A: September 10, 10, 5, 8; October 10, 3. Region B: September 9; October 9, 9, 9, 0.
fn table(scale: RatedScale, timed: bool) -> Result<SurveyTable, Box<dyn std::error::Error>> {
    let df = df!(
        "score" => [10i64, 10, 5, 8, 9, 10, 3, 9, 9, 9, 0],
        "region" => ["A", "A", "A", "A", "B", "A", "A", "B", "B", "B", "B"],
        "answered_at" => ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04", "2026-09-05",
                          "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05",
                          "2026-10-06"],
    )?;
    let mut query = SurveyQuery::builder("score", scale).segments(["region"]);
    if timed {
        query = query.time("answered_at", Grain::Month);
    }
    Ok(query.build()?.run(&df)?)
}

#[test]
fn nps_segments_are_answers_and_net_promoters() -> R {
    let t = table(RatedScale::nps(), true)?;
    let s = t.change_segments(month("2026-09")?, month("2026-10")?)?;
    // A: September 2 promoters, 1 detractor of 4 → net 1; October 1 and 1 of 2 → net 0.
    // B: September 1 promoter of 1 → net 1; October 3 promoters, 1 detractor of 4 → net 2.
    assert_eq!(s.len(), 2);
    assert_eq!(
        (s[0].label(), s[0].volume(), s[0].numerator()),
        ("A", [4.0, 2.0], [1.0, 0.0])
    );
    assert_eq!(
        (s[1].label(), s[1].volume(), s[1].numerator()),
        ("B", [1.0, 4.0], [1.0, 2.0])
    );
    // Overall NPS 100 · 2/5 = 40 → 100 · 2/6 = 33.3; every method splits exactly that change.
    for d in [Shapley.decompose(&s)?, Laspeyres.decompose(&s)?] {
        assert!((100.0 * d.change - (100.0 * 2.0 / 6.0 - 40.0)).abs() < 1e-12);
        assert!((d.mix + d.rate + d.interaction - d.change).abs() < 1e-15);
    }
    // Laspeyres rate effect by hand: Σ s⁰ᵢ Δrᵢ = 4/5 · (0 − 1/4) + 1/5 · (2/4 − 1) = −0.3.
    assert!((Laspeyres.decompose(&s)?.rate - (-0.3)).abs() < 1e-15);
    Ok(())
}

#[test]
fn top_box_and_mean_scales_use_their_own_numerators() -> R {
    let csat = RatedScale::builder(0, 10)
        .top_box(9)
        .reducer(prodops_kpi::survey::Reducer::TopBox)
        .build()?;
    let s = table(csat, true)?.change_segments(month("2026-09")?, month("2026-10")?)?;
    // Top box 9–10: A has 2 then 1; B has 1 then 3.
    assert_eq!(
        (s[0].numerator(), s[1].numerator()),
        ([2.0, 1.0], [1.0, 3.0])
    );
    let mean = RatedScale::builder(0, 10).build()?;
    let s = table(mean, true)?.change_segments(month("2026-09")?, month("2026-10")?)?;
    // Sums: A 10+10+5+8 = 33 then 10+3 = 13; B 9 then 9+9+9+0 = 27.
    assert_eq!(
        (s[0].numerator(), s[1].numerator()),
        ([33.0, 13.0], [9.0, 27.0])
    );
    Ok(())
}

#[test]
fn a_segment_missing_in_one_period_gets_volume_zero() -> R {
    let t = table(RatedScale::nps(), true)?;
    let s = t.change_segments(month("2026-10")?, month("2026-11")?)?;
    assert_eq!(s[0].volume(), [2.0, 0.0]);
    assert_eq!(s[1].volume(), [4.0, 0.0]);
    Ok(())
}

#[test]
fn untimed_tables_equal_periods_and_empty_periods_are_errors() -> R {
    let untimed = table(RatedScale::nps(), false)?;
    assert!(
        untimed
            .change_segments(month("2026-09")?, month("2026-10")?)
            .is_err()
    );
    let t = table(RatedScale::nps(), true)?;
    assert!(
        t.change_segments(month("2026-09")?, month("2026-09")?)
            .is_err()
    );
    assert!(
        t.change_segments(month("2025-01")?, month("2025-02")?)
            .is_err()
    );
    Ok(())
}
