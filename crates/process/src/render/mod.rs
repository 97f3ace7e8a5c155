//! Rendering.
use crate::Plan;
/// Markdown.
pub fn markdown_plan(_p: &Plan) -> String {
    String::new()
}
