//! Every chart kind is drawn, with the parts a reader needs.

use prodops_report::{Block, Chart, Dashboard, Section};

use crate::sample;

#[test]
fn every_chart_kind_is_an_inline_svg() -> Result<(), Box<dyn std::error::Error>> {
    let html = sample::dashboard("T")?.to_html()?;
    assert_eq!(html.matches("<svg").count(), sample::CHARTS);
    assert_eq!(html.matches("</svg>").count(), sample::CHARTS);
    assert_eq!(
        html.matches("<figure class=\"chart\">").count(),
        sample::CHARTS
    );
    // Each chart has its data table.
    assert_eq!(
        html.matches("<summary>Data</summary>").count(),
        sample::CHARTS
    );
    Ok(())
}

fn svg_of(chart: &Chart) -> Result<String, Box<dyn std::error::Error>> {
    let svg = chart.to_svg()?;
    assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
    assert!(svg.trim_end().ends_with("</svg>"));
    Ok(svg)
}

#[test]
fn the_line_chart_has_bands_a_legend_and_every_month() -> Result<(), Box<dyn std::error::Error>> {
    let charts = sample::charts("")?;
    let svg = svg_of(&charts[0])?;
    // Two series: two bands (polygons) and a legend entry per series.
    assert!(svg.matches("<polygon").count() >= 2);
    assert!(svg.contains(">\nEU\n</text>") && svg.contains(">\nUS\n</text>"));
    for month in ["2026-01", "2026-06"] {
        assert!(svg.contains(month), "missing x label {month}");
    }
    assert!(svg.contains("Month") && svg.contains("NPS"));
    Ok(())
}

#[test]
fn bars_carry_their_notes_and_values() -> Result<(), Box<dyn std::error::Error>> {
    let charts = sample::charts("")?;
    let funnel = svg_of(&charts[1])?;
    assert!(funnel.contains("4100 (34%)") && funnel.contains("12,000"));
    let themes = svg_of(&charts[2])?;
    assert!(themes.contains("rising") && themes.contains(">\n140\n</text>"));
    Ok(())
}

#[test]
fn the_heatmap_hatches_unobservable_cells_and_says_so() -> Result<(), Box<dyn std::error::Error>> {
    let charts = sample::charts("")?;
    let svg = svg_of(&charts[3])?;
    assert!(svg.contains("not observable yet"));
    // Cell (0, 0) is 0.9^0 = 100%; cell (1, 1) is 0.9 - 0.02 = 88%.
    assert!(svg.contains(">\n100%\n</text>") && svg.contains(">\n88%\n</text>"));
    // A heatmap without blanks has no hatch legend.
    let Chart::Heatmap(mut full) = charts[3].clone() else {
        return Err("the sample's fourth chart is the heatmap".into());
    };
    full.values = vec![vec![Some(0.5); 6]; 6];
    assert!(!Chart::Heatmap(full).to_svg()?.contains("not observable"));
    Ok(())
}

#[test]
fn the_forest_plot_has_a_reference_line_in_its_legend() -> Result<(), Box<dyn std::error::Error>> {
    let charts = sample::charts("")?;
    let svg = svg_of(&charts[4])?;
    assert!(svg.contains("reference = 0.0%"));
    assert!(svg.contains("interval excludes the reference"));
    // Tick labels in the chosen format.
    assert!(svg.contains('%'));
    Ok(())
}

#[test]
fn the_gantt_marks_milestones_and_the_critical_path() -> Result<(), Box<dyn std::error::Error>> {
    let charts = sample::charts("")?;
    let svg = svg_of(&charts[5])?;
    assert!(svg.contains("critical path") && svg.contains("milestone"));
    // A 27-day plan (1 to 27 April 2026) shades its weekends: 4 Saturdays and 4 Sundays
    // (4-5, 11-12, 18-19, 25-26 April), drawn in the weekend grey.
    assert!(svg.contains("weekend"));
    assert_eq!(svg.matches(r##"fill="#F0F0F0""##).count(), 8 + 1); // + the legend swatch
    // Dates on the axis: the plan starts on 1 April.
    assert!(svg.contains("Apr 1"));
    // Two milestone diamonds plus the legend's: filled four-point polygons.
    assert!(svg.matches("<polygon").count() >= 3);
    Ok(())
}

#[test]
fn a_dashboard_without_sections_is_still_a_page() -> Result<(), Box<dyn std::error::Error>> {
    let html = Dashboard::new("Empty").to_html()?;
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<nav"));
    let mut one = Dashboard::new("One");
    one.push(Section::new("Only").with(Block::Paragraph("text".into())));
    let html = one.to_html()?;
    assert!(html.contains("<a href=\"#section-1\">Only</a>") && html.contains("id=\"section-1\""));
    Ok(())
}

#[test]
fn charts_round_trip_through_json() -> Result<(), Box<dyn std::error::Error>> {
    let dashboard = sample::dashboard("J")?;
    let json = serde_json::to_string(&dashboard)?;
    let back: Dashboard = serde_json::from_str(&json)?;
    assert_eq!(back, dashboard);
    Ok(())
}

/// The text of the first `<text>` element whose content starts with `prefix`.
fn svg_text_starting(svg: &str, prefix: &str) -> Option<String> {
    svg.split("<text")
        .filter_map(|t| t.split_once(">\n"))
        .map(|(_, rest)| {
            rest.split("\n</text>")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .find(|t| t.starts_with(prefix))
}

#[test]
fn long_labels_are_cut_to_their_room_and_wide_characters_count_wider()
-> Result<(), Box<dyn std::error::Error>> {
    use prodops_report::{Bar, BarChart};
    let latin = "L".repeat(80);
    let cjk = "漢".repeat(80);
    let chart = BarChart::new(
        "t",
        "x",
        "y",
        vec![Bar::new(latin.clone(), 1.0), Bar::new(cjk.clone(), 2.0)],
    )?
    .horizontal();
    let svg = Chart::Bars(chart.clone()).to_svg()?;
    let drawn_latin = svg_text_starting(&svg, "LLL").ok_or("latin label missing")?;
    let drawn_cjk = svg_text_starting(&svg, "漢漢漢").ok_or("cjk label missing")?;
    // Both are cut with an ellipsis; the wide label keeps fewer characters (1.7 units each).
    assert!(drawn_latin.ends_with('…') && drawn_cjk.ends_with('…'));
    let (l, c) = (
        drawn_latin.chars().count() - 1,
        drawn_cjk.chars().count() - 1,
    );
    assert!(
        l < 80 && c < l && (c as f64) <= (l as f64 + 1.0) / 1.7 + 1.0,
        "{l} {c}"
    );
    // The data table keeps the whole text.
    let table = Chart::Bars(chart).data_table();
    assert_eq!(table.rows[0][0], latin);
    assert_eq!(table.rows[1][0], cjk);
    Ok(())
}
