//! The product-review loop, shared by the `product_review` example and the root package's
//! integration test (which includes this file with `#[path]`), so the test runs exactly the
//! code the example runs.
//!
//! Each step is a few calls into a prodops crate; the results land in [`Review`], a plain
//! serde struct that becomes `report.json`, the terminal summary and the dashboard.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate, NaiveDateTime};
use polars::prelude::*;
use serde::Serialize;

use prodops::core::{Currency, Grain, IngestReport, Period};
use prodops::experiment::frame::{ReadoutColumns, readout_stats_by_variant};
use prodops::experiment::power::{Design, PlanConfig, duration, sample_size};
use prodops::experiment::{
    Alternative, Analysis, MetricSpec, Probability, Scale, Scorecard, Sequential, SrmConfig,
    SrmStatus, sample_ratio_mismatch,
};
use prodops::feedback::demand::{DemandConfig, DemandRecord, ReachBasis, Uniform, demand_by_key};
use prodops::feedback::ingest::{AccountColumns, ColumnMap, FeedbackReader, read_accounts_csv};
use prodops::feedback::intent::Intent;
use prodops::feedback::model::{Channel, Importance, ScoreScale, Taxonomy, ThemeId};
use prodops::feedback::pii::Redactor;
use prodops::feedback::pipeline::{Pipeline, Processed};
use prodops::feedback::sentiment::{Label, VaderModel};
use prodops::feedback::text::Whatlang;
use prodops::feedback::themes::{RisingConfig, RuleTagger, TaggedItem, ThemeTable, rising_themes};
use prodops::kpi::events::funnel::{ConversionWindow, EventMatcher, Funnel, WindowUnit};
use prodops::kpi::events::retention::{Retention, RetentionPeriod};
use prodops::kpi::events::trends::{EventSelector, Math, Series, TrendsQuery};
use prodops::kpi::events::{Calendar, EventSchema, EventTable};
use prodops::kpi::explain::{Decomposer, Shapley};
use prodops::kpi::monitor::{Detector, Rolling, StlResidual};
use prodops::kpi::revenue::{BridgeOptions, MrrBridge, MrrColumns, MrrHistory};
use prodops::kpi::survey::{
    NpsAnalysis, RatedScale, Reducer, ScaleSummary, SurveyGroup, SurveyQuery, SurveyTable,
};
use prodops::process::prioritize::{Item, Rice, RiceInput, rank};
use prodops::process::{BusinessCalendar, Format, Library, Plan};
use prodops_report::{
    AlertLevel, BandPoint, Bar, BarChart, Block, Dashboard, ForestPlot, ForestRow, GanttChart,
    GanttTask, Heatmap, LineBandChart, NumberFormat, Section, Series as ReportSeries, Table,
};

/// Any error of the loop, with the step that failed in its message.
pub(crate) type Error = Box<dyn std::error::Error + Send + Sync>;

/// The taxonomy used when the input folder has no `taxonomy.json`.
const TAXONOMY: &str = include_str!("taxonomy.json");
/// The candidate features used when the input folder has no `candidates.csv`.
const CANDIDATES: &str = include_str!("candidates.csv");
/// The business calendar used when the input folder has no `calendar.toml`.
const CALENDAR: &str = include_str!("calendar.toml");

/// The steps, in order, for progress reporting.
pub(crate) const STEPS: [&str; 5] = [
    "feedback: ingest, redact, sentiment, themes, demand",
    "kpi: NPS, CSAT, trends, funnel, retention, MRR, alerts",
    "process: RICE and the launch plan",
    "experiment: plan and read-out",
    "report",
];

/// Settings of one review (the example's flags).
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// Folder of the input tables.
    pub(crate) input: PathBuf,
    /// What RICE reach counts, from feedback demand per theme.
    pub(crate) reach: ReachBasis,
    /// Significance level of every interval and test.
    pub(crate) alpha: f64,
    /// Power of the planned experiment.
    pub(crate) power: f64,
    /// Minimum detectable effect of the planned experiment, relative to the baseline.
    pub(crate) relative_mde: f64,
    /// Eligible units per day for the planned experiment; `None` takes the finished
    /// experiment's enrolment rate.
    pub(crate) daily_units: Option<f64>,
    /// Launch tier of the top feature (1 to 3).
    pub(crate) tier: u8,
    /// Launch date; `None` schedules it after the planned experiment.
    pub(crate) launch: Option<NaiveDate>,
    /// Funnel steps, in order.
    pub(crate) funnel: Vec<String>,
    /// Conversion window of the funnel, in days.
    pub(crate) funnel_days: u32,
    /// Weeks of retention after the cohort week.
    pub(crate) retention_weeks: usize,
    /// CSAT scale of the `score` column.
    pub(crate) csat: CsatScale,
}

impl Config {
    /// The defaults of the example's flags, on the given input folder.
    pub(crate) fn new(input: impl Into<PathBuf>) -> Config {
        Config {
            input: input.into(),
            reach: ReachBasis::Accounts,
            alpha: 0.05,
            power: 0.8,
            relative_mde: 0.10,
            daily_units: None,
            tier: 2,
            launch: None,
            funnel: [
                "signed_up",
                "project_created",
                "teammate_invited",
                "subscription_started",
            ]
            .map(String::from)
            .to_vec(),
            funnel_days: 14,
            retention_weeks: 8,
            csat: CsatScale::TopThreeOfEleven,
        }
    }
}

/// How satisfaction is read from the survey's `score` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsatScale {
    /// A 0–10 answer, satisfied = 8–10 (the bundled survey has one 0–10 question).
    TopThreeOfEleven,
    /// A 1–5 CSAT answer, satisfied = 4–5.
    FivePoint,
}

// ---------------------------------------------------------------------------------------------
// The result
// ---------------------------------------------------------------------------------------------

/// Everything the review found; serialized as `report.json`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Review {
    /// The input folder.
    pub(crate) input: String,
    /// The latest feedback time: the "now" of demand recency and of the plans.
    pub(crate) as_of: NaiveDateTime,
    /// Rows read, accepted and rejected per input table.
    pub(crate) ingestion: Vec<IngestLine>,
    /// Feedback: redaction, sentiment, themes, demand, excerpts.
    pub(crate) feedback: FeedbackSummary,
    /// KPIs: NPS, CSAT, trends, funnel, retention, MRR, alerts, the change explanation.
    pub(crate) kpi: KpiSummary,
    /// RICE ranking with reach from demand.
    pub(crate) prioritization: Vec<RankedFeature>,
    /// The launch plan of the top feature.
    pub(crate) launch: LaunchSummary,
    /// The experiment plan and the finished experiment's read-out.
    pub(crate) experiment: ExperimentSummary,
    /// Alerts from every step, most important first.
    pub(crate) alerts: Vec<Alert>,
}

/// One input table's ingestion report, condensed.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IngestLine {
    pub(crate) source: String,
    pub(crate) rows_read: u64,
    pub(crate) rows_accepted: u64,
    pub(crate) rejected: usize,
    /// The first rejected rows, as `line N: reason`.
    pub(crate) first_rejections: Vec<String>,
}

impl IngestLine {
    fn new(name: &str, report: &IngestReport) -> IngestLine {
        IngestLine {
            source: name.to_owned(),
            rows_read: report.rows_read(),
            rows_accepted: report.rows_accepted(),
            rejected: report.rejected().len(),
            first_rejections: report
                .rejected()
                .iter()
                .take(3)
                .map(|r| format!("line {}: {}", r.line, r.reason))
                .collect(),
        }
    }
}

/// An alert for the summary and the dashboard.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Alert {
    /// `critical`, `warning` or `info`.
    pub(crate) level: &'static str,
    /// Which step raised it.
    pub(crate) source: &'static str,
    /// The alert in words.
    pub(crate) text: String,
}

/// The feedback step's results.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedbackSummary {
    pub(crate) items: usize,
    /// Items the pipeline could not process (empty after clean-up).
    pub(crate) failed: usize,
    /// PII redactions by kind.
    pub(crate) redactions: BTreeMap<String, usize>,
    /// Items by sentiment label.
    pub(crate) sentiment: BTreeMap<String, usize>,
    /// Items without sentiment (not English).
    pub(crate) sentiment_skipped: usize,
    /// Items by intent.
    pub(crate) intents: BTreeMap<String, usize>,
    /// One row per theme with items, by ARR-weighted demand.
    pub(crate) themes: Vec<ThemeRow>,
    /// Themes rising in the last month against the four before.
    pub(crate) rising: Vec<String>,
    /// Items per theme per month (top-level themes).
    pub(crate) monthly_volume: Vec<(String, String, u64)>,
    /// The most negative item of each of the top themes, redacted.
    pub(crate) excerpts: Vec<Excerpt>,
}

/// Volume, sentiment and demand of one theme.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ThemeRow {
    pub(crate) theme: String,
    pub(crate) name: String,
    /// Whether it is a sub-theme (a feature request such as `sso`).
    pub(crate) parent: Option<String>,
    pub(crate) items: u64,
    pub(crate) unique_accounts: u64,
    pub(crate) arr_weighted: f64,
    pub(crate) importance_weighted: f64,
    pub(crate) decayed_accounts: f64,
    pub(crate) negative_share: Option<f64>,
    pub(crate) mean_compound: Option<f64>,
}

/// A redacted feedback excerpt.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Excerpt {
    pub(crate) id: String,
    pub(crate) theme: String,
    pub(crate) channel: String,
    pub(crate) received_at: NaiveDateTime,
    pub(crate) compound: Option<f64>,
    pub(crate) text: String,
}

/// The KPI step's results.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct KpiSummary {
    /// Overall NPS per month with its interval (the trend).
    pub(crate) nps_by_month: Vec<ScoreCell>,
    /// NPS per segment and month.
    pub(crate) nps_by_segment_month: Vec<ScoreCell>,
    /// Satisfied share (top box, percent) per segment and month.
    pub(crate) csat_by_segment_month: Vec<ScoreCell>,
    /// What the CSAT figure counts.
    pub(crate) csat_definition: String,
    /// Active users: the last day's DAU, WAU and MAU, and the daily series.
    pub(crate) active_users: ActiveUsers,
    /// The funnel's steps.
    pub(crate) funnel: Vec<FunnelStepRow>,
    /// The funnel's conversion window.
    pub(crate) funnel_window_days: u32,
    /// Weekly retention cohorts.
    pub(crate) retention: Vec<CohortRow>,
    /// MRR bridge per month (all segments) and per segment for the last month.
    pub(crate) mrr: MrrSummary,
    /// Mix/rate decomposition of the last month's NPS change, by region.
    pub(crate) explanation: Option<Explanation>,
}

/// One (segment ×) period cell of a score with its interval.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScoreCell {
    /// The segment value, `all` for everyone.
    pub(crate) segment: String,
    pub(crate) period: String,
    pub(crate) n: u64,
    pub(crate) value: f64,
    pub(crate) ci_low: f64,
    pub(crate) ci_high: f64,
}

/// Active users.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActiveUsers {
    pub(crate) last_day: NaiveDate,
    pub(crate) dau: f64,
    pub(crate) wau: f64,
    pub(crate) mau: f64,
    /// DAU / MAU on the last day.
    pub(crate) stickiness: Option<f64>,
    /// (day, DAU) for every day of the event range.
    pub(crate) daily: Vec<(NaiveDate, f64)>,
}

/// One funnel step.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FunnelStepRow {
    pub(crate) step: String,
    pub(crate) persons: u64,
    pub(crate) conversion_from_first: Option<f64>,
    pub(crate) conversion_from_previous: Option<f64>,
}

/// One retention cohort.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CohortRow {
    pub(crate) cohort: String,
    pub(crate) size: u64,
    /// Retained share per week after the cohort week, `None` where not observed yet.
    pub(crate) rates: Vec<Option<f64>>,
}

/// The MRR bridge.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MrrSummary {
    pub(crate) currency: String,
    pub(crate) by_month: Vec<BridgeRow>,
    pub(crate) by_segment_last_month: Vec<BridgeRow>,
}

/// One MRR bridge, in major units.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BridgeRow {
    pub(crate) period: String,
    pub(crate) segment: String,
    pub(crate) start: f64,
    pub(crate) new: f64,
    pub(crate) reactivation: f64,
    pub(crate) expansion: f64,
    pub(crate) contraction: f64,
    pub(crate) churn: f64,
    pub(crate) end: f64,
    pub(crate) grr: Option<f64>,
    pub(crate) nrr: Option<f64>,
}

impl BridgeRow {
    fn new(b: &MrrBridge) -> BridgeRow {
        BridgeRow {
            period: b.period.label(),
            segment: b.segment.get("segment").unwrap_or("all").to_owned(),
            start: b.start.to_f64(),
            new: b.new.to_f64(),
            reactivation: b.reactivation.to_f64(),
            expansion: b.expansion.to_f64(),
            contraction: b.contraction.to_f64(),
            churn: b.churn.to_f64(),
            end: b.end.to_f64(),
            grr: b.grr.value(),
            nrr: b.nrr.value(),
        }
    }
}

/// A change of overall NPS split into mix and rate effects by region.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Explanation {
    pub(crate) from: String,
    pub(crate) to: String,
    /// NPS points.
    pub(crate) change: f64,
    pub(crate) p_value: f64,
    pub(crate) mix: f64,
    pub(crate) rate: f64,
    /// (region, mix, rate) in NPS points.
    pub(crate) by_region: Vec<(String, f64, f64)>,
}

/// One candidate feature in the RICE ranking.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RankedFeature {
    pub(crate) rank: usize,
    pub(crate) feature: String,
    pub(crate) name: String,
    pub(crate) theme: String,
    pub(crate) description: String,
    pub(crate) reach: f64,
    pub(crate) impact: f64,
    pub(crate) confidence: f64,
    pub(crate) effort: f64,
    pub(crate) score: f64,
}

/// The launch plan of the top feature.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LaunchSummary {
    pub(crate) feature: String,
    pub(crate) template: String,
    pub(crate) name: String,
    pub(crate) launch_date: NaiveDate,
    pub(crate) start: NaiveDate,
    pub(crate) finish: NaiveDate,
    /// Working days of the critical path.
    pub(crate) critical_path_days: u32,
    pub(crate) critical_path: Vec<String>,
    pub(crate) tasks: Vec<TaskRow>,
    pub(crate) gates: Vec<(String, Option<NaiveDate>)>,
    pub(crate) conflicts: usize,
}

/// One scheduled task.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TaskRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) stage: String,
    pub(crate) owner: String,
    pub(crate) start: NaiveDate,
    pub(crate) due: NaiveDate,
    pub(crate) critical: bool,
}

/// The experiment step's results.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ExperimentSummary {
    pub(crate) plan: ExperimentPlan,
    pub(crate) readout: Readout,
}

/// The planned experiment for the top feature.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ExperimentPlan {
    pub(crate) feature: String,
    pub(crate) metric: String,
    pub(crate) baseline: f64,
    pub(crate) relative_mde: f64,
    pub(crate) alpha: f64,
    pub(crate) power: f64,
    pub(crate) per_arm: u64,
    pub(crate) total: u64,
    pub(crate) daily_units: f64,
    pub(crate) days: u64,
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
}

/// The finished experiment's read-out.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Readout {
    pub(crate) units: BTreeMap<String, u64>,
    pub(crate) srm_p_value: f64,
    pub(crate) srm_ok: bool,
    pub(crate) cuped_variance_reduction: f64,
    pub(crate) verdict: String,
    pub(crate) summary: String,
    /// Every metric's relative effect with its interval (fixed-horizon and always-valid).
    pub(crate) rows: Vec<EffectRow>,
    /// The SRM check of `experiment_srm`, when the file exists.
    pub(crate) srm_demo: Option<(f64, bool)>,
    /// The scorecard as Markdown.
    pub(crate) scorecard_markdown: String,
}

/// One relative effect with its interval.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EffectRow {
    pub(crate) metric: String,
    pub(crate) method: String,
    pub(crate) estimate: f64,
    pub(crate) ci_low: f64,
    pub(crate) ci_high: f64,
    pub(crate) p_value: f64,
    pub(crate) decision: String,
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

/// Runs the whole review; `step` is called with the index of each step in [`STEPS`] as it
/// starts.
///
/// # Errors
///
/// A missing input file or column, or a step whose crate call fails, with the step named.
pub(crate) fn run(cfg: &Config, step: &mut dyn FnMut(usize)) -> Result<Review, Error> {
    let mut alerts = Vec::new();
    let mut ingestion = Vec::new();

    step(0);
    let fb = feedback(cfg, &mut ingestion, &mut alerts).map_err(|e| format!("feedback: {e}"))?;
    step(1);
    let kpi = kpi(cfg, &mut ingestion, &mut alerts).map_err(|e| format!("kpi: {e}"))?;
    step(2);
    let prioritization = prioritize(cfg, &fb.0).map_err(|e| format!("prioritization: {e}"))?;
    let top = prioritization
        .first()
        .ok_or("no candidate feature")?
        .clone();
    step(3);
    let as_of = fb.1;
    let calendar = read_calendar(cfg)?;
    let experiment = experiment(cfg, &top, as_of.date(), &calendar, &mut alerts)
        .map_err(|e| format!("experiment: {e}"))?;
    let launch_date = match cfg.launch {
        Some(d) => d,
        // Two weeks of business days after the experiment ends, to read it out and decide.
        None => calendar.add_business_days(experiment.plan.end, 10)?,
    };
    let launch = launch(cfg, &top, launch_date, calendar).map_err(|e| format!("launch: {e}"))?;
    alerts.sort_by_key(|a| match a.level {
        "critical" => 0,
        "warning" => 1,
        _ => 2,
    });
    Ok(Review {
        input: cfg.input.display().to_string(),
        as_of,
        ingestion,
        feedback: fb.0,
        kpi,
        prioritization,
        launch,
        experiment,
        alerts,
    })
}

/// The optional override `name` in the input folder, else the bundled text.
fn input_or_bundled(cfg: &Config, name: &str, bundled: &str) -> Result<String, Error> {
    let path = cfg.input.join(name);
    if path.exists() {
        Ok(std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?)
    } else {
        Ok(bundled.to_owned())
    }
}

/// A table of the input folder: `name.parquet` if present, else `name.csv`.
fn table(cfg: &Config, name: &str) -> Result<LazyFrame, Error> {
    let parquet = cfg.input.join(format!("{name}.parquet"));
    let csv = cfg.input.join(format!("{name}.csv"));
    let text = |p: &Path| p.to_str().map(str::to_owned).ok_or("path is not UTF-8");
    if parquet.exists() {
        Ok(LazyFrame::scan_parquet(
            PlRefPath::new(text(&parquet)?),
            ScanArgsParquet::default(),
        )?)
    } else if csv.exists() {
        Ok(LazyCsvReader::new(PlRefPath::new(text(&csv)?)).finish()?)
    } else {
        Err(format!("missing {} (or {name}.parquet)", csv.display()).into())
    }
}

fn read_calendar(cfg: &Config) -> Result<BusinessCalendar, Error> {
    let text = input_or_bundled(cfg, "calendar.toml", CALENDAR)?;
    Ok(BusinessCalendar::from_str_as(
        &text,
        Format::Toml,
        "calendar.toml",
    )?)
}

/// How much an item says a theme matters to its author (Productboard's levels): a negative
/// bug report or request is critical, another negative item important, the rest nice to have.
fn importance(p: &Processed) -> Importance {
    let negative = p
        .sentiment
        .as_ref()
        .is_some_and(|s| s.label == Label::Negative);
    let asks = p
        .intents
        .iter()
        .any(|i| matches!(i, Intent::Request | Intent::Bug));
    match (negative, asks) {
        (true, true) => Importance::Critical,
        (true, false) => Importance::Important,
        _ => Importance::NiceToHave,
    }
}

fn feedback(
    cfg: &Config,
    ingestion: &mut Vec<IngestLine>,
    alerts: &mut Vec<Alert>,
) -> Result<(FeedbackSummary, NaiveDateTime), Error> {
    let path = cfg.input.join("accounts.csv");
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let accounts = read_accounts_csv("accounts.csv", file, &AccountColumns::default())?;
    ingestion.push(IngestLine::new("accounts", &accounts.report));
    // Only the columns the loop uses are mapped: language is detected, themes are tagged.
    let columns = ColumnMap::default()
        .score(None, ScoreScale::Nps)
        .language(None)
        .tags(None, ';');
    let loaded = FeedbackReader::new(columns)
        .with_known_accounts(&accounts.data)
        .read_csv_path(cfg.input.join("feedback.csv"))?;
    ingestion.push(IngestLine::new("feedback", &loaded.report));
    let items = loaded.data;
    let as_of = items
        .iter()
        .map(|i| i.received_at)
        .max()
        .ok_or("no feedback item was accepted")?;

    let taxonomy: Taxonomy =
        serde_json::from_str(&input_or_bundled(cfg, "taxonomy.json", TAXONOMY)?)?;
    let tagger = RuleTagger::new(&taxonomy)?;
    let redactor = Redactor::builtin();
    let model = VaderModel::product()?;
    let pipeline = Pipeline::new(&redactor, &model, &Whatlang).with_tagger(&tagger);
    let processed = pipeline.process(&items);

    let accounts: HashMap<_, _> = accounts
        .data
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let ok: Vec<_> = items
        .iter()
        .zip(&processed)
        .filter_map(|(i, p)| p.as_ref().ok().map(|p| (i, p)))
        .collect();

    let mut redactions = BTreeMap::new();
    let mut sentiment = BTreeMap::new();
    let mut intents = BTreeMap::new();
    for (_, p) in &ok {
        for (kind, n) in &p.redactions {
            *redactions.entry(kind.tag().to_lowercase()).or_insert(0) += n;
        }
        if let Some(s) = &p.sentiment {
            *sentiment
                .entry(format!("{:?}", s.label).to_lowercase())
                .or_insert(0) += 1;
        }
        for i in &p.intents {
            *intents.entry(format!("{i:?}").to_lowercase()).or_insert(0) += 1;
        }
    }

    let records = ok.iter().flat_map(|(item, p)| {
        p.themes.iter().map(|t| {
            let record = DemandRecord::new(
                item.account.clone(),
                item.author.clone(),
                importance(p),
                item.received_at,
            );
            (t.clone(), record)
        })
    });
    let demand = demand_by_key(records, &accounts, &DemandConfig::new(as_of), &Uniform)?;

    let segment_of = |item: &prodops::feedback::model::FeedbackItem| {
        let account = accounts.get(item.account.as_ref()?)?;
        account.segment.get("segment").map(str::to_owned)
    };
    let tagged: Vec<TaggedItem> = ok
        .iter()
        .map(|(item, p)| {
            TaggedItem::new(
                item.received_at,
                p.themes.clone(),
                p.sentiment.as_ref().map(|s| s.compound),
            )
            .with_account(item.account.clone(), segment_of(item))
        })
        .collect();
    let table = ThemeTable::build(&tagged, Grain::Month);
    let last_month = Period::containing_datetime(Grain::Month, as_of);
    let rising: Vec<String> = rising_themes(&table.counts(), last_month, &RisingConfig::default())?
        .into_iter()
        .filter(|r| r.rising)
        .map(|r| {
            alerts.push(Alert {
                level: "warning",
                source: "feedback",
                text: format!(
                    "theme {} is rising: {} items in {last_month} against {:.1} a month before (p = {:.2e})",
                    r.theme, r.current, r.baseline_mean, r.p_value
                ),
            });
            r.theme.to_string()
        })
        .collect();

    let mut themes: Vec<ThemeRow> = taxonomy
        .themes()
        .iter()
        .filter_map(|t| {
            let d = demand.get(&t.id)?;
            let s = table.by_theme(&t.id).summary();
            Some(ThemeRow {
                theme: t.id.to_string(),
                name: t.name.clone(),
                parent: t.parent.as_ref().map(ToString::to_string),
                items: s.n,
                unique_accounts: d.unique_accounts,
                arr_weighted: d.arr_weighted,
                importance_weighted: d.importance_weighted,
                decayed_accounts: d.decayed_accounts,
                negative_share: s.negative_share,
                mean_compound: s.mean_compound,
            })
        })
        .collect();
    themes.sort_by(|a, b| b.arr_weighted.total_cmp(&a.arr_weighted));

    let monthly_volume = table
        .counts()
        .into_iter()
        .filter(|((t, _), _)| taxonomy.get(t).is_some_and(|t| t.parent.is_none()))
        .map(|((t, p), n)| (t.to_string(), p.label(), n))
        .collect();

    // The most negative item of each of the four top-level themes with the most demand.
    let excerpts = themes
        .iter()
        .filter(|t| t.parent.is_none())
        .take(4)
        .filter_map(|t| {
            let id = ThemeId::new(&t.theme).ok()?;
            let (item, p) = ok
                .iter()
                .filter(|(_, p)| p.themes.contains(&id))
                .min_by(|a, b| compound(a.1).total_cmp(&compound(b.1)))?;
            Some(Excerpt {
                id: item.id.to_string(),
                theme: t.theme.clone(),
                channel: channel_name(&item.channel),
                received_at: item.received_at,
                compound: p.sentiment.as_ref().map(|s| s.compound),
                text: p.text.clone(),
            })
        })
        .collect();

    Ok((
        FeedbackSummary {
            items: items.len(),
            failed: processed.len() - ok.len(),
            redactions,
            sentiment,
            sentiment_skipped: ok.iter().filter(|(_, p)| p.sentiment.is_none()).count(),
            intents,
            themes,
            rising,
            monthly_volume,
            excerpts,
        },
        as_of,
    ))
}

/// The channel's name as in the input (`support_ticket`, or the custom name).
fn channel_name(c: &Channel) -> String {
    match serde_json::to_value(c) {
        Ok(serde_json::Value::String(s)) => s,
        _ => match c {
            Channel::Custom(name) => name.clone(),
            other => format!("{other:?}"),
        },
    }
}

/// An item's compound score, 0 when it has none (so it sorts as neutral).
fn compound(p: &Processed) -> f64 {
    p.sentiment.as_ref().map_or(0.0, |s| s.compound)
}

/// A survey query per month over `segments`.
fn survey(
    cfg: &Config,
    scale: RatedScale,
    segments: &[&str],
    analysis: &NpsAnalysis,
) -> Result<SurveyTable, Error> {
    Ok(SurveyQuery::builder("score", scale)
        .segments(segments.iter().copied())
        .time("answered_at", Grain::Month)
        .analysis(*analysis)
        .build()?
        .run_lazy(table(cfg, "surveys")?)?)
}

/// A survey group as a score cell: NPS points, or the top-box share in percent.
fn score_cell(g: &SurveyGroup, dimension: &str) -> Result<ScoreCell, Error> {
    let (value, ci) = match &g.summary {
        ScaleSummary::Net(s) => (s.score, s.ci),
        // Shares and their intervals are in percent already.
        ScaleSummary::Rating { summary, .. } => (summary.top_box.share, summary.top_box.ci),
        other => return Err(format!("unexpected survey summary {other:?}").into()),
    };
    Ok(ScoreCell {
        segment: g.segment.get(dimension).unwrap_or("all").to_owned(),
        period: g.period.map(|p| p.label()).unwrap_or_default(),
        n: g.counts.n(),
        value,
        ci_low: ci.lower,
        ci_high: ci.upper,
    })
}

fn cells(t: &SurveyTable, dimension: &str) -> Result<Vec<ScoreCell>, Error> {
    t.groups.iter().map(|g| score_cell(g, dimension)).collect()
}

fn kpi(
    cfg: &Config,
    ingestion: &mut Vec<IngestLine>,
    alerts: &mut Vec<Alert>,
) -> Result<KpiSummary, Error> {
    // NPS and CSAT by segment and month, one polars pass each.
    let analysis = NpsAnalysis::builder().alpha(cfg.alpha).build()?;
    let overall = survey(cfg, RatedScale::nps(), &[], &analysis)?;
    ingestion.push(IngestLine::new("surveys", &overall.report));
    let by_segment = survey(cfg, RatedScale::nps(), &["segment"], &analysis)?;
    let by_region = survey(cfg, RatedScale::nps(), &["region"], &analysis)?;
    let (csat_scale, csat_definition) = match cfg.csat {
        CsatScale::TopThreeOfEleven => (
            RatedScale::builder(0, 10)
                .top_box(8)
                .reducer(Reducer::TopBox)
                .build()?,
            "share of 0–10 answers at 8–10",
        ),
        CsatScale::FivePoint => (RatedScale::csat_5(), "share of 1–5 answers at 4–5"),
    };
    let csat = survey(cfg, csat_scale, &["segment"], &analysis)?;

    // Month-over-month NPS changes by region that are significant become alerts.
    for c in by_region.period_changes(&analysis)? {
        if c.comparison.significant() {
            let region = c.segment.get("region").unwrap_or("all");
            alerts.push(Alert {
                level: if c.comparison.difference < 0.0 { "critical" } else { "info" },
                source: "kpi",
                text: format!(
                    "NPS in {region} moved {:+.1} points from {} to {} ({:+.1} → {:+.1}, p = {:.3})",
                    c.comparison.raw_difference,
                    c.previous,
                    c.current,
                    c.comparison.first_score,
                    c.comparison.second_score,
                    c.comparison.p_value
                ),
            });
        }
    }

    // The last month's change of overall NPS, explained by region.
    let explanation = match overall.period_changes(&analysis)?.pop() {
        Some(c) => Some(explain(
            &by_region,
            c.previous,
            c.current,
            c.comparison.p_value,
        )?),
        None => None,
    };

    // Trends, funnel and retention on one event table.
    let loaded = EventTable::from_lazy(
        table(cfg, "events")?,
        &EventSchema::new("user_id", "timestamp", "event"),
    )?;
    ingestion.push(IngestLine::new("events", &loaded.report));
    let events = loaded.table;
    let (first, last) = events.time_range().ok_or("no events")?;
    let calendar = Calendar::utc();
    let (from, to) = (calendar.civil_date(first)?, calendar.civil_date(last)?);
    let trends = TrendsQuery::builder(from, to)
        .grain(Grain::Day)
        .series(Series::new("DAU", EventSelector::any(), Math::UniqueKeys))
        .series(Series::new("WAU", EventSelector::any(), Math::WeeklyActive))
        .series(Series::new(
            "MAU",
            EventSelector::any(),
            Math::MonthlyActive,
        ))
        .build()?
        .run(&events)?;
    let series = |label: &str| -> Vec<f64> {
        trends
            .values(label, None)
            .unwrap_or_default()
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect()
    };
    let (dau, wau, mau) = (series("DAU"), series("WAU"), series("MAU"));
    let last_of = |s: &[f64]| s.last().copied().unwrap_or(0.0);
    // Anomalies in daily active users: a rolling z-score of what is left after the trend
    // and the weekly cycle.
    let detector = StlResidual::new(Rolling::z_score().differencing(false).build()?, 7)?;
    for d in detector.anomalies(&dau)? {
        let day = trends.period_starts.get(d.index).copied().unwrap_or(to);
        alerts.push(Alert {
            level: "warning",
            source: "kpi",
            text: format!(
                "DAU on {day} was {:.0} against {:.0} expected from its trend and weekly cycle",
                d.value, d.baseline
            ),
        });
    }

    let funnel = Funnel::builder()
        .steps(cfg.funnel.iter().map(|s| EventMatcher::event(s.as_str())))
        .window(ConversionWindow::new(cfg.funnel_days, WindowUnit::Day)?)
        .build()?
        .run(&events)?;
    let funnel = funnel
        .series
        .first()
        .ok_or("the funnel has no series")?
        .steps
        .iter()
        .map(|s| FunnelStepRow {
            step: s.name.clone(),
            persons: s.persons,
            conversion_from_first: s.conversion_from_first,
            conversion_from_previous: s.conversion_from_previous,
        })
        .collect();

    let first_step = cfg.funnel.first().ok_or("no funnel step")?;
    let retention = Retention::builder(
        EventMatcher::event(first_step.as_str()),
        EventMatcher::event("session_started"),
    )
    .period(RetentionPeriod::Week)
    .intervals(cfg.retention_weeks)
    .range(first, last + 1)
    .build()?
    .run(&events)?;
    let retention = retention
        .cohorts
        .iter()
        .map(|c| CohortRow {
            cohort: c.label.clone(),
            size: c.size,
            rates: c.rates.clone(),
        })
        .collect();

    // The MRR bridge by month, and by segment.
    let loaded = MrrHistory::from_lazy(
        table(cfg, "mrr")?,
        &MrrColumns::default().with_segments(["segment"]),
        Currency::USD,
    )?;
    ingestion.push(IngestLine::new("mrr", &loaded.report));
    let options = BridgeOptions::default();
    let totals = loaded.history.bridges(&options)?;
    let segments = loaded.history.bridges_by_segment(&options)?;
    let last_period = totals.bridges.last().map(|b| b.period);
    let mrr = MrrSummary {
        currency: totals.currency.to_string(),
        by_month: totals.bridges.iter().map(BridgeRow::new).collect(),
        by_segment_last_month: segments
            .bridges
            .iter()
            .filter(|b| Some(b.period) == last_period)
            .map(BridgeRow::new)
            .collect(),
    };

    Ok(KpiSummary {
        nps_by_month: cells(&overall, "")?,
        nps_by_segment_month: cells(&by_segment, "segment")?,
        csat_by_segment_month: cells(&csat, "segment")?,
        csat_definition: csat_definition.to_owned(),
        active_users: ActiveUsers {
            last_day: to,
            dau: last_of(&dau),
            wau: last_of(&wau),
            mau: last_of(&mau),
            stickiness: (last_of(&mau) > 0.0).then(|| last_of(&dau) / last_of(&mau)),
            daily: trends.period_starts.iter().copied().zip(dau).collect(),
        },
        funnel,
        funnel_window_days: cfg.funnel_days,
        retention,
        mrr,
        explanation,
    })
}

/// Splits the NPS change from `from` to `to` into mix and rate effects by region.
fn explain(
    by_region: &SurveyTable,
    from: Period,
    to: Period,
    p_value: f64,
) -> Result<Explanation, Error> {
    let d = Shapley.decompose(&by_region.change_segments(from, to)?)?;
    Ok(Explanation {
        from: from.label(),
        to: to.label(),
        change: 100.0 * d.change,
        p_value,
        mix: 100.0 * d.mix,
        rate: 100.0 * d.rate,
        by_region: d
            .segments
            .iter()
            .map(|s| {
                (
                    s.label.clone(),
                    100.0 * s.effects.mix,
                    100.0 * s.effects.rate,
                )
            })
            .collect(),
    })
}

/// One row of `candidates.csv`.
#[derive(Debug, serde::Deserialize)]
struct Candidate {
    feature: String,
    name: String,
    theme: String,
    impact: f64,
    confidence: f64,
    effort: f64,
    description: String,
}

fn prioritize(cfg: &Config, fb: &FeedbackSummary) -> Result<Vec<RankedFeature>, Error> {
    let text = input_or_bundled(cfg, "candidates.csv", CANDIDATES)?;
    let candidates = csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<Candidate>, _>>()
        .map_err(|e| format!("candidates.csv: {e}"))?;
    // Reach is the theme's demand; a theme nobody mentioned has reach 0.
    let reach = |theme: &str| {
        fb.themes
            .iter()
            .find(|t| t.theme == theme)
            .map_or(0.0, |t| match cfg.reach {
                ReachBasis::Arr => t.arr_weighted,
                ReachBasis::Importance => t.importance_weighted,
                ReachBasis::Decayed => t.decayed_accounts,
                _ => t.unique_accounts as f64,
            })
    };
    let items: Vec<Item<RiceInput>> = candidates
        .iter()
        .map(|c| {
            let input = RiceInput::new(reach(&c.theme), c.impact, c.confidence, c.effort);
            Item::new(c.feature.as_str(), input)
        })
        .collect();
    let ranking = rank(&Rice::default(), &items)?;
    ranking
        .entries
        .iter()
        .map(|e| {
            let (c, item) = candidates
                .iter()
                .zip(&items)
                .find(|(c, _)| c.feature == e.id)
                .ok_or("ranked an unknown feature")?;
            Ok(RankedFeature {
                rank: e.rank,
                feature: c.feature.clone(),
                name: c.name.clone(),
                theme: c.theme.clone(),
                description: c.description.clone(),
                reach: item.input.reach,
                impact: c.impact,
                confidence: c.confidence,
                effort: c.effort,
                score: e.score,
            })
        })
        .collect()
}

fn launch(
    cfg: &Config,
    top: &RankedFeature,
    date: NaiveDate,
    calendar: BusinessCalendar,
) -> Result<LaunchSummary, Error> {
    let library = Library::builtin()?;
    let id = format!("launch-tier-{}", cfg.tier);
    let template = library.resolve(&id)?;
    let plan = Plan::builder(&template)
        .anchor(date)
        .param("product", top.name.as_str())
        .calendar(calendar)
        .build()?;
    let tasks = plan
        .tasks()
        .map(|t| TaskRow {
            id: t.id.clone(),
            name: t.name.clone(),
            stage: t.stage.clone(),
            owner: t.owner.clone(),
            start: t.start,
            due: t.due,
            critical: plan.critical_path.contains(&t.id),
        })
        .collect();
    Ok(LaunchSummary {
        feature: top.feature.clone(),
        template: id,
        name: plan.name.clone(),
        launch_date: date,
        start: plan.start(),
        finish: plan.finish(),
        critical_path_days: plan.duration,
        critical_path: plan.critical_path.clone(),
        tasks,
        gates: plan
            .stages
            .iter()
            .filter_map(|s| s.gate.as_ref().map(|g| (g.name.clone(), g.date)))
            .collect(),
        conflicts: plan.conflicts.len(),
    })
}

fn experiment(
    cfg: &Config,
    top: &RankedFeature,
    today: NaiveDate,
    calendar: &BusinessCalendar,
    alerts: &mut Vec<Alert>,
) -> Result<ExperimentSummary, Error> {
    // The finished experiment: sufficient statistics per arm in one polars pass.
    let spec = ReadoutColumns::new("variant")
        .conversion("converted")
        .ratio("clicks", "sessions")
        .cuped("metric", "pre_metric");
    let stats = readout_stats_by_variant(table(cfg, "experiment")?, &spec)?;
    let arm = |name: &str| {
        stats
            .get(name)
            .ok_or(format!("no {name} arm in experiment"))
    };
    let (control, treatment) = (arm("control")?, arm("treatment")?);
    let counts = [control.n, treatment.n];
    let srm = sample_ratio_mismatch(&counts, &[0.5, 0.5], SrmConfig::default())?;

    let analysis = Analysis::builder()
        .alpha(cfg.alpha)
        .scale(Scale::Relative)
        .build()?;
    let cuped = analysis.cuped(&control.cuped[0], &treatment.cuped[0])?;
    let mut card = Scorecard::builder("finished experiment", analysis.clone(), srm.clone());
    card.add(
        MetricSpec::success("conversion"),
        "treatment",
        &control.conversions[0],
        &treatment.conversions[0],
    )?;
    card.add_outcome(
        MetricSpec::success("metric (CUPED)"),
        "treatment",
        cuped.adjusted.clone(),
    );
    card.add(
        MetricSpec::guardrail("clicks per session"),
        "treatment",
        &control.ratios[0],
        &treatment.ratios[0],
    )?;
    let scorecard = card.build()?;
    let total = (control.n + treatment.n) as f64;
    let settings = Sequential::new(total)?;
    let seq_conversion =
        analysis.sequential(&control.conversions[0], &treatment.conversions[0], settings)?;
    let seq_metric = analysis.sequential_cuped(&control.cuped[0], &treatment.cuped[0], settings)?;

    let mut rows: Vec<EffectRow> = scorecard
        .rows
        .iter()
        .map(|r| EffectRow {
            metric: r.metric.name.clone(),
            method: "fixed horizon".to_owned(),
            estimate: r.outcome.estimate,
            ci_low: r.outcome.ci.lower,
            ci_high: r.outcome.ci.upper,
            p_value: r.adjusted_p.unwrap_or(r.outcome.p_value),
            decision: words(&format!("{:?}", r.decision)),
        })
        .collect();
    for (metric, s) in [
        ("conversion", &seq_conversion),
        ("metric (CUPED)", &seq_metric),
    ] {
        rows.push(EffectRow {
            metric: metric.to_owned(),
            method: "always valid".to_owned(),
            estimate: s.estimate,
            ci_low: s.ci.lower,
            ci_high: s.ci.upper,
            p_value: s.p_value,
            decision: String::new(),
        });
    }
    let srm_ok = srm.status != SrmStatus::Mismatch;
    if !srm_ok {
        alerts.push(Alert {
            level: "critical",
            source: "experiment",
            text: format!(
                "sample-ratio mismatch (p = {:.2e}): do not trust the read-out",
                srm.p_value
            ),
        });
    }
    // The bundled set also has a copy of the experiment that lost 10% of treatment units.
    let srm_demo = match table(cfg, "experiment_srm") {
        Ok(lf) => {
            let s = readout_stats_by_variant(lf, &ReadoutColumns::new("variant"))?;
            let n: Vec<u64> = s.values().map(|v| v.n).collect();
            let check = sample_ratio_mismatch(&n, &[0.5, 0.5], SrmConfig::default())?;
            let ok = check.status != SrmStatus::Mismatch;
            if !ok {
                alerts.push(Alert {
                    level: "critical",
                    source: "experiment",
                    text: format!(
                        "experiment_srm: sample-ratio mismatch, {n:?} units for a 50/50 split (p = {:.2e})",
                        check.p_value
                    ),
                });
            }
            Some((check.p_value, ok))
        }
        Err(_) => None,
    };

    // The plan for the top feature: conversion at the finished experiment's control rate,
    // traffic at its enrolment rate unless given.
    let baseline = control.conversions[0].rate()?;
    let daily_units = match cfg.daily_units {
        Some(d) => d,
        None => total / enrolment_days(cfg)?,
    };
    let plan_cfg = PlanConfig::builder()
        .alpha(cfg.alpha)
        .alternative(Alternative::TwoSided)
        .build()?;
    let n = sample_size(
        &Design::proportion(baseline)?,
        baseline * cfg.relative_mde,
        Probability::new(cfg.power)?,
        &plan_cfg,
    )?;
    let days = duration(n.total, daily_units, 1.0)?;
    let start = calendar.add_business_days(today, 1)?;
    let end = start
        .checked_add_days(Days::new(days.days))
        .ok_or("the experiment ends after the calendar")?;

    Ok(ExperimentSummary {
        plan: ExperimentPlan {
            feature: top.feature.clone(),
            metric: "conversion".to_owned(),
            baseline,
            relative_mde: cfg.relative_mde,
            alpha: cfg.alpha,
            power: cfg.power,
            per_arm: n.control,
            total: n.total,
            daily_units,
            days: days.days,
            start,
            end,
        },
        readout: Readout {
            units: stats.iter().map(|(k, v)| (k.clone(), v.n)).collect(),
            srm_p_value: srm.p_value,
            srm_ok,
            cuped_variance_reduction: cuped.variance_reduction,
            verdict: format!("{:?}", scorecard.verdict),
            summary: scorecard.summary.clone(),
            rows,
            srm_demo,
            scorecard_markdown: scorecard.to_markdown(),
        },
    })
}

/// A variant name in words: `GuardrailHeld` → `guardrail held`.
fn words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Distinct days on which the finished experiment enrolled units.
fn enrolment_days(cfg: &Config) -> Result<f64, Error> {
    let days = table(cfg, "experiment")?
        .select([col("assigned_at")
            .cast(DataType::String)
            .str()
            .slice(lit(0), lit(10))
            .n_unique()
            .alias("days")])
        .collect()?;
    let n = days
        .column("days")?
        .u32()?
        .get(0)
        .ok_or("no enrolment day")?;
    Ok(f64::from(n.max(1)))
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/// The short terminal summary.
pub(crate) fn summary(r: &Review) -> String {
    let mut s = String::new();
    let fb = &r.feedback;
    let _ = writeln!(
        s,
        "product review of {} (as of {})",
        r.input,
        r.as_of.date()
    );
    let _ = writeln!(
        s,
        "feedback  {} items, {} PII redactions, sentiment {}; top themes by ARR: {}",
        fb.items,
        fb.redactions.values().sum::<usize>(),
        fb.sentiment
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        fb.themes
            .iter()
            .filter(|t| t.parent.is_none())
            .take(3)
            .map(|t| format!("{} (${:.0}k)", t.theme, t.arr_weighted / 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let k = &r.kpi;
    if let Some(last) = k.nps_by_month.last() {
        let _ = writeln!(
            s,
            "NPS       {} {:+.1} [{:+.1}, {:+.1}] (n = {}); by segment: {}",
            last.period,
            last.value,
            last.ci_low,
            last.ci_high,
            last.n,
            k.nps_by_segment_month
                .iter()
                .filter(|c| c.period == last.period)
                .map(|c| format!("{} {:+.0}", c.segment, c.value))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(e) = &k.explanation {
        let _ = writeln!(
            s,
            "change    NPS {}→{} {:+.1} pts = rate {:+.1} + mix {:+.1}; largest region effect: {}",
            e.from,
            e.to,
            e.change,
            e.rate,
            e.mix,
            e.by_region
                .iter()
                .max_by(|a, b| a.2.abs().total_cmp(&b.2.abs()))
                .map(|(r, _, rate)| format!("{r} {rate:+.1}"))
                .unwrap_or_default()
        );
    }
    let au = &k.active_users;
    let _ = writeln!(
        s,
        "usage     {}: DAU {:.0}, WAU {:.0}, MAU {:.0}; funnel {}",
        au.last_day,
        au.dau,
        au.wau,
        au.mau,
        k.funnel
            .iter()
            .map(|f| f.persons.to_string())
            .collect::<Vec<_>>()
            .join(" → ")
    );
    if let Some(b) = k.mrr.by_month.last() {
        let _ = writeln!(
            s,
            "MRR       {} {:.0} {} (new {:+.0}, expansion {:+.0}, contraction −{:.0}, churn −{:.0}); NRR {}",
            b.period,
            b.end,
            k.mrr.currency,
            b.new + b.reactivation,
            b.expansion,
            b.contraction,
            b.churn,
            b.nrr
                .map_or("n/a".to_owned(), |x| format!("{:.1}%", 100.0 * x))
        );
    }
    let _ = writeln!(
        s,
        "priority  {}",
        r.prioritization
            .iter()
            .take(4)
            .map(|f| format!("{}. {} ({:.0})", f.rank, f.feature, f.score))
            .collect::<Vec<_>>()
            .join("  ")
    );
    let p = &r.experiment.plan;
    let _ = writeln!(
        s,
        "test      {}: {} units/arm for {:+.0}% on {:.1}% conversion: {} days at {:.0}/day ({} → {})",
        p.feature,
        p.per_arm,
        100.0 * p.relative_mde,
        100.0 * p.baseline,
        p.days,
        p.daily_units,
        p.start,
        p.end
    );
    let l = &r.launch;
    let _ = writeln!(
        s,
        "launch    {} ({}): {} tasks, {} → {}, go-live {}",
        l.name,
        l.template,
        l.tasks.len(),
        l.start,
        l.finish,
        l.launch_date
    );
    let ro = &r.experiment.readout;
    let _ = writeln!(
        s,
        "readout   {} SRM p = {:.3}; CUPED removes {:.0}% of variance.",
        ro.summary,
        ro.srm_p_value,
        100.0 * ro.cuped_variance_reduction
    );
    for row in ro.rows.iter() {
        let _ = writeln!(
            s,
            "          {:<20} {:<14} {:+.2}% [{:+.2}%, {:+.2}%]",
            row.metric,
            row.method,
            100.0 * row.estimate,
            100.0 * row.ci_low,
            100.0 * row.ci_high
        );
    }
    let _ = writeln!(s, "alerts    {}", r.alerts.len());
    for a in r.alerts.iter().take(5) {
        let _ = writeln!(s, "  [{}] {}", a.level, a.text);
    }
    s
}

/// Writes `report.json`, `report.md` and `dashboard.html` into `out` (created if missing)
/// and returns their paths.
///
/// # Errors
///
/// When the folder or a file cannot be written, or a chart's data is invalid.
pub(crate) fn write_report(r: &Review, out: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let dashboard = dashboard(r)?;
    let files = [
        ("report.json", serde_json::to_string_pretty(r)?),
        ("report.md", dashboard.to_markdown()),
        ("dashboard.html", dashboard.to_html()?),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Text cells from displayable values.
macro_rules! row {
    ($($cell:expr),* $(,)?) => { vec![$($cell.to_string()),*] };
}

/// Header cells.
fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn pct(x: Option<f64>) -> String {
    x.map_or("n/a".to_owned(), |x| format!("{:.1}%", 100.0 * x))
}

/// The review as a dashboard: one section per step, charts from `prodops-report`.
///
/// # Errors
///
/// A [`ReportError`](prodops_report::ReportError) for invalid chart data.
pub(crate) fn dashboard(r: &Review) -> Result<Dashboard, Error> {
    let fb = &r.feedback;
    let k = &r.kpi;
    let ro = &r.experiment.readout;
    let plan = &r.experiment.plan;
    let l = &r.launch;
    let top = r.prioritization.first().ok_or("no ranked feature")?;

    // Summary: the headline numbers and every alert.
    let mut summary = Section::new("Summary");
    let mut figures = vec![("As of".to_owned(), r.as_of.date().to_string())];
    if let Some(n) = k.nps_by_month.last() {
        figures.push((
            format!("NPS {}", n.period),
            format!(
                "{:+.1} [{:+.1}, {:+.1}], n = {}",
                n.value, n.ci_low, n.ci_high, n.n
            ),
        ));
    }
    if let Some(b) = k.mrr.by_month.last() {
        figures.push((
            format!("MRR {}", b.period),
            format!("{:.0} {} (NRR {})", b.end, k.mrr.currency, pct(b.nrr)),
        ));
    }
    figures.push((
        "Top feature (RICE)".to_owned(),
        format!("{} ({:.0})", top.name, top.score),
    ));
    figures.push((
        "Launch".to_owned(),
        format!("{} on {}", l.name, l.launch_date),
    ));
    figures.push(("Finished experiment".to_owned(), ro.summary.clone()));
    summary.push(Block::KeyValues(figures));
    for a in &r.alerts {
        let level = match a.level {
            "critical" => AlertLevel::Critical,
            "warning" => AlertLevel::Warning,
            _ => AlertLevel::Info,
        };
        summary.push(Block::Alert {
            level,
            text: format!("{}: {}", a.source, a.text),
        });
    }
    let ingest = Table::new(
        header(&[
            "Table",
            "Rows read",
            "Accepted",
            "Rejected",
            "First rejections",
        ]),
        r.ingestion
            .iter()
            .map(|i| {
                row![
                    i.source,
                    i.rows_read,
                    i.rows_accepted,
                    i.rejected,
                    i.first_rejections.join("; ")
                ]
            })
            .collect(),
    )?;
    summary.push(ingest);

    // Feedback: volume and demand per theme, and what customers said.
    let mut feedback = Section::new("Customer feedback");
    feedback.push(Block::KeyValues(vec![
        (
            "Items".to_owned(),
            format!("{} ({} could not be processed)", fb.items, fb.failed),
        ),
        (
            "PII redacted".to_owned(),
            fb.redactions
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Sentiment".to_owned(),
            format!(
                "{} ({} not English, not scored)",
                fb.sentiment
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                fb.sentiment_skipped
            ),
        ),
        (
            "Rising themes".to_owned(),
            if fb.rising.is_empty() {
                "none".to_owned()
            } else {
                fb.rising.join(", ")
            },
        ),
    ]));
    let mut by_volume: Vec<&ThemeRow> = fb.themes.iter().filter(|t| t.parent.is_none()).collect();
    by_volume.sort_by_key(|t| std::cmp::Reverse(t.items));
    feedback.push(
        BarChart::new(
            "Feedback items by theme",
            "Theme",
            "Items",
            by_volume
                .iter()
                .map(|t| {
                    Bar::new(t.name.as_str(), t.items as f64)
                        .with_note(format!("{} accounts", t.unique_accounts))
                })
                .collect(),
        )?
        .horizontal(),
    );
    feedback.push(Table::new(
        header(&[
            "Theme",
            "Parent",
            "Items",
            "Accounts",
            "ARR-weighted",
            "Importance-weighted",
            "Negative",
        ]),
        fb.themes
            .iter()
            .map(|t| {
                row![
                    t.name,
                    t.parent.as_deref().unwrap_or(""),
                    t.items,
                    t.unique_accounts,
                    format!("{:.0}", t.arr_weighted),
                    format!("{:.0}", t.importance_weighted),
                    pct(t.negative_share)
                ]
            })
            .collect(),
    )?);
    feedback.push(Block::Paragraph(
        "The most negative item of each of the top themes by ARR-weighted demand (PII redacted):"
            .to_owned(),
    ));
    feedback.push(Block::KeyValues(
        fb.excerpts
            .iter()
            .map(|e| {
                let score = e.compound.map_or("n/a".to_owned(), |c| format!("{c:+.2}"));
                (
                    format!("{} ({score})", e.theme),
                    format!(
                        "“{}” ({}, {}, {})",
                        e.text,
                        e.id,
                        e.channel,
                        e.received_at.date()
                    ),
                )
            })
            .collect(),
    ));

    // NPS and CSAT.
    let mut nps = Section::new("NPS and satisfaction");
    nps.push(LineBandChart::new(
        format!(
            "NPS by month with its {:.0}% interval",
            100.0 * (1.0 - plan.alpha)
        ),
        "Month",
        "NPS",
        vec![ReportSeries::new(
            "All customers",
            k.nps_by_month
                .iter()
                .map(|c| BandPoint::new(c.period.as_str(), c.value, c.ci_low, c.ci_high))
                .collect(),
        )],
    )?);
    let last_period = k
        .nps_by_month
        .last()
        .map(|c| c.period.clone())
        .unwrap_or_default();
    nps.push(Table::new(
        header(&[
            "Segment",
            "Month",
            "Answers",
            "NPS",
            "NPS interval",
            "CSAT",
            "CSAT interval",
        ]),
        k.nps_by_segment_month
            .iter()
            .filter(|c| c.period == last_period)
            .map(|c| {
                let csat = k
                    .csat_by_segment_month
                    .iter()
                    .find(|x| x.segment == c.segment && x.period == c.period);
                row![
                    c.segment,
                    c.period,
                    c.n,
                    format!("{:+.1}", c.value),
                    format!("[{:+.1}, {:+.1}]", c.ci_low, c.ci_high),
                    csat.map_or("n/a".to_owned(), |x| format!("{:.1}%", x.value)),
                    csat.map_or("n/a".to_owned(), |x| format!(
                        "[{:.1}%, {:.1}%]",
                        x.ci_low, x.ci_high
                    ))
                ]
            })
            .collect(),
    )?);
    nps.push(Block::Paragraph(format!(
        "CSAT is the {}.",
        k.csat_definition
    )));
    if let Some(e) = &k.explanation {
        nps.push(Block::Paragraph(format!(
            "NPS moved {:+.1} points from {} to {} (p = {:.3}): {:+.1} from the regions' own scores \
             (rate) and {:+.1} from the mix of answers across regions (Shapley decomposition).",
            e.change, e.from, e.to, e.p_value, e.rate, e.mix
        )));
        nps.push(Table::new(
            header(&["Region", "Rate effect (points)", "Mix effect (points)"]),
            e.by_region
                .iter()
                .map(|(region, mix, rate)| {
                    row![region, format!("{rate:+.2}"), format!("{mix:+.2}")]
                })
                .collect(),
        )?);
    }

    // Usage: active users, the funnel, retention.
    let mut usage = Section::new("Product usage");
    let au = &k.active_users;
    usage.push(Block::KeyValues(vec![
        ("Last day".to_owned(), au.last_day.to_string()),
        (
            "DAU / WAU / MAU".to_owned(),
            format!("{:.0} / {:.0} / {:.0}", au.dau, au.wau, au.mau),
        ),
        ("Stickiness (DAU/MAU)".to_owned(), pct(au.stickiness)),
    ]));
    usage.push(LineBandChart::new(
        "Daily active users",
        "Day",
        "Users",
        vec![ReportSeries::new(
            "DAU",
            au.daily
                .iter()
                .map(|(d, v)| BandPoint::exact(d.format("%m-%d").to_string(), *v))
                .collect(),
        )],
    )?);
    usage.push(
        BarChart::new(
            format!("Onboarding funnel ({}-day window)", k.funnel_window_days),
            "Step",
            "People",
            k.funnel
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let note = if i == 0 {
                        format!("{} people", f.persons)
                    } else {
                        format!("{} of the previous step", pct(f.conversion_from_previous))
                    };
                    Bar::new(f.step.as_str(), f.persons as f64).with_note(note)
                })
                .collect(),
        )?
        .horizontal(),
    );
    let weeks = k.retention.iter().map(|c| c.rates.len()).max().unwrap_or(0);
    usage.push(
        Heatmap::new(
            "Weekly retention by signup cohort",
            "Weeks after signup",
            "Signup week",
            k.retention.iter().map(|c| c.cohort.clone()).collect(),
            (0..weeks).map(|w| format!("W{w}")).collect(),
            k.retention
                .iter()
                .map(|c| {
                    (0..weeks)
                        .map(|w| c.rates.get(w).copied().flatten())
                        .collect()
                })
                .collect(),
        )?
        .with_format(NumberFormat::Percent(0)),
    );

    // Revenue: the MRR bridge.
    let mut revenue = Section::new("Revenue");
    let bridge_rows = |rows: &[&BridgeRow], by: &str| -> Result<Table, Error> {
        Ok(Table::new(
            header(&[
                by,
                "Start",
                "New",
                "Reactivation",
                "Expansion",
                "Contraction",
                "Churn",
                "End",
                "GRR",
                "NRR",
            ]),
            rows.iter()
                .map(|b| {
                    row![
                        if by == "Month" { &b.period } else { &b.segment },
                        format!("{:.0}", b.start),
                        format!("{:.0}", b.new),
                        format!("{:.0}", b.reactivation),
                        format!("{:.0}", b.expansion),
                        format!("{:.0}", b.contraction),
                        format!("{:.0}", b.churn),
                        format!("{:.0}", b.end),
                        pct(b.grr),
                        pct(b.nrr)
                    ]
                })
                .collect(),
        )?)
    };
    revenue.push(Block::Paragraph(format!(
        "MRR bridge in {}: start + new + reactivation + expansion − contraction − churn = end.",
        k.mrr.currency
    )));
    let months: Vec<&BridgeRow> = k.mrr.by_month.iter().rev().take(6).rev().collect();
    revenue.push(bridge_rows(&months, "Month")?);
    let segments: Vec<&BridgeRow> = k.mrr.by_segment_last_month.iter().collect();
    revenue.push(bridge_rows(&segments, "Segment")?);

    // Prioritization.
    let mut priority = Section::new("Prioritization");
    priority.push(Block::Paragraph(
        "RICE = reach × impact × confidence ÷ effort; reach is the demand of the feature's theme in customer feedback.".to_owned(),
    ));
    priority.push(Table::new(
        header(&[
            "Rank",
            "Feature",
            "Theme",
            "Reach",
            "Impact",
            "Confidence",
            "Effort",
            "RICE",
        ]),
        r.prioritization
            .iter()
            .map(|f| {
                row![
                    f.rank,
                    f.name,
                    f.theme,
                    format!("{:.0}", f.reach),
                    f.impact,
                    f.confidence,
                    f.effort,
                    format!("{:.1}", f.score)
                ]
            })
            .collect(),
    )?);

    // Launch plan.
    let mut launch = Section::new("Launch plan");
    launch.push(Block::KeyValues(vec![
        (
            "Plan".to_owned(),
            format!("{} (template {})", l.name, l.template),
        ),
        ("Go-live".to_owned(), l.launch_date.to_string()),
        ("Span".to_owned(), format!("{} → {}", l.start, l.finish)),
        (
            "Critical path".to_owned(),
            format!(
                "{} ({} working days)",
                l.critical_path.join(" → "),
                l.critical_path_days
            ),
        ),
    ]));
    let tasks = l
        .tasks
        .iter()
        .map(|t| {
            let task = GanttTask::new(t.name.as_str(), t.start, t.due)?.critical(t.critical);
            Ok(if t.start == t.due && t.due == l.launch_date {
                task.milestone()
            } else {
                task
            })
        })
        .collect::<Result<Vec<_>, prodops_report::ReportError>>()?;
    launch.push(GanttChart::new(
        format!("Launch of {}", top.name),
        "Date",
        "Task",
        tasks,
    )?);
    launch.push(Table::new(
        header(&["Gate", "Review date"]),
        l.gates
            .iter()
            .map(|(g, d)| row![g, d.map_or("n/a".to_owned(), |d| d.to_string())])
            .collect(),
    )?);

    // Experiment: the plan for the top feature and the finished experiment's read-out.
    let mut experiment = Section::new("Experiment");
    experiment.push(Block::KeyValues(vec![
        (
            format!("Plan for {}", top.name),
            format!(
                "{} per arm ({} in all) to detect {:+.0}% on a {:.1}% {} at α = {}, power {}",
                plan.per_arm,
                plan.total,
                100.0 * plan.relative_mde,
                100.0 * plan.baseline,
                plan.metric,
                plan.alpha,
                plan.power
            ),
        ),
        (
            "Duration".to_owned(),
            format!(
                "{} days at {:.0} units a day: {} → {}",
                plan.days, plan.daily_units, plan.start, plan.end
            ),
        ),
        (
            "Finished experiment".to_owned(),
            format!(
                "{} units; SRM p = {:.3}; CUPED removes {:.0}% of the metric's variance",
                ro.units
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                ro.srm_p_value,
                100.0 * ro.cuped_variance_reduction
            ),
        ),
        ("Verdict".to_owned(), ro.summary.clone()),
    ]));
    experiment.push(
        ForestPlot::new(
            "Relative effects of the finished experiment",
            "Relative effect (treatment vs control)",
            "Metric",
            ro.rows
                .iter()
                .map(|e| {
                    ForestRow::new(
                        format!("{} ({})", e.metric, e.method),
                        e.estimate,
                        e.ci_low,
                        e.ci_high,
                    )
                })
                .collect(),
        )?
        .with_format(NumberFormat::Percent(1)),
    );
    experiment.push(Table::new(
        header(&["Metric", "Method", "Effect", "Interval", "p", "Decision"]),
        ro.rows
            .iter()
            .map(|e| {
                row![
                    e.metric,
                    e.method,
                    format!("{:+.2}%", 100.0 * e.estimate),
                    format!("[{:+.2}%, {:+.2}%]", 100.0 * e.ci_low, 100.0 * e.ci_high),
                    if e.p_value < 1e-4 {
                        "< 0.0001".to_owned()
                    } else {
                        format!("{:.4}", e.p_value)
                    },
                    e.decision
                ]
            })
            .collect(),
    )?);

    Ok(Dashboard {
        title: "Product review".to_owned(),
        subtitle: Some(format!(
            "Input folder {} · data up to {}",
            r.input,
            r.as_of.date()
        )),
        sections: vec![
            summary, feedback, nps, usage, revenue, priority, launch, experiment,
        ],
    })
}
