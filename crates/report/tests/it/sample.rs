//! A dashboard with every block and chart kind, whose text can be chosen, for the tests.

use chrono::NaiveDate;
use prodops_report::{
    AlertLevel, BandPoint, Bar, BarChart, Block, Chart, Dashboard, ForestPlot, ForestRow,
    GanttChart, GanttTask, Heatmap, LineBandChart, NumberFormat, ReportError, Section, Series,
    Table,
};

/// How many charts [`dashboard`] holds.
pub(crate) const CHARTS: usize = 6;

fn date(m: u32, d: u32) -> Result<NaiveDate, ReportError> {
    NaiveDate::from_ymd_opt(2026, m, d).ok_or(ReportError::Empty {
        chart: "test".into(),
        what: "date".into(),
    })
}

/// Every chart kind, with every piece of text derived from `t` (labels are `t` plus a
/// distinguishing suffix, where a chart needs distinct labels).
pub(crate) fn charts(t: &str) -> Result<Vec<Chart>, ReportError> {
    let s = |k: &str| format!("{t}{k}");
    let months = [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    ];
    let nps = |shift: f64| -> Vec<BandPoint> {
        months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let v = 30.0 + shift + 2.0 * i as f64 - if i == 3 { 6.0 } else { 0.0 };
                BandPoint::new(s(m), v, v - 5.5, v + 5.0)
            })
            .collect()
    };
    let line = LineBandChart::new(
        s("NPS by month"),
        s("Month"),
        s("NPS"),
        vec![
            Series::new(s("EU"), nps(0.0)),
            Series::new(s("US"), nps(8.0)),
        ],
    )?;
    let funnel = BarChart::new(
        s("Funnel"),
        s("Step"),
        s("Users"),
        vec![
            Bar::new(s("Visited"), 12_000.0),
            Bar::new(s("Signed up"), 4_100.0).with_note(s("4100 (34%)")),
            Bar::new(s("Activated"), 2_300.0).with_note(s("2300 (56%)")),
            Bar::new(s("Paid"), 610.0).with_note(s("610 (27%)")),
        ],
    )?
    .horizontal();
    let themes = BarChart::new(
        s("Theme volume"),
        s("Theme"),
        s("Mentions"),
        vec![
            Bar::new(s("pricing"), 140.0),
            Bar::new(s("export"), 96.0),
            Bar::new(s("sso"), 51.0).with_note(s("rising")),
            Bar::new(s("dark mode"), 12.0),
        ],
    )?;
    let cohorts: Vec<String> = months.iter().map(|m| s(m)).collect();
    let columns: Vec<String> = (0..6).map(|k| s(&format!("M{k}"))).collect();
    let values: Vec<Vec<Option<f64>>> = (0..6)
        .map(|r| {
            (0..6)
                .map(|c| (r + c < 6).then(|| 0.9_f64.powi(c) - 0.02 * r as f64))
                .collect()
        })
        .collect();
    let retention = Heatmap::new(
        s("Retention"),
        s("Months"),
        s("Cohort"),
        cohorts,
        columns,
        values,
    )?
    .with_format(NumberFormat::Percent(0));
    let forest = ForestPlot::new(
        s("Experiment"),
        s("Relative effect"),
        s("Metric"),
        vec![
            ForestRow::new(s("conversion"), 0.031, 0.004, 0.058),
            ForestRow::new(s("revenue"), 0.012, -0.021, 0.045),
            ForestRow::new(s("latency"), -0.04, -0.07, -0.01),
        ],
    )?
    .with_format(NumberFormat::Percent(1));
    let gantt = GanttChart::new(
        s("Launch plan"),
        s("Date"),
        s("Task"),
        vec![
            GanttTask::new(s("Spec"), date(4, 1)?, date(4, 7)?)?.critical(true),
            GanttTask::new(s("Design review"), date(4, 8)?, date(4, 8)?)?
                .critical(true)
                .milestone(),
            GanttTask::new(s("Build"), date(4, 9)?, date(4, 24)?)?.critical(true),
            GanttTask::new(s("Docs"), date(4, 13)?, date(4, 20)?)?,
            GanttTask::new(s("Launch"), date(4, 27)?, date(4, 27)?)?.milestone(),
        ],
    )?;
    Ok(vec![
        line.into(),
        funnel.into(),
        themes.into(),
        retention.into(),
        forest.into(),
        gantt.into(),
    ])
}

/// A dashboard with every block kind and [`CHARTS`] charts, all text derived from `t`.
pub(crate) fn dashboard(t: &str) -> Result<Dashboard, ReportError> {
    let s = |k: &str| format!("{t}{k}");
    let mut sections = vec![Section {
        title: s("Summary"),
        blocks: vec![
            Block::Paragraph(s(" paragraph")),
            Block::KeyValues(vec![(s("key"), s("value"))]),
            Block::Alert {
                level: AlertLevel::Info,
                text: s(" info"),
            },
            Block::Alert {
                level: AlertLevel::Warning,
                text: s(" warning"),
            },
            Block::Alert {
                level: AlertLevel::Critical,
                text: s(" critical"),
            },
            Block::Table(Table::new(
                vec![s("Feedback"), s("Segment")],
                vec![
                    vec![s(" excerpt"), s(" EU")],
                    vec![t.to_string(), t.to_string()],
                ],
            )?),
        ],
    }];
    for (i, chart) in charts(t)?.into_iter().enumerate() {
        sections.push(Section::new(format!("{t}{i}")).with(chart));
    }
    Ok(Dashboard {
        title: s("Product review"),
        subtitle: Some(s("March")),
        sections,
    })
}
