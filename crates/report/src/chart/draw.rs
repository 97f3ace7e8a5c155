//! Drawing charts as SVG with plotters' SVG backend.
//!
//! plotters draws the numeric axes, grid lines and axis titles; category labels, legends,
//! notes and markers are placed in pixels from the chart's coordinate mapping, so long labels
//! can be truncated to the room they have instead of overlapping. plotters escapes every text
//! and attribute it writes (`&`, `<`, `>`, `"`, `'`), so labels are passed to it raw; the HTML
//! tests check that no user text reaches the page unescaped.

use std::error::Error;

use chrono::Datelike;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BarChart, Chart, ForestPlot, GanttChart, Heatmap, LineBandChart};
use crate::ReportError;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn Error>>;

/// The SVG's width in pixels; the page scales it to the column's width.
const WIDTH: u32 = 920;
const FONT: &str = "sans-serif";
/// plotters' font size for labels; the SVG's font-size is this / 1.24 (about 12 px).
const LABEL_SIZE: f64 = 15.0;
/// plotters' font size for axis titles.
const DESC_SIZE: f64 = 16.0;
/// Estimated width of one character of a label in the SVG, in pixels: 0.6 em of the SVG
/// font-size, a little wide for the average sans-serif glyph so labels err on the side of room.
const CHAR_PX: f64 = LABEL_SIZE / 1.24 * 0.6;
const MARGIN: i32 = 14;

const INK: RGBColor = RGBColor(40, 40, 40);
const MUTED: RGBColor = RGBColor(110, 110, 110);
const GRID: RGBColor = RGBColor(235, 235, 235);
const GRID_BOLD: RGBColor = RGBColor(215, 215, 215);
/// Tableau 10: distinguishable, and readable in grey when printed.
const PALETTE: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(89, 161, 79),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];
const BLUE: RGBColor = PALETTE[0];
const ORANGE: RGBColor = PALETTE[1];
const RED: RGBColor = PALETTE[3];
const SLATE: RGBColor = RGBColor(150, 165, 180);
const WEEKEND: RGBColor = RGBColor(240, 240, 240);

/// Draws a validated chart as one `<svg>` element.
pub(crate) fn render_svg(chart: &Chart) -> Result<String, ReportError> {
    let mut svg = String::new();
    let drawn = match chart {
        Chart::LineBand(c) => line_band(c, &mut svg),
        Chart::Bars(c) if c.horizontal => bars_horizontal(c, &mut svg),
        Chart::Bars(c) => bars_vertical(c, &mut svg),
        Chart::Heatmap(c) => heatmap(c, &mut svg),
        Chart::Forest(c) => forest(c, &mut svg),
        Chart::Gantt(c) => gantt(c, &mut svg),
    };
    drawn.map_err(|e| ReportError::Drawing {
        chart: chart.title().to_string(),
        reason: e.to_string(),
    })?;
    Ok(svg)
}

// ---------------------------------------------------------------------------------------------
// Text and pixel helpers

/// A label made safe for one line of SVG text: control characters (newlines, tabs) become
/// spaces, and text wider than `max_units` narrow characters is cut with an ellipsis. The full
/// text stays in the chart's data table.
fn fit(label: &str, max_units: f64) -> String {
    let clean: String = label
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if units(clean) <= max_units {
        return clean.to_string();
    }
    let mut cut = String::new();
    let mut used = 0.0;
    for c in clean.chars() {
        used += char_units(c);
        // One unit stays free for the ellipsis.
        if used > max_units - 1.0 {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    cut
}

/// A character's width in narrow-character units: CJK ideographs, kana, Hangul, full-width
/// forms and emoji are about one em, 1.7 times an average Latin letter; the rest count 1.
fn char_units(c: char) -> f64 {
    let wide = matches!(u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD);
    if wide { 1.7 } else { 1.0 }
}

fn units(s: &str) -> f64 {
    s.chars().map(char_units).sum()
}

fn text_px(s: &str) -> f64 {
    units(s) * CHAR_PX
}

/// How many narrow characters fit in `px` pixels (at least 3, so a label never vanishes
/// entirely).
fn chars_in(px: f64) -> f64 {
    // The half-pixel tolerance keeps a label whose estimated width equals the room whole.
    ((px + 0.5) / CHAR_PX).floor().max(3.0)
}

/// The x axis title, cut to the width of the plot (the SVG less the widest row labels).
fn x_title(title: &str) -> String {
    fit(title, chars_in(f64::from(WIDTH) - 200.0))
}

/// The y axis title, cut to the plot's height (`height` of SVG less the x axis and margins).
fn y_title(title: &str, height: u32) -> String {
    fit(title, chars_in(f64::from(height) - 70.0))
}

/// The height of a chart of `rows` rows of `per_row` pixels plus `fixed` pixels of axes and
/// legend, saturating rather than overflowing.
fn stacked(rows: usize, per_row: u32, fixed: u32) -> u32 {
    u32::try_from(rows)
        .unwrap_or(u32::MAX)
        .saturating_mul(per_row)
        .saturating_add(fixed)
}

fn px(v: f64) -> i32 {
    v.round() as i32
}

fn style(size: f64, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size).into_font().color(color).pos(Pos::new(h, v))
}

fn label(root: &Area<'_>, text: &str, at: (i32, i32), h: HPos, v: VPos) -> DrawResult {
    if !text.is_empty() {
        root.draw(&Text::new(
            text.to_string(),
            at,
            style(LABEL_SIZE, &INK, h, v),
        ))?;
    }
    Ok(())
}

fn rect(root: &Area<'_>, a: (i32, i32), b: (i32, i32), s: ShapeStyle) -> DrawResult {
    root.draw(&Rectangle::new([a, b], s))?;
    Ok(())
}

fn segment(root: &Area<'_>, a: (i32, i32), b: (i32, i32), s: ShapeStyle) -> DrawResult {
    root.draw(&PathElement::new(vec![a, b], s))?;
    Ok(())
}

fn diamond(root: &Area<'_>, (x, y): (i32, i32), r: i32, color: &RGBColor) -> DrawResult {
    root.draw(&Polygon::new(
        vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
        color.filled(),
    ))?;
    root.draw(&PathElement::new(
        vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y), (x, y - r)],
        INK.stroke_width(1),
    ))?;
    Ok(())
}

/// Diagonal hatching inside a rectangle, for cells with no value: lines x + y = c every 6 px,
/// each clipped to the rectangle.
fn hatch(root: &Area<'_>, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> DrawResult {
    rect(root, (x0, y0), (x1, y1), RGBColor(246, 246, 246).filled())?;
    let line = RGBColor(175, 175, 175).stroke_width(1);
    let mut c = x0 + y0 + 6;
    while c < x1 + y1 {
        // On x + y = c: enter at the left or bottom edge, leave at the top or right edge.
        let (ax, ay) = if c - x0 <= y1 {
            (x0, c - x0)
        } else {
            (c - y1, y1)
        };
        let (bx, by) = if c - y0 <= x1 {
            (c - y0, y0)
        } else {
            (x1, c - x1)
        };
        segment(root, (ax, ay), (bx, by), line)?;
        c += 6;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Legends

#[derive(Clone, Copy)]
enum Mark {
    /// A filled square.
    Swatch(RGBColor),
    /// A line over a light band.
    LineBand(RGBColor),
    /// A diamond.
    Diamond(RGBColor),
    /// A dashed vertical line.
    Dashed(RGBColor),
    /// An interval with a point estimate.
    Interval(RGBColor),
}

const LEGEND_ROW: i32 = 22;

fn legend_item_width(text: &str) -> i32 {
    px(18.0 + 6.0 + text_px(text) + 20.0)
}

/// Legend items wrapped into rows that fit the chart's width; returns the rows.
fn legend_rows(items: &[(Mark, String)]) -> Vec<Vec<(Mark, String)>> {
    let room = WIDTH as i32 - 2 * MARGIN;
    let mut rows: Vec<Vec<(Mark, String)>> = Vec::new();
    let mut used = 0;
    for (mark, text) in items {
        let text = fit(text, chars_in(f64::from(room - 60)));
        let w = legend_item_width(&text);
        match rows.last_mut() {
            Some(row) if used + w <= room => row.push((*mark, text)),
            _ => {
                rows.push(vec![(*mark, text)]);
                used = 0;
            }
        }
        used += w;
    }
    rows
}

fn legend_height(rows: &[Vec<(Mark, String)>]) -> u32 {
    if rows.is_empty() {
        0
    } else {
        (rows.len() as i32 * LEGEND_ROW + 10) as u32
    }
}

/// Draws legend rows from the top-left of the SVG.
fn draw_legend(root: &Area<'_>, rows: &[Vec<(Mark, String)>]) -> DrawResult {
    for (r, row) in rows.iter().enumerate() {
        let cy = 8 + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        let mut x = MARGIN + 60;
        for (mark, text) in row {
            let (a, b) = ((x, cy - 7), (x + 18, cy + 7));
            match *mark {
                Mark::Swatch(c) => {
                    rect(root, a, b, c.filled())?;
                    // A light outline keeps pale swatches (weekends) visible.
                    rect(root, a, b, GRID_BOLD.stroke_width(1))?;
                }
                Mark::LineBand(c) => {
                    rect(root, a, b, c.mix(0.2).filled())?;
                    segment(root, (x, cy), (x + 18, cy), c.stroke_width(2))?;
                }
                Mark::Diamond(c) => diamond(root, (x + 9, cy), 7, &c)?,
                Mark::Dashed(c) => {
                    for y in [cy - 8, cy - 2, cy + 4] {
                        segment(root, (x + 9, y), (x + 9, y + 4), c.stroke_width(2))?;
                    }
                }
                Mark::Interval(c) => {
                    segment(root, (x, cy), (x + 18, cy), c.stroke_width(2))?;
                    rect(root, (x + 5, cy - 4), (x + 13, cy + 4), c.filled())?;
                }
            }
            label(root, text, (x + 24, cy), HPos::Left, VPos::Center)?;
            x += legend_item_width(text);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scales

/// Values beyond this are drawn at the edge: spans and paddings of the axis stay finite.
const AXIS_LIMIT: f64 = 1e200;

/// A padded axis range around `lo..hi` (padded below only when `pad_low`, so bars keep their
/// zero baseline). A range too narrow for its magnitude (constant data, or a span below the
/// float resolution) becomes a window around the value: plotters' tick search needs a span it
/// can divide.
fn padded(lo: f64, hi: f64, pad_low: bool) -> (f64, f64) {
    let lo = lo.clamp(-AXIS_LIMIT, AXIS_LIMIT);
    let hi = hi.clamp(-AXIS_LIMIT, AXIS_LIMIT);
    let magnitude = lo.abs().max(hi.abs());
    let span = hi - lo;
    let pad = if span > (magnitude * 1e-9).max(1e-100) {
        span * 0.08
    } else {
        (magnitude * 0.1).max(1.0)
    };
    (if pad_low { lo - pad } else { lo }, hi + pad)
}

/// Clamps a value into the axis range: values beyond [`AXIS_LIMIT`] are drawn at the edge
/// instead of at pixel positions that overflow.
fn clip(v: f64, (lo, hi): (f64, f64)) -> f64 {
    v.clamp(lo, hi)
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// Labels for categories centred at `centers` (pixels) along the bottom, thinned to every k-th
/// when they would overlap, each cut to the room it has.
fn bottom_category_labels(root: &Area<'_>, labels: &[&str], centers: &[i32], y: i32) -> DrawResult {
    let n = labels.len();
    if n == 0 {
        return Ok(());
    }
    let slot = if n > 1 {
        f64::from((centers[n - 1] - centers[0]).abs()) / (n - 1) as f64
    } else {
        f64::from(WIDTH)
    };
    let widest = labels.iter().map(|l| text_px(l)).fold(0.0, f64::max) + 10.0;
    // Show every k-th label so each has at least min(widest, 8 chars) of room.
    let wanted = widest.min(8.0 * CHAR_PX + 10.0);
    let step = ((wanted / slot).ceil() as usize).max(1);
    let room = slot * step as f64 - 8.0;
    for (i, (l, cx)) in labels.iter().zip(centers).enumerate() {
        if i % step == 0 {
            label(
                root,
                &fit(l, chars_in(room)),
                (*cx, y),
                HPos::Center,
                VPos::Top,
            )?;
        }
    }
    Ok(())
}

/// Labels for rows, right-aligned against the plot's left edge.
fn left_category_labels(
    root: &Area<'_>,
    labels: &[&str],
    centers: &[i32],
    right: i32,
    room: f64,
) -> DrawResult {
    for (l, cy) in labels.iter().zip(centers) {
        label(
            root,
            &fit(l, chars_in(room)),
            (right, *cy),
            HPos::Right,
            VPos::Center,
        )?;
    }
    Ok(())
}

/// The left label area for row labels: wide enough for the longest label, at most 300 px.
fn row_label_area(labels: &[&str]) -> (u32, f64) {
    let widest = labels.iter().map(|l| text_px(l)).fold(0.0, f64::max);
    let room = widest.min(300.0);
    // room for the labels, a gap, and the rotated axis title
    (px(room + 12.0 + 28.0) as u32, room)
}

// ---------------------------------------------------------------------------------------------
// Charts

fn line_band(c: &LineBandChart, svg: &mut String) -> DrawResult {
    let cats = c.categories();
    let n = cats.len();
    let legend = if c.series.len() >= 2 {
        legend_rows(
            &c.series
                .iter()
                .enumerate()
                .map(|(k, s)| (Mark::LineBand(PALETTE[k % PALETTE.len()]), s.name.clone()))
                .collect::<Vec<_>>(),
        )
    } else {
        Vec::new()
    };
    let legend_h = legend_height(&legend);
    let root = SVGBackend::with_string(svg, (WIDTH, 380 + legend_h)).into_drawing_area();
    root.fill(&WHITE)?;
    let (_, plot) = root.split_vertically(legend_h);

    let (lo, hi) = min_max(
        c.series
            .iter()
            .flat_map(|s| &s.points)
            .flat_map(|p| [p.low, p.high]),
    );
    let (lo, hi) = padded(lo, hi, true);
    let format = c.format;
    let y_fmt = move |v: &f64| format.format(*v);
    let no_label = |_: &f64| String::new();

    let mut chart = ChartBuilder::on(&plot)
        .margin(MARGIN)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d(0f64..n as f64, lo..hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(2)
        .x_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .y_labels(6)
        .y_label_formatter(&y_fmt)
        .x_desc(x_title(&c.x_label))
        .y_desc(y_title(&c.y_label, 380))
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .max_light_lines(1)
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .axis_style(MUTED)
        .draw()?;

    let x_of = |label: &str| cats.iter().position(|c| *c == label).unwrap_or(0) as f64 + 0.5;
    for (k, series) in c.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let r = (lo, hi);
        let mut upper: Vec<(f64, f64)> = series
            .points
            .iter()
            .map(|p| (x_of(&p.x), clip(p.high, r)))
            .collect();
        let lower = series
            .points
            .iter()
            .rev()
            .map(|p| (x_of(&p.x), clip(p.low, r)));
        if series.points.len() > 1 {
            upper.extend(lower);
            chart.draw_series(std::iter::once(Polygon::new(
                upper,
                color.mix(0.18).filled(),
            )))?;
        }
        // Whiskers show each interval, also where a band cannot (a single point).
        chart.draw_series(series.points.iter().filter(|p| p.high > p.low).map(|p| {
            let x = x_of(&p.x);
            PathElement::new(
                vec![(x, clip(p.low, r)), (x, clip(p.high, r))],
                color.mix(0.6).stroke_width(1),
            )
        }))?;
        chart.draw_series(LineSeries::new(
            series.points.iter().map(|p| (x_of(&p.x), clip(p.value, r))),
            color.stroke_width(2),
        ))?;
        chart.draw_series(
            series
                .points
                .iter()
                .map(|p| Circle::new((x_of(&p.x), clip(p.value, r)), 3, color.filled())),
        )?;
    }

    let centers: Vec<i32> = (0..n)
        .map(|i| chart.backend_coord(&(i as f64 + 0.5, lo)).0)
        .collect();
    let bottom = chart.backend_coord(&(0.0, lo)).1;
    bottom_category_labels(&root, &cats, &centers, bottom + 6)?;
    draw_legend(&root, &legend)?;
    root.present()?;
    Ok(())
}

fn bars_vertical(c: &BarChart, svg: &mut String) -> DrawResult {
    let n = c.bars.len();
    let root = SVGBackend::with_string(svg, (WIDTH, 380)).into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = min_max(c.bars.iter().map(|b| b.value));
    // Bars start at zero; the top gets room for the notes.
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let (lo, hi) = padded(lo, hi, lo < 0.0);
    let hi = hi + (hi - lo) * 0.06;
    let format = c.format;
    let y_fmt = move |v: &f64| format.format(*v);
    let no_label = |_: &f64| String::new();
    let mut chart = ChartBuilder::on(&root)
        .margin(MARGIN)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d(0f64..n as f64, lo..hi)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(2)
        .x_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .y_labels(6)
        .y_label_formatter(&y_fmt)
        .x_desc(x_title(&c.category_label))
        .y_desc(y_title(&c.value_label, 380))
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .max_light_lines(1)
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .axis_style(MUTED)
        .draw()?;
    chart.draw_series(c.bars.iter().enumerate().map(|(i, b)| {
        let x = i as f64;
        let v = clip(b.value, (lo, hi));
        Rectangle::new([(x + 0.15, 0.0), (x + 0.85, v)], BLUE.filled())
    }))?;

    let slot = f64::from(chart.backend_coord(&(1.0, lo)).0 - chart.backend_coord(&(0.0, lo)).0);
    // Notes need room for a few characters; with hundreds of bars they are left to the table.
    let notes_fit = slot >= 3.0 * CHAR_PX + 6.0;
    for (i, b) in c.bars.iter().enumerate().filter(|_| notes_fit) {
        let note = b.note.clone().unwrap_or_else(|| c.format.format(b.value));
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, clip(b.value, (lo, hi))));
        let (v, dy) = if b.value >= 0.0 {
            (VPos::Bottom, -4)
        } else {
            (VPos::Top, 4)
        };
        label(
            &root,
            &fit(&note, chars_in(slot - 6.0)),
            (x, y + dy),
            HPos::Center,
            v,
        )?;
    }
    let centers: Vec<i32> = (0..n)
        .map(|i| chart.backend_coord(&(i as f64 + 0.5, lo)).0)
        .collect();
    let labels: Vec<&str> = c.bars.iter().map(|b| b.label.as_str()).collect();
    let bottom = chart.backend_coord(&(0.0, lo)).1;
    bottom_category_labels(&root, &labels, &centers, bottom + 6)?;
    root.present()?;
    Ok(())
}

/// Row `i` of `n` (0 at the top) occupies `[n - 1 - i, n - i]` on a y axis that grows upwards.
fn row_y(n: usize, i: usize) -> f64 {
    (n - 1 - i) as f64
}

fn bars_horizontal(c: &BarChart, svg: &mut String) -> DrawResult {
    let n = c.bars.len();
    let labels: Vec<&str> = c.bars.iter().map(|b| b.label.as_str()).collect();
    let (label_area, room) = row_label_area(&labels);
    let notes: Vec<String> = c
        .bars
        .iter()
        .map(|b| fit(b.note.as_deref().unwrap_or(&c.format.format(b.value)), 40.0))
        .collect();
    // The notes sit right of the bars, in a margin as wide as the widest note.
    let note_room = notes.iter().map(|s| text_px(s)).fold(0.0, f64::max) + 12.0;
    let height = stacked(n, 30, 90);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = min_max(c.bars.iter().map(|b| b.value));
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let (lo, hi) = padded(lo, hi, lo < 0.0);
    let format = c.format;
    let x_fmt = move |v: &f64| format.format(*v);
    let no_label = |_: &f64| String::new();
    let mut chart = ChartBuilder::on(&root)
        .margin_top(MARGIN)
        .margin_left(MARGIN)
        .margin_bottom(MARGIN)
        .margin_right(px(note_room).max(MARGIN))
        .x_label_area_size(50)
        .y_label_area_size(label_area)
        .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2)
        .y_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .x_labels(6)
        .x_label_formatter(&x_fmt)
        .x_desc(x_title(&c.value_label))
        .y_desc(y_title(&c.category_label, height))
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .max_light_lines(1)
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .axis_style(MUTED)
        .draw()?;
    chart.draw_series(c.bars.iter().enumerate().map(|(i, b)| {
        let y = row_y(n, i);
        let v = clip(b.value, (lo, hi));
        Rectangle::new([(0.0, y + 0.18), (v, y + 0.82)], BLUE.filled())
    }))?;
    let left = chart.backend_coord(&(lo, 0.0)).0;
    let mut centers = Vec::with_capacity(n);
    for (i, (b, note)) in c.bars.iter().zip(&notes).enumerate() {
        let end = clip(b.value.max(0.0), (lo, hi));
        let (x, y) = chart.backend_coord(&(end, row_y(n, i) + 0.5));
        centers.push(y);
        label(&root, note, (x + 6, y), HPos::Left, VPos::Center)?;
    }
    left_category_labels(&root, &labels, &centers, left - 8, room)?;
    root.present()?;
    Ok(())
}

/// Blues, light to dark: a sequential scale that stays ordered in greyscale.
const BLUES: [(f64, f64, f64); 5] = [
    (239.0, 246.0, 255.0),
    (198.0, 219.0, 239.0),
    (107.0, 174.0, 214.0),
    (33.0, 113.0, 181.0),
    (8.0, 48.0, 107.0),
];

fn blues(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (BLUES.len() - 1) as f64;
    let i = (t.floor() as usize).min(BLUES.len() - 2);
    let f = t - i as f64;
    let (a, b) = (BLUES[i], BLUES[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn heatmap(c: &Heatmap, svg: &mut String) -> DrawResult {
    let (rows, cols) = (c.row_labels.len(), c.column_labels.len());
    let labels: Vec<&str> = c.row_labels.iter().map(String::as_str).collect();
    let (label_area, room) = row_label_area(&labels);
    let has_blank = c.values.iter().flatten().any(Option::is_none);
    let legend_h: u32 = 40;
    let height = stacked(rows, 28, 90 + legend_h);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (_, plot) = root.split_vertically(legend_h);
    let no_label = |_: &f64| String::new();
    let mut chart = ChartBuilder::on(&plot)
        .margin(MARGIN)
        .x_label_area_size(50)
        .y_label_area_size(label_area)
        .build_cartesian_2d(0f64..cols as f64, 0f64..rows as f64)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(2)
        .y_labels(2)
        .x_label_formatter(&no_label)
        .y_label_formatter(&no_label)
        .set_all_tick_mark_size(0)
        .x_desc(x_title(&c.x_label))
        .y_desc(y_title(&c.y_label, height - legend_h))
        .axis_desc_style((FONT, DESC_SIZE))
        .axis_style(WHITE)
        .draw()?;

    let (lo, hi) = min_max(c.values.iter().flatten().flatten().copied());
    // Halved before subtracting so that the extremes of f64 do not overflow to infinity.
    let scale = |v: f64| {
        if hi > lo {
            (v / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0)
        } else {
            0.5
        }
    };
    let cell_w = f64::from(chart.backend_coord(&(1.0, 0.0)).0 - chart.backend_coord(&(0.0, 0.0)).0);
    let mut row_centers = Vec::with_capacity(rows);
    for (r, row) in c.values.iter().enumerate() {
        let y = row_y(rows, r);
        for (col, v) in row.iter().enumerate() {
            let a = chart.backend_coord(&(col as f64, y + 1.0));
            let b = chart.backend_coord(&(col as f64 + 1.0, y));
            // A 1 px white gap between cells.
            let (a, b) = ((a.0 + 1, a.1 + 1), (b.0 - 1, b.1 - 1));
            match v {
                Some(v) => {
                    let t = scale(*v);
                    rect(&root, a, b, blues(t).filled())?;
                    let text = c.format.format(*v);
                    if text_px(&text) + 4.0 <= cell_w {
                        let ink = if t > 0.55 { WHITE } else { INK };
                        root.draw(&Text::new(
                            text,
                            ((a.0 + b.0) / 2, (a.1 + b.1) / 2),
                            style(LABEL_SIZE, &ink, HPos::Center, VPos::Center),
                        ))?;
                    }
                }
                None => hatch(&root, a, b)?,
            }
        }
        row_centers.push(chart.backend_coord(&(0.0, y + 0.5)).1);
    }
    let left = chart.backend_coord(&(0.0, 0.0)).0;
    left_category_labels(&root, &labels, &row_centers, left - 8, room)?;
    let col_labels: Vec<&str> = c.column_labels.iter().map(String::as_str).collect();
    let col_centers: Vec<i32> = (0..cols)
        .map(|k| chart.backend_coord(&(k as f64 + 0.5, 0.0)).0)
        .collect();
    let bottom = chart.backend_coord(&(0.0, 0.0)).1;
    bottom_category_labels(&root, &col_labels, &col_centers, bottom + 6)?;

    // Legend: the colour ramp from the smallest to the largest value (when any value is
    // observed), and the hatch.
    let cy = 22;
    let mut x = left;
    if lo <= hi {
        let (low, high) = (c.format.format(lo), c.format.format(hi));
        label(&root, &low, (x, cy), HPos::Left, VPos::Center)?;
        x += px(text_px(&low)) + 8;
        for k in 0..20 {
            let t = f64::from(k) / 19.0;
            let swatch = blues(t).filled();
            rect(&root, (x + k * 8, cy - 7), (x + k * 8 + 8, cy + 7), swatch)?;
        }
        x += 20 * 8 + 8;
        label(&root, &high, (x, cy), HPos::Left, VPos::Center)?;
        x += px(text_px(&high)) + 30;
    }
    if has_blank {
        hatch(&root, (x, cy - 7), (x + 18, cy + 7))?;
        rect(&root, (x, cy - 7), (x + 18, cy + 7), MUTED.stroke_width(1))?;
        label(
            &root,
            "not observable yet",
            (x + 24, cy),
            HPos::Left,
            VPos::Center,
        )?;
    }
    root.present()?;
    Ok(())
}

fn forest(c: &ForestPlot, svg: &mut String) -> DrawResult {
    let n = c.rows.len();
    let labels: Vec<&str> = c.rows.iter().map(|r| r.label.as_str()).collect();
    let (label_area, room) = row_label_area(&labels);
    let legend = legend_rows(&[
        (
            Mark::Interval(RED),
            "interval excludes the reference".to_string(),
        ),
        (
            Mark::Interval(SLATE),
            "interval includes the reference".to_string(),
        ),
        (
            Mark::Dashed(INK),
            format!("reference = {}", c.format.format(c.reference)),
        ),
    ]);
    let legend_h = legend_height(&legend);
    let height = stacked(n, 32, 80 + legend_h);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (_, plot) = root.split_vertically(legend_h);
    let (lo, hi) = min_max(
        c.rows
            .iter()
            .flat_map(|r| [r.low, r.high])
            .chain(std::iter::once(c.reference)),
    );
    let (lo, hi) = padded(lo, hi, true);
    let format = c.format;
    let x_fmt = move |v: &f64| format.format(*v);
    let no_label = |_: &f64| String::new();
    let mut chart = ChartBuilder::on(&plot)
        .margin(MARGIN)
        .margin_right(30)
        .x_label_area_size(50)
        .y_label_area_size(label_area)
        .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2)
        .y_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .x_labels(7)
        .x_label_formatter(&x_fmt)
        .x_desc(x_title(&c.x_label))
        .y_desc(y_title(&c.y_label, height - legend_h))
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .max_light_lines(1)
        .light_line_style(GRID)
        .bold_line_style(GRID_BOLD)
        .axis_style(MUTED)
        .draw()?;

    // The reference line, dashed, across the whole plot.
    let r = (lo, hi);
    let (rx, top) = chart.backend_coord(&(clip(c.reference, r), n as f64));
    let bottom = chart.backend_coord(&(clip(c.reference, r), 0.0)).1;
    let mut y = top;
    while y < bottom {
        segment(
            &root,
            (rx, y),
            (rx, (y + 6).min(bottom)),
            INK.stroke_width(2),
        )?;
        y += 10;
    }
    let mut centers = Vec::with_capacity(n);
    for (i, row) in c.rows.iter().enumerate() {
        let yc = row_y(n, i) + 0.5;
        let excludes = row.low > c.reference || row.high < c.reference;
        let color = if excludes { RED } else { SLATE };
        let (x0, y0) = chart.backend_coord(&(clip(row.low, r), yc));
        let (x1, _) = chart.backend_coord(&(clip(row.high, r), yc));
        let (xe, _) = chart.backend_coord(&(clip(row.estimate, r), yc));
        segment(&root, (x0, y0), (x1, y0), color.stroke_width(3))?;
        segment(&root, (x0, y0 - 6), (x0, y0 + 6), color.stroke_width(2))?;
        segment(&root, (x1, y0 - 6), (x1, y0 + 6), color.stroke_width(2))?;
        rect(&root, (xe - 6, y0 - 6), (xe + 6, y0 + 6), color.filled())?;
        rect(
            &root,
            (xe - 6, y0 - 6),
            (xe + 6, y0 + 6),
            INK.stroke_width(1),
        )?;
        centers.push(y0);
    }
    let left = chart.backend_coord(&(lo, 0.0)).0;
    left_category_labels(&root, &labels, &centers, left - 8, room)?;
    draw_legend(&root, &legend)?;
    root.present()?;
    Ok(())
}

fn gantt(c: &GanttChart, svg: &mut String) -> DrawResult {
    let n = c.tasks.len();
    let first = c.tasks.iter().map(|t| t.start).min().unwrap_or_default();
    let last = c.tasks.iter().map(|t| t.end).max().unwrap_or(first);
    // Day d of the axis is first + d; a task covers its days [start, end + 1).
    let day = |d: chrono::NaiveDate| (d - first).num_days() as f64;
    let span = day(last) + 1.0;
    let labels: Vec<&str> = c.tasks.iter().map(|t| t.name.as_str()).collect();
    let (label_area, room) = row_label_area(&labels);
    let mut items = vec![
        (Mark::Swatch(RED), "critical path".to_string()),
        (Mark::Swatch(BLUE), "task with slack".to_string()),
    ];
    let shade_weekends = span <= 120.0;
    if shade_weekends {
        items.push((Mark::Swatch(WEEKEND), "weekend".to_string()));
    }
    if c.tasks.iter().any(|t| t.milestone && !t.critical) {
        items.push((Mark::Diamond(ORANGE), "milestone".to_string()));
    }
    if c.tasks.iter().any(|t| t.milestone && t.critical) {
        items.push((
            Mark::Diamond(RED),
            "milestone on the critical path".to_string(),
        ));
    }
    let legend = legend_rows(&items);
    let legend_h = legend_height(&legend);
    let height = stacked(n, 28, 80 + legend_h);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (_, plot) = root.split_vertically(legend_h);
    // A tick past the last representable date has no label.
    let date_fmt = move |d: &f64| {
        first
            .checked_add_days(chrono::Days::new(d.round().max(0.0) as u64))
            .map(|date| date.format("%b %-d").to_string())
            .unwrap_or_default()
    };
    let no_label = |_: &f64| String::new();
    let pad = (span * 0.02).max(0.5);
    let mut chart = ChartBuilder::on(&plot)
        .margin(MARGIN)
        .margin_right(30)
        .x_label_area_size(50)
        .y_label_area_size(label_area)
        .build_cartesian_2d(-pad..span + pad, 0f64..n as f64)?;
    // Ticks on whole days only: at most 8 of them, on a day step of 1, 2, 7, 14 or a multiple
    // of 28, so labels never repeat a date.
    let step = [1.0, 2.0, 7.0, 14.0, 28.0, 56.0, 84.0, 168.0, 364.0]
        .into_iter()
        .find(|s| span / s <= 8.0)
        .unwrap_or((span / 8.0).ceil());
    let ticks = (span / step).floor() as usize + 1;
    let tick_values: Vec<f64> = (0..ticks).map(|k| k as f64 * step).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_x_mesh()
        .y_labels(2)
        .y_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Left, 0)
        .x_labels(2)
        .x_label_formatter(&no_label)
        .set_tick_mark_size(LabelAreaPosition::Bottom, 0)
        .x_desc(x_title(&c.x_label))
        .y_desc(y_title(&c.y_label, height - legend_h))
        .axis_desc_style((FONT, DESC_SIZE))
        .axis_style(MUTED)
        .draw()?;
    // Weekends shaded on plans short enough for single days to show (about 4 months).
    if shade_weekends {
        let weekends = (0..span as u64).filter_map(|d| {
            let date = first.checked_add_days(chrono::Days::new(d))?;
            let weekend = matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
            let x = d as f64;
            weekend.then(|| Rectangle::new([(x, 0.0), (x + 1.0, n as f64)], WEEKEND.filled()))
        });
        chart.draw_series(weekends)?;
    }
    // Date grid and labels at the chosen whole-day ticks.
    let bottom = chart.backend_coord(&(0.0, 0.0)).1;
    let top = chart.backend_coord(&(0.0, n as f64)).1;
    for t in &tick_values {
        let x = chart.backend_coord(&(*t, 0.0)).0;
        segment(&root, (x, top), (x, bottom), GRID_BOLD.stroke_width(1))?;
        label(
            &root,
            &date_fmt(t),
            (x, bottom + 6),
            HPos::Center,
            VPos::Top,
        )?;
    }
    let mut centers = Vec::with_capacity(n);
    for (i, task) in c.tasks.iter().enumerate() {
        let y = row_y(n, i);
        let color = if task.critical { RED } else { BLUE };
        if task.milestone {
            let (x, yc) = chart.backend_coord(&(day(task.end) + 0.5, y + 0.5));
            let fill = if task.critical { RED } else { ORANGE };
            diamond(&root, (x, yc), 8, &fill)?;
        } else {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(day(task.start), y + 0.2), (day(task.end) + 1.0, y + 0.8)],
                color.filled(),
            )))?;
        }
        centers.push(chart.backend_coord(&(0.0, y + 0.5)).1);
    }
    let left = chart.backend_coord(&(-pad, 0.0)).0;
    left_category_labels(&root, &labels, &centers, left - 8, room)?;
    draw_legend(&root, &legend)?;
    root.present()?;
    Ok(())
}
