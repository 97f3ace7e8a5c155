//! Constructors and rendering reject bad data with a typed error naming the place.

use chrono::NaiveDate;
use prodops_report::{
    BandPoint, Bar, BarChart, Block, Chart, Dashboard, ForestPlot, ForestRow, GanttChart,
    GanttTask, Heatmap, LineBandChart, ReportError, Section, Series, Table,
};

fn line(points: Vec<BandPoint>) -> Result<LineBandChart, ReportError> {
    LineBandChart::new("NPS", "Month", "NPS", vec![Series::new("All", points)])
}

#[test]
fn line_points_must_be_finite_and_ordered() {
    assert!(matches!(
        line(vec![BandPoint::new("a", f64::NAN, 0.0, 1.0)]),
        Err(ReportError::NotFinite { ref what, .. }) if what.contains("point 0") && what.contains("value")
    ));
    assert!(matches!(
        line(vec![BandPoint::new("a", 1.0, 0.0, f64::INFINITY)]),
        Err(ReportError::NotFinite { .. })
    ));
    assert!(matches!(
        line(vec![BandPoint::exact("a", 1.0), BandPoint::new("b", 5.0, 6.0, 7.0)]),
        Err(ReportError::IntervalOrder { low, value, .. }) if low == 6.0 && value == 5.0
    ));
    assert!(matches!(
        line(vec![BandPoint::exact("a", 1.0), BandPoint::exact("a", 2.0)]),
        Err(ReportError::Duplicate { ref label, .. }) if label == "a"
    ));
    assert!(matches!(line(vec![]), Err(ReportError::Empty { .. })));
    assert!(matches!(
        LineBandChart::new("t", "x", "y", vec![]),
        Err(ReportError::Empty { .. })
    ));
}

#[test]
fn bars_must_be_finite_and_present() {
    assert!(matches!(
        BarChart::new("t", "x", "y", vec![Bar::new("a", f64::NAN)]),
        Err(ReportError::NotFinite { ref chart, .. }) if chart == "t"
    ));
    assert!(matches!(
        BarChart::new("t", "x", "y", vec![]),
        Err(ReportError::Empty { .. })
    ));
}

#[test]
fn heatmap_rows_must_match_the_labels() {
    let labels = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
    assert!(matches!(
        Heatmap::new(
            "t",
            "x",
            "y",
            labels(2),
            labels(2),
            vec![vec![Some(1.0), None], vec![Some(1.0)]]
        ),
        Err(ReportError::RowLength {
            row: 1,
            found: 1,
            expected: 2,
            ..
        })
    ));
    assert!(matches!(
        Heatmap::new("t", "x", "y", labels(2), labels(1), vec![vec![Some(1.0)]]),
        Err(ReportError::RowLength {
            found: 1,
            expected: 2,
            ..
        })
    ));
    assert!(matches!(
        Heatmap::new(
            "t",
            "x",
            "y",
            labels(1),
            labels(1),
            vec![vec![Some(f64::NAN)]]
        ),
        Err(ReportError::NotFinite { .. })
    ));
    assert!(matches!(
        Heatmap::new("t", "x", "y", vec![], labels(1), vec![]),
        Err(ReportError::Empty { .. })
    ));
    // All cells blank is allowed: a cohort table can be entirely in the future.
    assert!(Heatmap::new("t", "x", "y", labels(1), labels(1), vec![vec![None]]).is_ok());
}

#[test]
fn forest_rows_must_be_ordered_and_the_reference_finite() {
    assert!(matches!(
        ForestPlot::new("t", "x", "y", vec![ForestRow::new("m", 0.5, 0.6, 0.7)]),
        Err(ReportError::IntervalOrder { .. })
    ));
    let Ok(plot) = ForestPlot::new("t", "x", "y", vec![ForestRow::new("m", 0.5, 0.4, 0.7)]) else {
        panic!("a valid forest plot was rejected");
    };
    assert!(matches!(
        plot.with_reference(f64::NAN),
        Err(ReportError::NotFinite { .. })
    ));
}

#[test]
fn gantt_tasks_must_not_end_before_they_start() -> Result<(), Box<dyn std::error::Error>> {
    let d = |day| NaiveDate::from_ymd_opt(2026, 5, day).ok_or("bad date");
    assert!(matches!(
        GanttTask::new("late", d(9)?, d(8)?),
        Err(ReportError::DateOrder { ref task, .. }) if task == "late"
    ));
    // Public fields can be set directly; the chart's own check catches it too.
    let mut task = GanttTask::new("ok", d(8)?, d(9)?)?;
    task.end = d(1)?;
    assert!(matches!(
        GanttChart::new("plan", "x", "y", vec![task]),
        Err(ReportError::DateOrder { ref chart, .. }) if chart == "plan"
    ));
    assert!(matches!(
        GanttChart::new("plan", "x", "y", vec![]),
        Err(ReportError::Empty { .. })
    ));
    Ok(())
}

#[test]
fn tables_must_be_rectangular() {
    assert!(matches!(
        Table::new(vec!["a".into(), "b".into()], vec![vec!["1".into()]]),
        Err(ReportError::RowLength {
            row: 0,
            found: 1,
            expected: 2,
            ..
        })
    ));
}

#[test]
fn to_html_validates_what_was_built_by_hand() -> Result<(), Box<dyn std::error::Error>> {
    // Fields are public, so a chart can be made invalid after construction.
    let mut chart = line(vec![BandPoint::new("a", 1.0, 0.0, 2.0)])?;
    chart.series[0].points[0].low = 3.0;
    let mut dashboard = Dashboard::new("d");
    dashboard.push(Section::new("s").with(Block::Chart(Chart::LineBand(chart))));
    assert!(matches!(
        dashboard.to_html(),
        Err(ReportError::IntervalOrder { .. })
    ));

    let mut dashboard = Dashboard::new("d");
    let table = Table {
        header: vec!["a".into()],
        rows: vec![vec![]],
    };
    dashboard.push(Section::new("s").with(Block::Table(table)));
    assert!(matches!(
        dashboard.to_html(),
        Err(ReportError::RowLength { .. })
    ));
    Ok(())
}

#[test]
fn errors_say_what_and_where() {
    let err = BarChart::new(
        "Funnel",
        "x",
        "y",
        vec![Bar::new("ok", 1.0), Bar::new("paid", f64::NAN)],
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        err.contains("Funnel") && err.contains("bar 1") && err.contains("paid"),
        "{err}"
    );
}
