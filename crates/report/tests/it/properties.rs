//! Properties over arbitrary text: nothing a caller writes becomes markup.

use proptest::prelude::*;

use crate::sample;

/// Every element the page template and the SVG charts use. A `<` in the page that does not
/// open or close one of these would be markup that came from user text.
const TAGS: &[&str] = &[
    "!DOCTYPE",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "p",
    "nav",
    "ol",
    "li",
    "a",
    "main",
    "section",
    "dl",
    "dt",
    "dd",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "details",
    "summary",
    "strong",
    "footer",
    "svg",
    "rect",
    "text",
    "polygon",
    "polyline",
    "circle",
    "line",
    "path",
];

/// Checks that every `<` opens or closes a known element, and returns the names seen.
fn tags_in(html: &str) -> Result<Vec<String>, String> {
    let mut seen = Vec::new();
    for (at, _) in html.match_indices('<') {
        let rest = html[at + 1..].trim_start_matches('/');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        let after = rest[name.len()..].chars().next();
        let known = TAGS.contains(&name.as_str()) && matches!(after, Some(' ' | '>' | '/' | '\n'));
        if !known {
            let end = (at + 40).min(html.len());
            let context: String = html[at..].chars().take(40).collect();
            return Err(format!(
                "unexpected markup at byte {at} (..{end}): {context:?}"
            ));
        }
        seen.push(name);
    }
    Ok(seen)
}

#[test]
fn the_sample_page_uses_only_known_elements() -> Result<(), Box<dyn std::error::Error>> {
    let html = sample::dashboard("Plain")?.to_html()?;
    let seen = tags_in(&html)?;
    assert!(seen.iter().any(|t| t == "svg") && seen.iter().any(|t| t == "polygon"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_text_never_becomes_markup(text in any::<String>()) {
        let html = sample::dashboard(&text)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .to_html()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!html.to_lowercase().contains("<script"));
        if text.contains('<') {
            prop_assert!(!html.contains(&text));
        }
        tags_in(&html).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn markup_like_text_never_becomes_markup(
        text in r#"[<>&"' a-z/=]{0,12}(<script>|</svg>|<text x="1">|<!--|\]\]>)[<>&"' a-z/=]{0,12}"#
    ) {
        let dashboard = sample::dashboard(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let html = dashboard.to_html().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!html.to_lowercase().contains("<script"));
        prop_assert!(!html.contains(&text));
        tags_in(&html).map_err(TestCaseError::fail)?;
        let markdown = dashboard.to_markdown();
        prop_assert!(!markdown.contains("<script") && !markdown.contains(&text));
    }
}
