//! A conversion funnel and a weekly retention table from a product-events file.
//!
//! ```text
//! cargo run --example funnel_retention
//! cargo run --example funnel_retention -- --input events.parquet --steps signed_up,subscription_started --window-days 7
//! ```
//!
//! Prints each funnel step with the persons who reached it in order within the window
//! (counted from the first step), the conversion from the first and the previous step and the
//! median time from the previous step; then the weekly retention of first-time cohorts (the
//! week of each person's first start event) returning with the return event, per cohort and
//! the cohort-weighted average. Input: one row per event with a person, an event name and a
//! timestamp (CSV or Parquet, by extension). Computed by `prodops::kpi::events` with PostHog's
//! semantics (`docs/methods/kpi.md`).

use clap::Parser;
use polars::prelude::*;
use prodops::kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel, WindowUnit};
use prodops::kpi::events::retention::{Retention, RetentionKind, RetentionPeriod};
use prodops::kpi::events::{EventSchema, EventTable};

/// Funnel and retention from events.
#[derive(Parser)]
struct Args {
    /// Events file, `.csv` or `.parquet`.
    #[arg(long, default_value = "data/events.csv")]
    input: String,
    /// Person, event-name and timestamp columns.
    #[arg(long, value_delimiter = ',', default_value = "user_id,event,timestamp")]
    columns: Vec<String>,
    /// Funnel steps, in order (comma-separated event names).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "signed_up,project_created,teammate_invited,subscription_started"
    )]
    steps: Vec<String>,
    /// Conversion window from the first step, in days.
    #[arg(long, default_value_t = 14)]
    window_days: u32,
    /// Event that puts a person in a cohort.
    #[arg(long, default_value = "signed_up")]
    start_event: String,
    /// Event that counts as a return.
    #[arg(long, default_value = "session_started")]
    return_event: String,
    /// Weeks of retention after the cohort's week.
    #[arg(long, default_value_t = 6)]
    weeks: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let [key, event, time] = args.columns.as_slice() else {
        return Err("--columns takes three names: person,event,timestamp".into());
    };
    let path = PlRefPath::new(args.input.as_str());
    let lf = match args.input.ends_with(".parquet") {
        true => LazyFrame::scan_parquet(path, Default::default())?,
        false => LazyCsvReader::new(path).finish()?,
    };
    let loaded = EventTable::from_lazy(lf, &EventSchema::new(key, time, event))?;
    println!("{}\n", loaded.report);
    let table = loaded.table;

    let funnel = Funnel::builder()
        .steps(args.steps.iter().map(EventMatcher::event))
        .window(ConversionWindow::new(args.window_days, WindowUnit::Day)?)
        .build()?
        .run(&table)?;
    let series = funnel.series.first().ok_or("the funnel has no series")?;
    println!("step                   persons   of first    of prev  median time");
    let pct = |x: Option<f64>| x.map_or("–".to_owned(), |x| format!("{:.1}%", 100.0 * x));
    for s in &series.steps {
        let (first, prev) = (
            pct(s.conversion_from_first),
            pct(s.conversion_from_previous),
        );
        let median = s.median_time_to_convert.map(|t| t / 3600.0);
        let median = median.map_or("–".to_owned(), |h| format!("{h:.1} h"));
        println!(
            "{:<22} {:>7} {first:>10} {prev:>10} {median:>12}",
            s.name, s.persons
        );
    }

    // Cohorts over the whole span of the file.
    let from = table.timestamps().iter().min().ok_or("no events")?;
    let to = table.timestamps().iter().max().ok_or("no events")? + 1;
    let retention = Retention::builder(
        EventMatcher::event(&args.start_event),
        EventMatcher::event(&args.return_event),
    )
    .kind(RetentionKind::FirstTime)
    .period(RetentionPeriod::Week)
    .intervals(args.weeks + 1)
    .range(*from, to)
    .build()?
    .run(&table)?;
    let pct = |x: &Option<f64>| x.map_or("     ".to_owned(), |x| format!("{:>4.0}%", 100.0 * x));
    let header: Vec<String> = (0..=args.weeks)
        .map(|k| format!("{:>5}", format!("W{k}")))
        .collect();
    println!("\n{:<9} {:>6} {}", "cohort", "users", header.join(" "));
    for c in &retention.cohorts {
        let rates: Vec<String> = c.rates.iter().map(pct).collect();
        println!("{:<9} {:>6} {}", c.label, c.size, rates.join(" "));
    }
    let average: Vec<String> = retention.average.iter().map(pct).collect();
    println!("{:<9} {:>6} {}", "average", "", average.join(" "));
    Ok(())
}
