//! The self-contained HTML page: inline CSS, inline SVG, no script and no external resource.

use std::fmt::Write as _;

use crate::ReportError;
use crate::chart::{Chart, render_svg};
use crate::model::{Block, Dashboard, Table};

/// Escapes text for HTML element content and for quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become character references; everything else is kept.
///
/// # Examples
///
/// ```
/// assert_eq!(
///     prodops_report::escape_html(r#"<a href="x">Tom & Jerry's</a>"#),
///     "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
/// );
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The page's style sheet: system fonts, a readable column that shrinks with the window,
/// charts scaled to the column, and a print layout that keeps charts whole and opens data.
const CSS: &str = r#"
:root { --ink: #222; --muted: #666; --line: #ddd; --bg-soft: #f6f7f9; --accent: #4e79a7; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #fff; line-height: 1.5; }
body { margin: 0 auto; padding: 1.5rem 1rem 3rem; max-width: 980px; }
header h1 { margin: 0 0 .25rem; font-size: 1.9rem; line-height: 1.2; }
header .subtitle { margin: 0; color: var(--muted); }
nav.toc { margin: 1.25rem 0 1.5rem; padding: .75rem 1rem; background: var(--bg-soft);
  border: 1px solid var(--line); border-radius: 6px; }
nav.toc h2 { font-size: 1rem; margin: 0 0 .35rem; }
nav.toc ol { margin: 0; padding-left: 1.4rem; columns: 2 16rem; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section { margin: 2rem 0; }
section > h2 { font-size: 1.4rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
p { margin: .6rem 0; overflow-wrap: anywhere; }
dl.kv { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .3rem 1rem;
  margin: .8rem 0; }
dl.kv dt { font-weight: 600; overflow-wrap: anywhere; }
dl.kv dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; margin: .8rem 0; }
table { border-collapse: collapse; font-size: .92rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: var(--bg-soft); }
tbody tr:nth-child(even) td { background: #fbfbfc; }
figure.chart { margin: 1.2rem 0; padding: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
details { margin: .4rem 0 0; font-size: .92rem; }
details summary { cursor: pointer; color: var(--accent); }
.alert { margin: .8rem 0; padding: .6rem .9rem; border-left: 5px solid; border-radius: 4px;
  overflow-wrap: anywhere; }
.alert strong { margin-right: .4rem; }
.alert-info { border-color: #4e79a7; background: #eef3f9; }
.alert-warning { border-color: #e1a12b; background: #fdf6e7; }
.alert-critical { border-color: #c8373a; background: #fbeced; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 600px) {
  body { padding: 1rem .6rem 2rem; }
  header h1 { font-size: 1.5rem; }
  dl.kv { grid-template-columns: 1fr; }
  dl.kv dd { margin-bottom: .4rem; }
}
@media print {
  body { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section { break-inside: auto; }
  figure.chart, .alert, dl.kv { break-inside: avoid; }
  section > h2 { break-after: avoid; }
  details > summary { display: none; }
  .alert { border-left-width: 3px; background: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn push_table(out: &mut String, table: &Table) {
    out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for h in &table.header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape_html(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape_html(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn push_chart(out: &mut String, chart: &Chart) -> Result<(), ReportError> {
    let svg = render_svg(chart)?;
    let title = escape_html(chart.title());
    let _ = write!(
        out,
        "<figure class=\"chart\">\n<figcaption>{title}</figcaption>\n"
    );
    // The SVG names itself for screen readers; plotters writes it with a fixed size and a
    // viewBox, and the style sheet scales it to the column.
    match svg.find("<svg ") {
        Some(at) => {
            out.push_str(&svg[..at]);
            let _ = write!(out, "<svg role=\"img\" aria-label=\"{title}\" ");
            out.push_str(&svg[at + "<svg ".len()..]);
        }
        None => out.push_str(&svg),
    }
    out.push_str("<details><summary>Data</summary>\n");
    push_table(out, &chart.data_table());
    out.push_str("</details>\n</figure>\n");
    Ok(())
}

fn push_block(out: &mut String, block: &Block) -> Result<(), ReportError> {
    match block {
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", escape_html(text));
        }
        Block::KeyValues(pairs) => {
            out.push_str("<dl class=\"kv\">\n");
            for (k, v) in pairs {
                let _ = writeln!(
                    out,
                    "<dt>{}</dt><dd>{}</dd>",
                    escape_html(k),
                    escape_html(v)
                );
            }
            out.push_str("</dl>\n");
        }
        Block::Table(table) => push_table(out, table),
        Block::Chart(chart) => push_chart(out, chart)?,
        Block::Alert { level, text } => {
            let _ = writeln!(
                out,
                "<div class=\"alert alert-{}\" role=\"note\"><strong>{}:</strong>{}</div>",
                level.css(),
                level.label(),
                escape_html(text)
            );
        }
    }
    Ok(())
}

pub(crate) fn render(dashboard: &Dashboard) -> Result<String, ReportError> {
    dashboard.validate()?;
    let mut out = String::with_capacity(64 * 1024);
    let title = escape_html(&dashboard.title);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<header>\n<h1>{title}</h1>");
    if let Some(subtitle) = &dashboard.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape_html(subtitle));
    }
    out.push_str("</header>\n");
    if !dashboard.sections.is_empty() {
        out.push_str("<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n");
        for (i, section) in dashboard.sections.iter().enumerate() {
            let _ = writeln!(
                out,
                "<li><a href=\"#section-{}\">{}</a></li>",
                i + 1,
                escape_html(&section.title)
            );
        }
        out.push_str("</ol>\n</nav>\n");
    }
    out.push_str("<main>\n");
    for (i, section) in dashboard.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section id=\"section-{}\">\n<h2>{}</h2>",
            i + 1,
            escape_html(&section.title)
        );
        for block in &section.blocks {
            push_block(&mut out, block)?;
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<footer>Made with prodops-report: one file, no scripts, no network.</footer>\n</body>\n</html>\n");
    Ok(out)
}
