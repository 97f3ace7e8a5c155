//! Writes a demonstration dashboard with every chart kind, for looking at the layout and for
//! the headless-browser check:
//!
//! ```text
//! cargo run -p prodops-report --example demo_dashboard -- /tmp/demo.html
//! tools/check_dashboard.sh /tmp/demo.html /tmp/demo.png 6
//! ```
//!
//! The numbers are made up; `examples/product_review.rs` at the workspace root draws the same
//! charts from real computations.

use chrono::{Days, NaiveDate};
use prodops_report::{
    AlertLevel, BandPoint, Bar, BarChart, Block, Dashboard, ForestPlot, ForestRow, GanttChart,
    GanttTask, Heatmap, LineBandChart, NumberFormat, Section, Series, Table,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "demo_dashboard.html".to_string());

    let months: Vec<String> = (1..=12).map(|m| format!("2025-{m:02}")).collect();
    let series = |name: &str, base: f64, width: f64| {
        let points = months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let v = base + 6.0 * (i as f64 / 2.0).sin() + i as f64 * 0.4;
                BandPoint::new(m.clone(), v, v - width, v + width)
            })
            .collect();
        Series::new(name, points)
    };
    let nps = LineBandChart::new(
        "NPS by month and region, with 95% intervals",
        "Month",
        "NPS",
        vec![
            series("Europe", 32.0, 4.5),
            series("North America", 41.0, 3.8),
            series("Asia-Pacific", 24.0, 7.0),
        ],
    )?;

    let funnel = BarChart::new(
        "Activation funnel, last 30 days",
        "Step",
        "Users",
        vec![
            Bar::new("Visited the pricing page", 48_210.0),
            Bar::new("Started a free trial", 9_870.0).with_note("9,870 (20.5% of previous)"),
            Bar::new("Invited a teammate", 4_120.0).with_note("4,120 (41.7%)"),
            Bar::new("Connected a data source", 2_960.0).with_note("2,960 (71.8%)"),
            Bar::new("Converted to a paid plan", 1_105.0).with_note("1,105 (37.3%)"),
        ],
    )?
    .horizontal();

    let themes = BarChart::new(
        "Feedback volume by theme",
        "Theme",
        "Mentions",
        [
            ("pricing", 412.0),
            ("csv export", 301.0),
            ("single sign-on", 188.0),
            ("mobile app", 160.0),
            ("dark mode", 95.0),
            ("api limits", 77.0),
            ("onboarding", 64.0),
            ("search", 41.0),
        ]
        .into_iter()
        .map(|(label, v)| Bar::new(label, v))
        .collect(),
    )?;

    let cohorts = &months[..10];
    let retention = Heatmap::new(
        "Retention by signup cohort",
        "Months since signup",
        "Signup cohort",
        cohorts.to_vec(),
        (0..10).map(|k| format!("M{k}")).collect(),
        (0..10)
            .map(|r| {
                (0..10)
                    .map(|c| (r + c < 10).then(|| 0.82_f64.powi(c) * (1.0 - 0.01 * f64::from(r))))
                    .collect()
            })
            .collect(),
    )?
    .with_format(NumberFormat::Percent(0));

    let effects = ForestPlot::new(
        "Experiment \"new onboarding\": relative effects, 95% CI",
        "Relative effect (treatment vs control)",
        "Metric",
        vec![
            ForestRow::new("Activation rate", 0.062, 0.018, 0.106),
            ForestRow::new("Revenue per user (CUPED)", 0.021, -0.012, 0.054),
            ForestRow::new("Support tickets per user", -0.035, -0.061, -0.009),
            ForestRow::new("Page load time (guardrail)", 0.004, -0.015, 0.023),
        ],
    )?
    .with_format(NumberFormat::Percent(1));

    let start = NaiveDate::from_ymd_opt(2026, 4, 6).ok_or("bad date")?;
    let day = |d: u64| start + Days::new(d);
    let launch = GanttChart::new(
        "Launch plan: CSV export (tier 2)",
        "Date",
        "Task",
        vec![
            GanttTask::new("Write the spec", day(0), day(4))?.critical(true),
            GanttTask::new("Spec review", day(7), day(7))?
                .critical(true)
                .milestone(),
            GanttTask::new("Build", day(8), day(25))?.critical(true),
            GanttTask::new("Write help-center article", day(14), day(22))?,
            GanttTask::new("Beta with 20 accounts", day(28), day(39))?.critical(true),
            GanttTask::new("Sales enablement", day(30), day(35))?,
            GanttTask::new("General availability", day(42), day(42))?
                .critical(true)
                .milestone(),
        ],
    )?;

    let quotes = Table::new(
        vec!["Theme".into(), "Segment".into(), "Excerpt".into()],
        vec![
            vec![
                "csv export".into(),
                "Enterprise".into(),
                "We export every Monday & paste into <Excel>; please add scheduled exports.".into(),
            ],
            vec![
                "pricing".into(),
                "SMB".into(),
                "\"Per-seat\" pricing hurts when we add part-time staff.".into(),
            ],
        ],
    )?;

    let dashboard = Dashboard {
        title: "Product review: March 2026".into(),
        subtitle: Some(
            "Demonstration data. Made by prodops-report's demo_dashboard example.".into(),
        ),
        sections: vec![
            Section::new("Summary")
                .with(Block::KeyValues(vec![
                    ("NPS (all)".into(), "38.4 [36.1, 40.7]".into()),
                    ("Trial → paid".into(), "11.2%".into()),
                    ("Top request".into(), "CSV export (301 mentions)".into()),
                ]))
                .with(Block::Alert {
                    level: AlertLevel::Warning,
                    text: "Europe's NPS fell 9 points in 2025-04 (incident on 2025-04-02).".into(),
                })
                .with(Block::Alert {
                    level: AlertLevel::Critical,
                    text: "Sample-ratio mismatch check passed, but the sequential test has not \
                           reached its boundary."
                        .into(),
                }),
            Section::new("Customer sentiment").with(nps),
            Section::new("Feedback").with(themes).with(quotes),
            Section::new("Growth").with(funnel).with(retention),
            Section::new("Experiment").with(effects),
            Section::new("Launch").with(launch).with(Block::Alert {
                level: AlertLevel::Info,
                text: "The critical path runs through the beta; slack elsewhere is 3–6 days."
                    .into(),
            }),
        ],
    };
    std::fs::write(&out, dashboard.to_html()?)?;
    std::fs::write(
        std::path::Path::new(&out).with_extension("md"),
        dashboard.to_markdown(),
    )?;
    println!("wrote {out} and its Markdown twin");
    Ok(())
}
