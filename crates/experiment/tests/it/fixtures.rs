//! Loading reference fixtures and comparing with stated tolerances.

use std::path::Path;

/// Parses `crates/experiment/fixtures/<name>` as JSON.
pub(crate) fn load(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Asserts `|actual − expected| ≤ rel · max(|expected|, tiny)`, naming the case. Infinite
/// expected values must match exactly.
#[track_caller]
pub(crate) fn assert_close(actual: f64, expected: f64, rel: f64, case: &str) {
    if expected.is_infinite() || actual.is_infinite() {
        assert_eq!(actual, expected, "{case}");
        return;
    }
    let scale = expected.abs().max(1e-300);
    let err = (actual - expected).abs() / scale;
    assert!(
        err <= rel || (actual - expected).abs() <= 1e-300,
        "{case}: got {actual:e}, expected {expected:e} (relative error {err:e} > {rel:e})"
    );
}

/// A JSON number, or ±∞ / NaN from the strings "inf", "-inf", "nan".
pub(crate) fn num(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::Number(n) => n.as_f64().unwrap(),
        serde_json::Value::String(s) => match s.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            "nan" => f64::NAN,
            other => panic!("not a number: {other}"),
        },
        other => panic!("not a number: {other}"),
    }
}

/// Tolerance for closed forms against scipy and statsmodels: 1e-9 relative.
pub(crate) const CLOSED: f64 = 1e-9;

/// `MeanStats` from a fixture's `{n, sum, sum_sq}`.
pub(crate) fn mean_stats(v: &serde_json::Value) -> prodops_experiment::MeanStats {
    prodops_experiment::MeanStats::new(v["n"].as_u64().unwrap(), num(&v["sum"]), num(&v["sum_sq"]))
        .unwrap()
}

/// `ProportionStats` from a fixture's `{n, successes}`.
pub(crate) fn proportion_stats(v: &serde_json::Value) -> prodops_experiment::ProportionStats {
    prodops_experiment::ProportionStats::new(
        v["n"].as_u64().unwrap(),
        v["successes"].as_u64().unwrap(),
    )
    .unwrap()
}

/// Asserts an estimate and its interval against a fixture's `estimate` and `ci` at [`CLOSED`].
#[track_caller]
pub(crate) fn assert_estimate_and_ci(
    estimate: f64,
    ci: prodops_experiment::Interval,
    reference: &serde_json::Value,
    label: &str,
) {
    assert_close(
        estimate,
        num(&reference["estimate"]),
        CLOSED,
        &format!("{label} estimate"),
    );
    assert_close(
        ci.lower,
        num(&reference["ci"][0]),
        CLOSED,
        &format!("{label} lower"),
    );
    assert_close(
        ci.upper,
        num(&reference["ci"][1]),
        CLOSED,
        &format!("{label} upper"),
    );
}
