//! A team process template: a pricing change that extends the built-in product launch.
//!
//! The template is a plain TOML file shipped in this crate (`templates/pricing-change.toml`).
//! A team adds it to a [`Library`] next to the built-ins, so its `extends = "product-launch"`
//! resolves, then validates and schedules it with the same calls as any built-in template.

use prodops_process::{Format, Library, Template};

use crate::error::ExtensionError;

/// The text of `templates/pricing-change.toml`.
pub const PRICING_CHANGE: &str = include_str!("../templates/pricing-change.toml");

/// The pricing-change template as written (before composition).
///
/// # Errors
///
/// [`ExtensionError::Process`] if the file does not parse; the crate's tests parse it.
pub fn pricing_change() -> Result<Template, ExtensionError> {
    Ok(Template::from_str_as(
        PRICING_CHANGE,
        Format::Toml,
        "pricing-change.toml",
    )?)
}

/// The built-in templates plus the team's pricing change.
///
/// # Errors
///
/// As [`pricing_change`] and [`Library::add`].
///
/// # Examples
///
/// ```
/// use chrono::NaiveDate;
/// use prodops_example_extension::template::team_library;
/// use prodops_process::Plan;
///
/// let library = team_library()?;
/// let template = library.resolve("pricing-change")?; // composed and validated
/// let plan = Plan::builder(&template)
///     .anchor(NaiveDate::from_ymd_opt(2027, 3, 1).ok_or("bad date")?)
///     .param("product", "Atlas")
///     .param("new_price", "$12 per seat per month")
///     .build()?;
/// // The notice goes out 30 calendar days ahead: Monday 1 March 2027 − 30 days = 30 January,
/// // a Saturday, which rolls back to Friday 29 January.
/// let notice = plan.task("customer-notice").ok_or("no notice task")?;
/// assert_eq!(notice.due, NaiveDate::from_ymd_opt(2027, 1, 29).ok_or("bad date")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn team_library() -> Result<Library, ExtensionError> {
    let mut library = Library::builtin()?;
    library.add(pricing_change()?)?;
    Ok(library)
}
