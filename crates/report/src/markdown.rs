//! The Markdown rendering: headings, paragraphs, lists and tables; charts as their data tables.

use std::fmt::Write as _;

use crate::model::{Block, Dashboard, Table};

/// Text made inert for Markdown: `<` and `>` become character references so user text cannot
/// open raw HTML in a renderer that passes HTML through, and line breaks become spaces where
/// the syntax is line-based (headings, table cells).
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// A table cell: inline text with `|` escaped so it cannot split the cell.
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

fn push_table(out: &mut String, table: &Table) {
    let row = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    out.push_str(&row(&table.header));
    let _ = writeln!(out, "|{}", " --- |".repeat(table.header.len().max(1)));
    for r in &table.rows {
        out.push_str(&row(r));
    }
    out.push('\n');
}

pub(crate) fn render(dashboard: &Dashboard) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", inline(&dashboard.title));
    if let Some(subtitle) = &dashboard.subtitle {
        let _ = writeln!(out, "_{}_\n", inline(subtitle).trim());
    }
    for section in &dashboard.sections {
        let _ = writeln!(out, "## {}\n", inline(&section.title));
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "{}\n", text.replace('<', "&lt;").replace('>', "&gt;"));
                }
                Block::KeyValues(pairs) => {
                    for (k, v) in pairs {
                        let _ = writeln!(out, "- **{}**: {}", inline(k), inline(v));
                    }
                    out.push('\n');
                }
                Block::Table(table) => push_table(&mut out, table),
                Block::Chart(chart) => {
                    let _ = writeln!(out, "### {}\n", inline(chart.title()));
                    push_table(&mut out, &chart.data_table());
                }
                Block::Alert { level, text } => {
                    let _ = writeln!(out, "> **{}:** {}\n", level.label(), inline(text));
                }
            }
        }
    }
    out
}
