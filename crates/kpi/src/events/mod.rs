//! Event analytics with PostHog's semantics: trends and active users, funnels, retention,
//! stickiness and lifecycle, all computed by linear kernels over an [`EventTable`].

pub mod funnel;
pub mod lifecycle;
pub mod retention;
pub mod stickiness;
mod table;
pub mod trends;

pub use table::{
    Calendar, EventSchema, EventTable, EventTableBuilder, KeyEvents, LoadedEvents, MICROS_PER_DAY,
    MICROS_PER_HOUR, NULL_CODE, PropertyColumn, parse_timestamp, utc_micros,
};
