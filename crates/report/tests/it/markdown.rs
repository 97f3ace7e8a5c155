//! The Markdown report: headings, tables, and charts as data tables.

use crate::sample;

#[test]
fn markdown_has_headings_tables_and_chart_data() -> Result<(), Box<dyn std::error::Error>> {
    let md = sample::dashboard("")?.to_markdown();
    assert!(md.starts_with("# Product review\n\n_March_\n"));
    assert!(md.contains("## Summary\n"));
    assert!(md.contains("- **key**: value\n"));
    assert!(md.contains("> **Warning:**  warning\n"));
    // The plain table.
    assert!(md.contains("| Feedback | Segment |\n| --- | --- |\n|  excerpt |  EU |\n"));
    // Each chart as a heading and its data table.
    assert!(md.contains("### NPS by month\n\n| Series | Month | NPS | Low | High |\n| --- | --- | --- | --- | --- |\n| EU | 2026-01 | 30 | 24.5 | 35 |\n"));
    assert!(md.contains("| Signed up | 4,100 | 4100 (34%) |"));
    assert!(md.contains("| Cohort | M0 | M1 | M2 | M3 | M4 | M5 |"));
    // Cohort 2026-06 sees only month 0: the rest are not observable.
    assert!(md.contains("| 2026-06 | 90% | n/a | n/a | n/a | n/a | n/a |"));
    assert!(md.contains("| latency | -4.0% | -7.0% | -1.0% |"));
    assert!(md.contains("| Design review | 2026-04-08 | 2026-04-08 | yes | yes |"));
    Ok(())
}

#[test]
fn markdown_keeps_user_text_inert() -> Result<(), Box<dyn std::error::Error>> {
    let md = sample::dashboard("<script>a|b\nc</script>")?.to_markdown();
    assert!(!md.contains("<script"));
    // In table cells a pipe is escaped and a line break is a space, so rows stay whole.
    assert!(md.contains("| &lt;script&gt;a\\|b c&lt;/script&gt;Feedback |"));
    Ok(())
}
