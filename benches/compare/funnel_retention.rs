//! Rust side of the `funnel_retention` comparison (in progress): load the event Parquet file
//! into a `prodops_kpi::events::EventTable`.

use std::time::Instant;

use polars::prelude::*;
use prodops_kpi::events::{EventSchema, EventTable};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: compare_funnel_retention FILE.parquet [REPEATS]");
        return Ok(());
    };
    let started = Instant::now();
    let names = [
        "signed_up",
        "project_created",
        "teammate_invited",
        "subscription_started",
        "session_started",
    ];
    let wanted = Series::new("wanted".into(), names);
    let lf = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())?
        .filter(col("event").is_in(lit(wanted).implode(false), false));
    let loaded = EventTable::from_lazy(lf, &EventSchema::new("user_id", "timestamp", "event"))?;
    eprintln!(
        "loaded {} events of {} keys in {:.3} s",
        loaded.table.len(),
        loaded.table.n_keys(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
