//! prodops-kpi on generated data held in memory, throughput in rows (responses or events), at
//! two sizes so the scaling is visible:
//!
//! - `nps_by_segment_month`: `SurveyQuery` (NPS with its adjusted-Wald interval per segment
//!   and month) on a survey frame: one polars group-by plus the summaries.
//! - `event_table_load`: `EventTable::from_frame` (dictionary encoding, grouping by person,
//!   sorting by time) on an event frame.
//! - `funnel_4_steps`, `retention_weekly`, `trends_dau_wau_mau`: the kernels on a loaded
//!   table (the onboarding funnel with a 14-day window; weekly recurring retention of
//!   `session_started` over 8 weeks; daily DAU, WAU and MAU). The spec's target for the funnel
//!   and retention kernels is 10 ns per event per core on sorted input.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use polars::prelude::*;
use prodops::core::Grain;
use prodops_kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel, WindowUnit};
use prodops_kpi::events::retention::{Retention, RetentionPeriod};
use prodops_kpi::events::trends::{EventSelector, Math, Series as TrendSeries, TrendsQuery};
use prodops_kpi::events::{EventSchema, EventTable};
use prodops_kpi::survey::{RatedScale, SurveyQuery};
use prodops_sample::{FUNNEL, ProductEvent, SampleSpec, SurveyResponse, Table, accounts_and_mrr};
use prodops_sample::{product_events, survey_responses};

fn or_panic<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e}"),
    }
}

fn survey_frame(rows: usize) -> DataFrame {
    let spec = SampleSpec::with_rows(rows);
    let (accounts, _) = or_panic(accounts_and_mrr(&spec.accounts()), "accounts");
    let responses: Vec<SurveyResponse> = or_panic(
        survey_responses(&spec.surveys(), &accounts, 0..rows),
        "surveys",
    );
    or_panic(SurveyResponse::frame(&responses), "survey frame")
}

fn event_frame(events: usize) -> DataFrame {
    let spec = SampleSpec::with_rows(events);
    let cfg = spec.events();
    let rows: Vec<ProductEvent> = or_panic(product_events(&cfg, 0..cfg.users), "events");
    or_panic(ProductEvent::frame(&rows), "event frame")
}

fn nps(c: &mut Criterion) {
    let mut group = c.benchmark_group("nps_by_segment_month");
    group.sample_size(10);
    for rows in [1_000_000, 10_000_000] {
        let df = survey_frame(rows);
        let query = or_panic(
            SurveyQuery::builder("score", RatedScale::nps())
                .segments(["segment"])
                .time("answered_at", Grain::Month)
                .build(),
            "query",
        );
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rows), &df, |b, df| {
            b.iter(|| black_box(or_panic(query.run(df), "nps")));
        });
    }
    group.finish();
}

fn events(c: &mut Criterion) {
    let funnel = or_panic(
        Funnel::builder()
            .steps(FUNNEL.iter().map(|s| EventMatcher::event(*s)))
            .window(or_panic(
                ConversionWindow::new(14, WindowUnit::Day),
                "window",
            ))
            .build(),
        "funnel",
    );
    for events in [1_000_000, 10_000_000] {
        let df = event_frame(events);
        let n = df.height() as u64;
        let schema = EventSchema::new("user_id", "timestamp", "event");

        let mut load = c.benchmark_group("event_table_load");
        load.sample_size(10).throughput(Throughput::Elements(n));
        load.bench_with_input(BenchmarkId::from_parameter(n), &df, |b, df| {
            b.iter(|| black_box(or_panic(EventTable::from_frame(df, &schema), "load")));
        });
        load.finish();

        let table = or_panic(EventTable::from_frame(&df, &schema), "load").table;
        let (first, last) = table.time_range().unwrap_or((0, 0));
        let day = |micros: i64| {
            chrono::DateTime::from_timestamp_micros(micros)
                .map_or(NaiveDate::MIN, |t| t.date_naive())
        };
        let retention = or_panic(
            Retention::builder(
                EventMatcher::event("session_started"),
                EventMatcher::event("session_started"),
            )
            .period(RetentionPeriod::Week)
            .intervals(8)
            .range(first, last + 1)
            .build(),
            "retention",
        );
        let trends = or_panic(
            TrendsQuery::builder(day(first), day(last))
                .grain(Grain::Day)
                .series(TrendSeries::new(
                    "dau",
                    EventSelector::any(),
                    Math::UniqueKeys,
                ))
                .series(TrendSeries::new(
                    "wau",
                    EventSelector::any(),
                    Math::WeeklyActive,
                ))
                .series(TrendSeries::new(
                    "mau",
                    EventSelector::any(),
                    Math::MonthlyActive,
                ))
                .build(),
            "trends",
        );

        let mut group = c.benchmark_group("event_kernels");
        group.sample_size(10).throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::new("funnel_4_steps", n), &table, |b, t| {
            b.iter(|| black_box(or_panic(funnel.run(t), "funnel")));
        });
        group.bench_with_input(BenchmarkId::new("retention_weekly", n), &table, |b, t| {
            b.iter(|| black_box(or_panic(retention.run(t), "retention")));
        });
        group.bench_with_input(BenchmarkId::new("trends_dau_wau_mau", n), &table, |b, t| {
            b.iter(|| black_box(or_panic(trends.run(t), "trends")));
        });
        group.finish();
    }
}

criterion_group!(benches, nps, events);
criterion_main!(benches);
