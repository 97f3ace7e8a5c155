//! User text is escaped everywhere it can appear, in the page and inside the SVG.

use prodops_report::escape_html;

use crate::sample;

const EVIL: &str = r#"<script>alert(1)</script>"'&"#;

#[test]
fn escape_html_replaces_the_five_special_characters() {
    assert_eq!(
        escape_html(r#"<b a="1" c='2'>&amp;</b>"#),
        "&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;&amp;amp;&lt;/b&gt;"
    );
    assert_eq!(
        escape_html("plain text, ünïcode ✓"),
        "plain text, ünïcode ✓"
    );
}

#[test]
fn no_script_reaches_the_page_from_any_text_slot() -> Result<(), Box<dyn std::error::Error>> {
    let html = sample::dashboard(EVIL)?.to_html()?;
    assert!(
        !html.to_lowercase().contains("<script"),
        "a raw <script> in the page"
    );
    assert!(!html.contains(EVIL));
    // The page's own escape (element content and attributes) ...
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    // ... and plotters' escape of SVG text, which writes ' as &apos;.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&apos;&amp;"));
    Ok(())
}

#[test]
fn every_kind_of_text_slot_is_present_in_escaped_form() -> Result<(), Box<dyn std::error::Error>> {
    let html = sample::dashboard(EVIL)?.to_html()?;
    let esc = escape_html(EVIL);
    // Page text: title (twice: <title> and <h1>), subtitle, paragraph, key and value, alerts,
    // table header and cells, section titles and their table-of-contents entries, figure
    // captions and the SVG aria-labels.
    for suffix in [
        "Product review",
        "March",
        " paragraph",
        "key",
        "value",
        " info",
        " warning",
        " critical",
        "Feedback",
        " excerpt",
        "Summary",
        "NPS by month",
        "Retention",
        "Launch plan",
    ] {
        let needle = format!("{esc}{suffix}");
        assert!(html.contains(&needle), "missing escaped text {needle:?}");
    }
    // SVG text written by plotters (axis titles) and by the chart code (category labels,
    // legend entries, notes), escaped with &apos;. (Texts too long for their place are cut
    // with an ellipsis, so only short places are checked whole.)
    let svg_esc = esc.replace("&#39;", "&apos;");
    for suffix in ["Month", "NPS", "Users", "Relative effect", "EU", "Spec"] {
        let needle = format!("{svg_esc}{suffix}");
        assert!(
            html.contains(&needle),
            "missing escaped SVG text {needle:?}"
        );
    }
    // Every chart holds the escaped text, whole or cut, and no raw form of it.
    for svg in html.split("<svg").skip(1) {
        let svg = svg.split("</svg>").next().unwrap_or_default();
        assert!(
            svg.contains("&lt;script&gt;alert(1)"),
            "a chart without the escaped text"
        );
        assert!(!svg.contains("<script"));
    }
    Ok(())
}

#[test]
fn the_page_loads_nothing_from_outside_and_runs_no_script() -> Result<(), Box<dyn std::error::Error>>
{
    let html = sample::dashboard("Plain")?.to_html()?;
    // plotters writes the SVG namespace as an attribute; it is a name, never fetched, and the
    // only URL allowed in the page.
    let without_ns = html.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    for forbidden in [
        "http://", "https://", "//cdn", "<script", "<link", "<img", "<iframe", "@import", "url(",
    ] {
        assert!(
            !without_ns.contains(forbidden),
            "page contains {forbidden:?}"
        );
    }
    for handler in ["onload=", "onerror=", "onclick=", "javascript:"] {
        assert!(!html.contains(handler), "page contains {handler:?}");
    }
    Ok(())
}
