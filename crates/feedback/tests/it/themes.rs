use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use prodops_core::{Grain, Period};
use prodops_feedback::model::{Taxonomy, ThemeId};
use prodops_feedback::themes::{
    RisingConfig, RuleTagger, TaggedItem, ThemeTable, ThemeTagger, ctfidf, poisson_rate_pvalue,
    rising_themes,
};
use proptest::prelude::*;

use crate::common::{R, truth};

fn taxonomy() -> Result<Taxonomy, Box<dyn std::error::Error>> {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/sample_taxonomy.json"
    ))?;
    Ok(serde_json::from_str(&raw)?)
}

/// Micro-averaged precision and recall of the level-1 themes against the planted `themes`
/// column of data/feedback.csv.
#[test]
fn rule_tagger_against_planted_themes() -> R {
    let tax = taxonomy()?;
    let tagger = RuleTagger::new(&tax)?;
    let (mut tp, mut fp, mut fnn) = (0, 0, 0);
    for row in truth()? {
        let got: Vec<String> = tagger
            .assign(&row.text)
            .into_iter()
            .filter(|t| tax.get(t).is_some_and(|x| x.parent.is_none()))
            .map(|t| t.to_string())
            .collect();
        for g in &got {
            if row.themes.contains(g) {
                tp += 1
            } else {
                fp += 1
            }
        }
        fnn += row.themes.iter().filter(|t| !got.contains(t)).count();
    }
    let precision = tp as f64 / (tp + fp) as f64;
    let recall = tp as f64 / (tp + fnn) as f64;
    eprintln!("themes: tp {tp} fp {fp} fn {fnn}; precision {precision:.4} recall {recall:.4}");
    assert!(precision > 0.85 && recall > 0.9);
    Ok(())
}

#[test]
fn tagger_adds_ancestors_and_rejects_empty_phrases() -> R {
    let tax = taxonomy()?;
    let tagger = RuleTagger::new(&tax)?;
    let got: Vec<String> = tagger
        .assign("Please add DARK MODE")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(got, ["feature_request", "dark_mode"]);
    assert!(tagger.assign("").is_empty());
    let bad = Taxonomy::new(vec![prodops_feedback::model::Theme::new(
        "x",
        None,
        &["!!"],
    )?])?;
    assert!(RuleTagger::new(&bad).is_err());
    Ok(())
}

#[test]
fn ctfidf_matches_the_hand_computation() {
    // Class terms: {csv, csv export, export} and {okta, okta sso, sso}, each tf 1, f(x) = 1,
    // A = 6 terms / 2 classes = 3, so W = (1/3) ln(1 + 3) = 0.462098120373297 for every term;
    // ties break alphabetically.
    let top = ctfidf(&[("a", vec!["CSV export"]), ("b", vec!["the Okta SSO"])], 3);
    let w = 4f64.ln() / 3.0;
    let a: Vec<(&str, f64)> = top[0]
        .1
        .iter()
        .map(|k| (k.term.as_str(), k.weight))
        .collect();
    assert_eq!(
        a.iter().map(|x| x.0).collect::<Vec<_>>(),
        ["csv", "csv export", "export"]
    );
    assert!(a.iter().all(|x| (x.1 - w).abs() < 1e-15));
    // A term in both classes is down-weighted: "slow" has f = 2 -> ln(1 + A/2).
    let top = ctfidf(&[("a", vec!["slow export"]), ("b", vec!["slow sso"])], 5);
    let slow = top[0].1.iter().find(|k| k.term == "slow").map(|k| k.weight);
    // A = 6/2 = 3; tf/norm = 1/3; ln(1 + 3/2) / 3.
    assert!((slow.unwrap_or(0.0) - (2.5f64).ln() / 3.0).abs() < 1e-15);
}

#[test]
fn poisson_rate_test_matches_scipy() -> R {
    // scipy.stats.binomtest(x1, x1 + x0, 1/(1+k), alternative="greater").pvalue
    for (x1, x0, k, want) in [
        (12, 9, 3, 0.00168707910052035),
        (30, 40, 4, 1.152899783861882e-05),
        (5, 20, 4, 0.5793256907478678),
        (0, 6, 2, 1.0),
    ] {
        let got = poisson_rate_pvalue(x1, x0, k)?;
        assert!(
            (got - want).abs() < 1e-10 * want.max(1e-3),
            "{x1} {x0} {k}: {got} vs {want}"
        );
    }
    assert!(poisson_rate_pvalue(1, 1, 0).is_err());
    Ok(())
}

fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap_or_default()
}

#[test]
fn rising_theme_is_flagged_and_steady_one_is_not() -> R {
    let up = ThemeId::new("exports")?;
    let flat = ThemeId::new("pricing")?;
    let mut counts = BTreeMap::new();
    let may: Period = "2026-05".parse()?;
    for (k, (u, f)) in [(3, 10), (2, 9), (4, 11), (3, 10), (12, 10)]
        .into_iter()
        .enumerate()
    {
        let p = may.offset(k as i64 - 4)?;
        counts.insert((up.clone(), p), u);
        counts.insert((flat.clone(), p), f);
    }
    let out = rising_themes(&counts, may, &RisingConfig::default())?;
    assert_eq!(out[0].theme, up);
    assert!(out[0].rising);
    // Baseline 3 + 2 + 4 + 3 = 12 over 4 months: mean 3, ratio 4, z = (12 - 3)/sqrt(3).
    assert_eq!(out[0].ratio, Some(4.0));
    assert!((out[0].z.unwrap_or(0.0) - 9.0 / 3f64.sqrt()).abs() < 1e-12);
    assert!(!out[1].rising);
    Ok(())
}

#[test]
fn theme_table_interval_matches_scipy_t() -> R {
    let t = ThemeId::new("x")?;
    let xs = [-0.5, 0.1, 0.3, -0.2, 0.6];
    let items: Vec<TaggedItem> = xs
        .iter()
        .map(|x| TaggedItem::new(at(2026, 5, 1), vec![t.clone()], Some(*x)))
        .collect();
    let s = ThemeTable::build(&items, Grain::Month)
        .by_theme(&t)
        .summary();
    // mean 0.06; sample variance = (Σx² - 5·0.06²)/4 = (0.75 - 0.018)/4 = 0.183;
    // half width = t.ppf(0.975, 4) = 2.7764451051977934 times sqrt(0.183/5).
    let half = 2.7764451051977934 * (0.183f64 / 5.0).sqrt();
    let (lo, hi) = s.ci95.ok_or("ci")?;
    assert!((lo - (0.06 - half)).abs() < 1e-9 && (hi - (0.06 + half)).abs() < 1e-9);
    assert_eq!(s.negative_share, Some(0.4));
    Ok(())
}

proptest! {
    #[test]
    fn theme_table_is_shard_invariant(
        rows in proptest::collection::vec((0u32..3, 1u32..28, -1.0f64..1.0, 0u8..3), 0..60),
        cut in 0usize..60,
    ) {
        let themes = ["a", "b", "c"].map(|s| ThemeId::new(s).unwrap_or_else(|_| unreachable!()));
        let items: Vec<TaggedItem> = rows.iter().map(|(t, d, x, seg)| {
            TaggedItem::new(at(2026, 1 + (*d % 3), *d), vec![themes[*t as usize].clone()], Some(*x))
                .with_account(None, Some(format!("s{seg}")))
        }).collect();
        let cut = cut.min(items.len());
        let whole = ThemeTable::build(&items, Grain::Week);
        let mut left = ThemeTable::build(&items[..cut], Grain::Week);
        left.merge(&ThemeTable::build(&items[cut..], Grain::Week)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(whole.counts(), left.counts());
        for t in &themes {
            let (a, b) = (whole.by_theme(t), left.by_theme(t));
            prop_assert_eq!(a.n, b.n);
            prop_assert!((a.sum - b.sum).abs() < 1e-9);
            if let Some(m) = a.summary().mean_compound { prop_assert!((-1.0..=1.0).contains(&m)); }
        }
    }
}
