//! The product review on the bundled data (checked against the raw files and the truth the
//! generator planted) and on a small input whose feedback carries markup.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::review::{self, Config};

type R = Result<(), review::Error>;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The rows of a bundled CSV as header → value maps (the files have no quoted commas in the
/// columns read here, so a plain split is an independent reader).
fn rows(name: &str, columns: &[&str]) -> Result<Vec<BTreeMap<String, String>>, review::Error> {
    let text = std::fs::read_to_string(data_dir().join(name))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty file")?.split(',').collect();
    let index: Vec<usize> = columns
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .ok_or(format!("no column {c}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            columns
                .iter()
                .zip(&index)
                .map(|(c, &i)| {
                    (
                        (*c).to_owned(),
                        fields.get(i).copied().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .collect())
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn bundled_data_review_matches_the_raw_files_and_the_planted_truth() -> R {
    let out = tempfile::tempdir()?;
    let mut steps = Vec::new();
    let r = review::run(&Config::new(data_dir()), &mut |i| steps.push(i))?;
    assert_eq!(steps, (0..review::STEPS.len() - 1).collect::<Vec<_>>());
    let written = review::write_report(&r, out.path())?;
    for name in ["report.json", "report.md", "dashboard.html"] {
        let path = out.path().join(name);
        assert!(path.is_file(), "{name} missing");
        assert!(written.contains(&path));
    }
    assert!(!review::summary(&r).is_empty());

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("report.json"))?)?;
    for key in [
        "input",
        "as_of",
        "ingestion",
        "feedback",
        "kpi",
        "prioritization",
        "launch",
        "experiment",
        "alerts",
    ] {
        assert!(json.get(key).is_some(), "report.json has no {key}");
    }
    for key in [
        "nps_by_month",
        "nps_by_segment_month",
        "csat_by_segment_month",
        "active_users",
        "funnel",
        "retention",
        "mrr",
        "explanation",
    ] {
        assert!(
            json["kpi"].get(key).is_some(),
            "report.json has no kpi.{key}"
        );
    }
    assert!(
        r.ingestion.iter().all(|i| i.rejected == 0),
        "{:?}",
        r.ingestion
    );

    // NPS of the last month from the raw answers: 100 · (promoters − detractors) / n.
    let answers = rows("surveys.csv", &["answered_at", "score"])?;
    let last = r.kpi.nps_by_month.last().ok_or("no NPS")?;
    let month: Vec<i64> = answers
        .iter()
        .filter(|a| a["answered_at"].starts_with(&last.period))
        .map(|a| a["score"].parse())
        .collect::<Result<_, _>>()?;
    let promoters = month.iter().filter(|&&s| s >= 9).count() as f64;
    let detractors = month.iter().filter(|&&s| s <= 6).count() as f64;
    assert_eq!(last.n, month.len() as u64);
    assert!(close(
        last.value,
        100.0 * (promoters - detractors) / month.len() as f64,
        1e-9
    ));
    for c in r
        .kpi
        .nps_by_segment_month
        .iter()
        .chain(&r.kpi.csat_by_segment_month)
    {
        assert!(c.ci_low <= c.value && c.value <= c.ci_high, "{c:?}");
    }

    // The funnel starts with every person who signed up.
    let events = rows("events.csv", &["user_id", "event"])?;
    let signed_up: BTreeSet<&str> = events
        .iter()
        .filter(|e| e["event"] == "signed_up")
        .map(|e| e["user_id"].as_str())
        .collect();
    assert_eq!(r.kpi.funnel[0].persons, signed_up.len() as u64);
    assert!(
        r.kpi
            .funnel
            .windows(2)
            .all(|w| w[1].persons <= w[0].persons)
    );

    // The last month's closing MRR is the sum of that month's rows.
    let mrr = rows("mrr.csv", &["month", "mrr"])?;
    let bridge = r.kpi.mrr.by_month.last().ok_or("no bridge")?;
    let total: f64 = mrr
        .iter()
        .filter(|m| m["month"].starts_with(&bridge.period))
        .map(|m| m["mrr"].parse::<f64>())
        .sum::<Result<f64, _>>()?;
    assert!(close(bridge.end, total, 0.01), "{} vs {total}", bridge.end);
    let e = r.kpi.explanation.as_ref().ok_or("no explanation")?;
    assert!(close(e.mix + e.rate, e.change, 1e-9));

    // RICE: reach × impact × confidence ÷ effort, highest first.
    for f in &r.prioritization {
        assert!(close(
            f.score,
            f.reach * f.impact * f.confidence / f.effort,
            1e-9
        ));
        assert!(f.reach > 0.0, "{} has no demand", f.feature);
    }
    assert!(
        r.prioritization
            .windows(2)
            .all(|w| w[0].score >= w[1].score)
    );
    assert_eq!(r.launch.feature, r.prioritization[0].feature);
    assert!(r.launch.tasks.iter().all(|t| t.start <= t.due));
    assert!(r.launch.tasks.iter().any(|t| t.due == r.launch.launch_date));

    // The experiment plan's duration covers the sample at the daily traffic.
    let plan = &r.experiment.plan;
    assert_eq!(
        plan.days,
        (plan.total as f64 / plan.daily_units).ceil() as u64
    );

    // The generator planted a metric effect of +1.0 on a mean of about 50 (+2% relative), no
    // sample-ratio mismatch in `experiment` and a 10% loss of treatment in `experiment_srm`.
    let ro = &r.experiment.readout;
    assert!(ro.srm_ok);
    let (p, ok) = ro.srm_demo.ok_or("no experiment_srm check")?;
    assert!(!ok && p < 1e-3);
    for row in ro.rows.iter().filter(|row| row.metric == "metric (CUPED)") {
        assert!(row.ci_low < 0.02 && 0.02 < row.ci_high, "{row:?}");
    }
    assert!(ro.cuped_variance_reduction > 0.5);

    // Redaction: the planted e-mail addresses all use example domains.
    let text = std::fs::read_to_string(out.path().join("report.json"))?;
    assert!(!text.contains("@example") && !text.contains("@corp.example"));
    let html = std::fs::read_to_string(out.path().join("dashboard.html"))?;
    assert!(html.matches("<svg").count() >= 6, "fewer than 6 charts");
    Ok(())
}

/// Copies the bundled CSV tables into `dir` and writes a small feedback file with markup.
fn hostile_input(dir: &Path) -> R {
    for name in ["accounts", "surveys", "events", "mrr", "experiment"] {
        std::fs::copy(
            data_dir().join(format!("{name}.csv")),
            dir.join(format!("{name}.csv")),
        )?;
    }
    std::fs::write(
        dir.join("feedback.csv"),
        "feedback_id,channel,received_at,account_id,author_id,text\n\
         fb-1,support_ticket,2026-10-20 09:00:00,acct-00001,u1,The export is painfully slow <script>alert(1)</script> and it keeps crashing\n\
         fb-2,app_review,2026-10-21 10:00:00,acct-00002,u2,\"Please add dark mode, mail me at jo@acme.io\"\n\
         fb-3,survey,2026-10-22 11:00:00,acct-00003,u3,Pricing is fair and the support team was great <b>thanks</b>\n\
         fb-4,survey,not a date,acct-00003,u3,A row the report must name\n",
    )?;
    Ok(())
}

#[test]
fn user_text_is_escaped_in_the_dashboard() -> R {
    let input = tempfile::tempdir()?;
    hostile_input(input.path())?;
    let out = tempfile::tempdir()?;
    let r = review::run(&Config::new(input.path()), &mut |_| {})?;
    review::write_report(&r, out.path())?;

    let feedback = r
        .ingestion
        .iter()
        .find(|i| i.source == "feedback")
        .ok_or("no feedback report")?;
    assert_eq!((feedback.rows_read, feedback.rejected), (4, 1));
    assert!(
        r.feedback
            .excerpts
            .iter()
            .any(|e| e.text.contains("<script>alert(1)</script>"))
    );
    assert!(
        !r.feedback
            .excerpts
            .iter()
            .any(|e| e.text.contains("jo@acme.io"))
    );

    let html = std::fs::read_to_string(out.path().join("dashboard.html"))?;
    assert!(
        !html.contains("<script>alert(1)"),
        "raw markup from feedback in the dashboard"
    );
    assert!(!html.contains("<b>thanks"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let markdown = std::fs::read_to_string(out.path().join("report.md"))?;
    assert!(!markdown.contains("<script>") && markdown.contains("&lt;script&gt;"));
    Ok(())
}
