use std::collections::HashMap;

use chrono::NaiveDate;
use prodops_sample::{
    AccountsConfig, CustomerSegment, Incident, Region, SampleError, SampleSpec, SurveyConfig,
    accounts_and_mrr, survey_responses,
};

use crate::small_accounts;

/// NPS from counts: % promoters (9–10) minus % detractors (0–6).
fn nps(scores: &[u8]) -> f64 {
    let n = scores.len() as f64;
    let promoters = scores.iter().filter(|s| **s >= 9).count() as f64;
    let detractors = scores.iter().filter(|s| **s <= 6).count() as f64;
    100.0 * (promoters - detractors) / n
}

/// The standard error of an NPS in points, from the true shares of promoters `p` and
/// detractors `d`: Var = (p + d − (p − d)²) / n.
fn nps_se(p: f64, d: f64, n: usize) -> f64 {
    100.0 * ((p + d - (p - d).powi(2)) / n as f64).sqrt()
}

#[test]
fn segment_nps_matches_the_planted_distributions() {
    // Truth derived by hand from the weights documented on SCORE_WEIGHTS:
    // SMB 46% promoters − 24% detractors = +22; Mid-Market 55 − 17 = +38;
    // Enterprise 41 − 27 = +14. No incident here, so every response follows them.
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let cfg = SurveyConfig::new(60_000, start, 90, 11);
    let rows = survey_responses(&cfg, &accounts, 0..60_000).unwrap();
    let mut by_segment: HashMap<CustomerSegment, Vec<u8>> = HashMap::new();
    for r in &rows {
        assert!(r.score <= 10);
        by_segment.entry(r.segment).or_default().push(r.score);
    }
    for (segment, truth, p, d) in [
        (CustomerSegment::Smb, 22.0, 0.46, 0.24),
        (CustomerSegment::MidMarket, 38.0, 0.55, 0.17),
        (CustomerSegment::Enterprise, 14.0, 0.41, 0.27),
    ] {
        let scores = &by_segment[&segment];
        let tolerance = 4.0 * nps_se(p, d, scores.len());
        let observed = nps(scores);
        assert!(
            (observed - truth).abs() < tolerance,
            "{segment}: NPS {observed:.2} vs {truth} ± {tolerance:.2} (n = {})",
            scores.len()
        );
    }
}

#[test]
fn the_incident_hits_only_its_region_and_window() {
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let incident = Incident {
        region: Region::Emea,
        start: NaiveDate::from_ymd_opt(2026, 1, 11).unwrap(),
        days: 10,
    };
    let cfg = SurveyConfig::new(40_000, start, 30, 5).with_incident(incident);
    let rows = survey_responses(&cfg, &accounts, 0..40_000).unwrap();
    let inside: Vec<u8> = rows
        .iter()
        .filter(|r| r.region == Region::Emea)
        .filter(|r| {
            let d = r.answered_at.date();
            d >= incident.start && (d - incident.start).num_days() < 10
        })
        .map(|r| r.score)
        .collect();
    // Hand-derived from INCIDENT_SCORE_WEIGHTS: 24% promoters − 50% detractors = −26.
    let tolerance = 4.0 * nps_se(0.24, 0.50, inside.len());
    assert!(
        (nps(&inside) + 26.0).abs() < tolerance,
        "{} ± {tolerance}",
        nps(&inside)
    );
    let other_regions: Vec<u8> = rows
        .iter()
        .filter(|r| r.region != Region::Emea)
        .map(|r| r.score)
        .collect();
    assert!(nps(&other_regions) > 10.0, "{}", nps(&other_regions));
}

#[test]
fn responses_fall_inside_the_window_and_favour_weekdays() {
    use chrono::{Datelike, Weekday};
    let spec = SampleSpec::small();
    let cfg = spec.surveys();
    let accounts = small_accounts();
    let rows = survey_responses(&cfg, &accounts, 0..5_000).unwrap();
    let end = cfg.start + chrono::Days::new(u64::from(cfg.days));
    assert!(
        rows.iter()
            .all(|r| r.answered_at.date() >= cfg.start && r.answered_at.date() < end)
    );
    // Weekend days weigh 0.4 against 1.0: expected weekend share 0.8 / (5 + 0.8) ≈ 0.138.
    let weekend = rows
        .iter()
        .filter(|r| matches!(r.answered_at.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as f64
        / rows.len() as f64;
    assert!(
        (weekend - 0.8 / 5.8).abs() < 4.0 * crate::se(0.138, rows.len()),
        "{weekend}"
    );
    let account_ids: std::collections::HashSet<&str> =
        accounts.iter().map(|a| a.account_id.as_str()).collect();
    assert!(
        rows.iter()
            .all(|r| account_ids.contains(r.account_id.as_str()))
    );
}

#[test]
fn mrr_history_is_consistent_with_accounts() {
    let cfg = AccountsConfig::new(300, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 12, 3);
    let (accounts, mrr) = accounts_and_mrr(&cfg).unwrap();
    assert_eq!(accounts.len(), 300);
    let last_month = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    for a in &accounts {
        let last = mrr
            .iter()
            .find(|r| r.account_id == a.account_id && r.month == last_month);
        match last {
            // A paying account's ARR is 12 × its last MRR (to the cent, as both are cents).
            Some(row) => assert!((a.arr - 12.0 * row.mrr).abs() < 0.005, "{}", a.account_id),
            // No revenue in the last month: free, churned, or not yet paying.
            None => assert!(a.arr >= 0.0),
        }
    }
    assert!(mrr.iter().all(|r| r.mrr >= 1.0 && r.month.day0() == 0));
    // Months are first days inside the 12-month history.
    assert!(
        mrr.iter()
            .all(|r| r.month >= cfg.first_month && r.month <= last_month)
    );
}

use chrono::Datelike;

#[test]
fn invalid_configs_are_errors() {
    let accounts = small_accounts();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert!(matches!(
        survey_responses(&SurveyConfig::new(10, start, 0, 1), &accounts, 0..10),
        Err(SampleError::InvalidConfig {
            field: "surveys.days",
            ..
        })
    ));
    assert!(survey_responses(&SurveyConfig::new(10, start, 5, 1), &[], 0..10).is_err());
    assert!(accounts_and_mrr(&AccountsConfig::new(0, start, 12, 1)).is_err());
    assert!(accounts_and_mrr(&AccountsConfig::new(5, start, 0, 1)).is_err());
}
