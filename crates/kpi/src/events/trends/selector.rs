//! Which events a series, a stickiness or a lifecycle query counts: an event name (or any
//! event) and property filters, resolved once against a table's dictionaries so matching an
//! event is a few array lookups.

use crate::error::KpiError;
use crate::events::{EventTable, NULL_CODE};

/// A condition on one property of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PropertyFilter {
    /// The property equals one of these values.
    OneOf {
        /// The property column.
        property: String,
        /// Accepted values.
        values: Vec<String>,
    },
    /// The property is set and equals none of these values.
    NoneOf {
        /// The property column.
        property: String,
        /// Rejected values.
        values: Vec<String>,
    },
    /// The property has a value.
    IsSet {
        /// The property column.
        property: String,
    },
    /// The property is missing.
    IsNotSet {
        /// The property column.
        property: String,
    },
}

impl PropertyFilter {
    /// The property equals `value`.
    pub fn equals(property: impl Into<String>, value: impl Into<String>) -> PropertyFilter {
        PropertyFilter::OneOf {
            property: property.into(),
            values: vec![value.into()],
        }
    }

    fn property(&self) -> &str {
        match self {
            PropertyFilter::OneOf { property, .. }
            | PropertyFilter::NoneOf { property, .. }
            | PropertyFilter::IsSet { property }
            | PropertyFilter::IsNotSet { property } => property,
        }
    }
}

/// The events an analysis counts: one event name, or every event, narrowed by property
/// filters that must all hold.
///
/// # Examples
///
/// ```
/// use prodops_kpi::events::trends::{EventSelector, PropertyFilter};
///
/// let pageviews_on_web = EventSelector::event("pageview")
///     .with_filter(PropertyFilter::equals("platform", "web"));
/// assert_eq!(pageviews_on_web.event_name(), Some("pageview"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventSelector {
    event: Option<String>,
    filters: Vec<PropertyFilter>,
}

impl EventSelector {
    /// Every event.
    pub fn any() -> EventSelector {
        EventSelector::default()
    }

    /// Events with this name. A name no event carries matches nothing (counts are zero).
    pub fn event(name: impl Into<String>) -> EventSelector {
        EventSelector {
            event: Some(name.into()),
            filters: Vec::new(),
        }
    }

    /// Adds a filter; an event must pass every filter.
    pub fn with_filter(mut self, filter: PropertyFilter) -> EventSelector {
        self.filters.push(filter);
        self
    }

    /// The event name, `None` for every event.
    pub fn event_name(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The filters.
    pub fn filters(&self) -> &[PropertyFilter] {
        &self.filters
    }

    /// Resolves names and values to the table's codes.
    ///
    /// # Errors
    ///
    /// [`KpiError::MissingColumn`] when a filter names a property the table does not carry.
    pub(crate) fn resolve<'t>(&self, table: &'t EventTable) -> Result<Matcher<'t>, KpiError> {
        let event = match &self.event {
            None => EventMatch::Any,
            Some(name) => table
                .event_code(name)
                .map_or(EventMatch::Never, EventMatch::Code),
        };
        let mut filters = Vec::with_capacity(self.filters.len());
        for filter in &self.filters {
            let name = filter.property();
            let column = table
                .property(name)
                .ok_or_else(|| KpiError::MissingColumn {
                    column: name.to_string(),
                    purpose: "event filter property".into(),
                })?;
            let n = column.values().len();
            let (accept, accept_null) = match filter {
                PropertyFilter::OneOf { values, .. } => {
                    let mut accept = vec![false; n];
                    for code in values.iter().filter_map(|v| column.code_of(v)) {
                        accept[code as usize] = true;
                    }
                    (accept, false)
                }
                PropertyFilter::NoneOf { values, .. } => {
                    let mut accept = vec![true; n];
                    for code in values.iter().filter_map(|v| column.code_of(v)) {
                        accept[code as usize] = false;
                    }
                    (accept, false)
                }
                PropertyFilter::IsSet { .. } => (vec![true; n], false),
                PropertyFilter::IsNotSet { .. } => (vec![false; n], true),
            };
            filters.push(CodeFilter {
                codes: column.codes(),
                accept,
                accept_null,
            });
        }
        Ok(Matcher { event, filters })
    }
}

#[derive(Debug, Clone, Copy)]
enum EventMatch {
    Any,
    Code(u32),
    Never,
}

#[derive(Debug)]
struct CodeFilter<'t> {
    codes: &'t [u32],
    accept: Vec<bool>,
    accept_null: bool,
}

/// An [`EventSelector`] resolved against one table.
#[derive(Debug)]
pub(crate) struct Matcher<'t> {
    event: EventMatch,
    filters: Vec<CodeFilter<'t>>,
}

impl Matcher<'_> {
    /// Whether nothing can match (an event name absent from the table).
    pub(crate) fn is_never(&self) -> bool {
        matches!(self.event, EventMatch::Never)
    }

    /// Whether table row `row`, with event code `event`, is selected.
    #[inline]
    pub(crate) fn matches(&self, row: usize, event: u32) -> bool {
        let event_ok = match self.event {
            EventMatch::Any => true,
            EventMatch::Code(code) => code == event,
            EventMatch::Never => false,
        };
        event_ok
            && self.filters.iter().all(|f| {
                let code = f.codes[row];
                if code == NULL_CODE {
                    f.accept_null
                } else {
                    f.accept[code as usize]
                }
            })
    }
}
