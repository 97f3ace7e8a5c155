//! Degenerate and extreme inputs draw without error or panic.

use chrono::NaiveDate;
use prodops_report::{
    BandPoint, Bar, BarChart, Chart, ForestPlot, ForestRow, GanttChart, GanttTask, Heatmap,
    LineBandChart, Series,
};
use proptest::prelude::*;

/// Draws a chart and checks the SVG is whole and holds no non-number.
fn draws(chart: impl Into<Chart>) -> Result<String, String> {
    let svg = chart.into().to_svg().map_err(|e| e.to_string())?;
    if !(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>")) {
        return Err("not a whole <svg> element".into());
    }
    if svg.contains("NaN") || svg.contains("inf") {
        return Err(format!("a non-number in the SVG: {svg}"));
    }
    Ok(svg)
}

#[test]
fn single_and_constant_values_draw() -> Result<(), Box<dyn std::error::Error>> {
    let one_point = LineBandChart::new(
        "t",
        "x",
        "y",
        vec![Series::new("s", vec![BandPoint::exact("a", 0.0)])],
    )?;
    draws(one_point)?;
    draws(BarChart::new("t", "x", "y", vec![Bar::new("zero", 0.0)])?)?;
    draws(BarChart::new("t", "x", "y", vec![Bar::new("zero", 0.0)])?.horizontal())?;
    draws(BarChart::new(
        "t",
        "x",
        "y",
        vec![Bar::new("neg", -5.0), Bar::new("pos", 3.0)],
    )?)?;
    draws(
        BarChart::new(
            "t",
            "x",
            "y",
            vec![Bar::new("neg", -5.0), Bar::new("pos", 3.0)],
        )?
        .horizontal(),
    )?;
    let blank = Heatmap::new(
        "t",
        "x",
        "y",
        vec!["r".into()],
        vec!["c".into()],
        vec![vec![None]],
    )?;
    let svg = draws(blank)?;
    assert!(svg.contains("not observable yet"));
    draws(Heatmap::new(
        "t",
        "x",
        "y",
        vec!["r".into()],
        vec!["c".into()],
        vec![vec![Some(0.3)]],
    )?)?;
    draws(ForestPlot::new(
        "t",
        "x",
        "y",
        vec![ForestRow::new("m", 0.0, 0.0, 0.0)],
    )?)?;
    let d = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    draws(GanttChart::new(
        "t",
        "x",
        "y",
        vec![GanttTask::new("m", d, d)?.milestone()],
    )?)?;
    // Dates centuries apart.
    let far = NaiveDate::from_ymd_opt(2400, 12, 31).ok_or("date")?;
    draws(GanttChart::new(
        "t",
        "x",
        "y",
        vec![GanttTask::new("long", d, far)?],
    )?)?;
    Ok(())
}

#[test]
fn many_categories_draw() -> Result<(), Box<dyn std::error::Error>> {
    let bars: Vec<Bar> = (0..300)
        .map(|i| Bar::new(format!("category {i}"), f64::from(i)))
        .collect();
    draws(BarChart::new("t", "x", "y", bars.clone())?)?;
    draws(BarChart::new("t", "x", "y", bars)?.horizontal())?;
    let points: Vec<BandPoint> = (0..500)
        .map(|i| {
            BandPoint::new(
                format!("day {i}"),
                f64::from(i),
                f64::from(i) - 1.0,
                f64::from(i) + 1.0,
            )
        })
        .collect();
    draws(LineBandChart::new(
        "t",
        "x",
        "y",
        vec![Series::new("s", points)],
    )?)?;
    Ok(())
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e3..1e3,
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        Just(f64::MAX),
        Just(f64::MIN),
        Just(f64::MIN_POSITIVE),
        Just(0.0),
    ]
}

fn ordered() -> impl Strategy<Value = (f64, f64, f64)> {
    (finite(), finite(), finite()).prop_map(|(a, b, c)| {
        let mut v = [a, b, c];
        v.sort_by(f64::total_cmp);
        (v[0], v[1], v[2])
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_finite_numbers_draw(
        bars in prop::collection::vec(finite(), 1..6),
        points in prop::collection::vec(ordered(), 1..6),
        cells in prop::collection::vec(prop::option::of(finite()), 4),
        reference in finite(),
    ) {
        let fail = |e: prodops_report::ReportError| TestCaseError::fail(e.to_string());
        let bars: Vec<Bar> = bars.iter().enumerate().map(|(i, v)| Bar::new(i.to_string(), *v)).collect();
        draws(BarChart::new("t", "x", "y", bars.clone()).map_err(fail)?).map_err(TestCaseError::fail)?;
        draws(BarChart::new("t", "x", "y", bars).map_err(fail)?.horizontal()).map_err(TestCaseError::fail)?;
        let band: Vec<BandPoint> = points
            .iter()
            .enumerate()
            .map(|(i, (lo, v, hi))| BandPoint::new(i.to_string(), *v, *lo, *hi))
            .collect();
        draws(LineBandChart::new("t", "x", "y", vec![Series::new("s", band)]).map_err(fail)?).map_err(TestCaseError::fail)?;
        let rows: Vec<ForestRow> = points
            .iter()
            .enumerate()
            .map(|(i, (lo, v, hi))| ForestRow::new(i.to_string(), *v, *lo, *hi))
            .collect();
        draws(
            ForestPlot::new("t", "x", "y", rows)
                .map_err(fail)?
                .with_reference(reference)
                .map_err(fail)?,
        ).map_err(TestCaseError::fail)?;
        let grid = vec![cells[..2].to_vec(), cells[2..].to_vec()];
        let labels = vec!["a".to_string(), "b".to_string()];
        draws(Heatmap::new("t", "x", "y", labels.clone(), labels, grid).map_err(fail)?).map_err(TestCaseError::fail)?;
    }
}
