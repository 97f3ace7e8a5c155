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
    assert!(funnel.contains("4100 (34%)") && funnel.contains("12000"));
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
