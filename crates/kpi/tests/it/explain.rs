//! Change explanations against numpy fixtures (fixtures/explain_fixtures.py), hand-worked
//! cases with the arithmetic in comments, and properties.

use prodops_kpi::KpiError;
use prodops_kpi::explain::{
    Decomposer, Effects, Laspeyres, MetricTree, MultiSegment, Paasche, Period, ProductMethod,
    Segment, SegmentInputs, Shapley, sequential, shapley_dimensions,
};
use proptest::prelude::*;
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixtures() -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(include_str!(
        "../../fixtures/explain_fixtures.json"
    ))?)
}

fn floats(v: &Value) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    v.as_array()
        .ok_or("not an array")?
        .iter()
        .map(|x| x.as_f64().ok_or_else(|| "not a number".into()))
        .collect()
}

fn f(v: &Value) -> Result<f64, Box<dyn std::error::Error>> {
    v.as_f64()
        .ok_or_else(|| format!("not a number: {v}").into())
}

fn close(a: f64, b: f64, tol: f64, what: &str) -> TestResult {
    if (a - b).abs() <= tol * b.abs().max(1.0) {
        Ok(())
    } else {
        Err(format!("{what}: got {a}, expected {b}").into())
    }
}

#[test]
fn mix_rate_interaction_match_numpy() -> TestResult {
    let fx = fixtures()?;
    let m = &fx["mix"];
    let (v0, n0, v1, n1) = (
        floats(&m["volume0"])?,
        floats(&m["numerator0"])?,
        floats(&m["volume1"])?,
        floats(&m["numerator1"])?,
    );
    let segments = (0..v0.len())
        .map(|i| Segment::new(format!("s{i}"), v0[i], n0[i], v1[i], n1[i]))
        .collect::<Result<Vec<_>, _>>()?;
    let methods: [(&str, &dyn Decomposer); 3] = [
        ("laspeyres", &Laspeyres),
        ("paasche", &Paasche),
        ("shapley", &Shapley),
    ];
    for (name, method) in methods {
        let d = method.decompose(&segments)?;
        // Rates are O(0.1) and the sums run over six terms: 1e-12 absolute.
        close(d.change, f(&m["change"])?, 1e-12, "change")?;
        close(d.mix, f(&m[name]["mix"])?, 1e-12, &format!("{name} mix"))?;
        close(d.rate, f(&m[name]["rate"])?, 1e-12, &format!("{name} rate"))?;
        close(
            d.interaction,
            f(&m[name]["interaction"])?,
            1e-12,
            &format!("{name} interaction"),
        )?;
        close(
            d.volume_effect,
            f(&m["volume_effect"])?,
            1e-12,
            "volume effect",
        )?;
        close(
            d.rate_change_effect,
            f(&m["rate_change_effect"])?,
            1e-12,
            "rate-change effect",
        )?;
    }
    let d = Laspeyres.decompose(&segments)?;
    for (row, want) in d
        .segments
        .iter()
        .zip(floats(&m["laspeyres"]["segment_mix"])?)
    {
        close(row.effects.mix, want, 1e-12, "segment mix")?;
    }
    Ok(())
}

#[test]
fn metric_tree_products_match_lmdi_and_permutation_shapley() -> TestResult {
    let fx = fixtures()?;
    for (name, case) in fx["trees"].as_object().ok_or("trees")? {
        let factors = case["factors"].as_array().ok_or("factors")?;
        let exps: Vec<i64> = case["exps"]
            .as_array()
            .ok_or("exps")?
            .iter()
            .map(|e| e.as_i64().ok_or("exp"))
            .collect::<Result<_, _>>()?;
        let leaves = factors
            .iter()
            .enumerate()
            .map(|(j, x)| {
                MetricTree::leaf(format!("x{j}"), f(&x[0])?, f(&x[1])?).map_err(Into::into)
            })
            .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
        let tree = if exps == [1, -1] {
            let mut it = leaves.into_iter();
            MetricTree::ratio(it.next().ok_or("a")?, it.next().ok_or("b")?)
        } else {
            MetricTree::product(leaves)
        };
        let method = if name.ends_with("lmdi") {
            ProductMethod::Lmdi
        } else {
            ProductMethod::Shapley
        };
        let a = tree.attribute(method)?;
        let want = floats(&case["weights"])?;
        // Different summation orders over at most 24 permutations: 1e-9 relative.
        for (leaf, w) in a.leaves.iter().zip(&want) {
            close(
                leaf.contribution,
                *w,
                1e-9,
                &format!("{name} {}", leaf.name),
            )?;
        }
        let sum: f64 = a.leaves.iter().map(|l| l.contribution).sum();
        close(sum, a.change, 1e-9, &format!("{name} sum"))?;
    }
    Ok(())
}

#[test]
fn mix_shift_toward_a_low_rate_segment_is_all_mix() -> TestResult {
    // Desktop converts at 10% and mobile at 4% in both months. Traffic moves from 80/20 to
    // 50/50 (desktop 8,000 → 5,000 visitors, mobile 2,000 → 5,000).
    // R⁰ = (800 + 80)/10,000 = 8.8%; R¹ = (500 + 200)/10,000 = 7%; ΔR = −1.8 points.
    let segments = [
        Segment::new("desktop", 8_000.0, 800.0, 5_000.0, 500.0)?,
        Segment::new("mobile", 2_000.0, 80.0, 5_000.0, 200.0)?,
    ];
    for method in [&Laspeyres as &dyn Decomposer, &Paasche, &Shapley] {
        let d = method.decompose(&segments)?;
        assert!((d.change - (-0.018)).abs() < 1e-15, "{}", d.change);
        // Laspeyres mix: desktop Δs = −0.3 × (0.10 − 0.088) = −0.0036;
        //                mobile  Δs = +0.3 × (0.04 − 0.088) = −0.0144; sum −0.018.
        assert!(
            (d.mix - (-0.018)).abs() < 1e-15,
            "{} mix {}",
            d.method,
            d.mix
        );
        assert_eq!(d.rate, 0.0);
        assert_eq!(d.interaction, 0.0);
    }
    let d = Laspeyres.decompose(&segments)?;
    assert!((d.segments[0].effects.mix - (-0.0036)).abs() < 1e-15);
    assert!((d.segments[1].effects.mix - (-0.0144)).abs() < 1e-15);
    // Same total volume, so orders fall only through the rate: ΔT = 0 × 0.088 + 10,000 × −0.018.
    assert_eq!(d.volume_effect, 0.0);
    assert!((d.rate_change_effect - (-180.0)).abs() < 1e-9);
    assert_eq!(d.total, [880.0, 700.0]);
    Ok(())
}

#[test]
fn rate_and_interaction_by_hand() -> TestResult {
    // a: 100 → 300 units, 10% → 20%;  b: 100 → 100 units, 30% → 30%.
    // s⁰ = (0.5, 0.5), s¹ = (0.75, 0.25); R⁰ = 40/200 = 0.2, R¹ = (60 + 30)/400 = 0.225.
    // Laspeyres: rate = 0.5 × 0.1 = 0.05; mix = 0.25 × (0.1 − 0.2) + (−0.25) × (0.3 − 0.2) = −0.05;
    //            interaction = 0.25 × 0.1 = 0.025; total 0.025 = ΔR.
    // Paasche:   rate = 0.75 × 0.1 = 0.075; mix = 0.25 × (0.2 − 0.225) − 0.25 × (0.3 − 0.225)
    //            = −0.025; interaction = −0.025.
    // Shapley:   rate = 0.625 × 0.1 = 0.0625; mix = 0.25 × (0.15 − 0.2125) − 0.25 × (0.3 − 0.2125)
    //            = −0.0375.
    let segments = [
        Segment::new("a", 100.0, 10.0, 300.0, 60.0)?,
        Segment::new("b", 100.0, 30.0, 100.0, 30.0)?,
    ];
    let expect = [
        (&Laspeyres as &dyn Decomposer, -0.05, 0.05, 0.025),
        (&Paasche, -0.025, 0.075, -0.025),
        (&Shapley, -0.0375, 0.0625, 0.0),
    ];
    for (method, mix, rate, interaction) in expect {
        let d = method.decompose(&segments)?;
        assert!((d.change - 0.025).abs() < 1e-15);
        assert!((d.mix - mix).abs() < 1e-15, "{} mix {}", d.method, d.mix);
        assert!(
            (d.rate - rate).abs() < 1e-15,
            "{} rate {}",
            d.method,
            d.rate
        );
        assert!((d.interaction - interaction).abs() < 1e-15, "{}", d.method);
    }
    // Shapley is the mean of Laspeyres and Paasche.
    Ok(())
}

#[test]
fn a_segment_absent_in_one_period_is_all_mix_and_flagged() -> TestResult {
    // Tablet launches in period 1: 0 → 1,000 units at 2%.
    // R⁰ = 100/1,000 = 10%; R¹ = (100 + 20)/2,000 = 6%; ΔR = −4 points.
    // Tablet's Laspeyres mix = s¹ (r¹ − R⁰) = 0.5 × (0.02 − 0.10) = −0.04; web's Δs = −0.5 at
    // its own rate 10% = R⁰ adds 0; rates did not move.
    let segments = [
        Segment::new("web", 1_000.0, 100.0, 1_000.0, 100.0)?,
        Segment::new("tablet", 0.0, 0.0, 1_000.0, 20.0)?,
    ];
    let d = Laspeyres.decompose(&segments)?;
    let tablet = &d.segments[1];
    assert_eq!(tablet.absent_in, Some(Period::Before));
    assert_eq!(tablet.rate, [None, Some(0.02)]);
    assert_eq!(
        (tablet.effects.rate, tablet.effects.interaction),
        (0.0, 0.0)
    );
    assert!((tablet.effects.mix - (-0.04)).abs() < 1e-15);
    assert!((d.mix - d.change).abs() < 1e-15);
    assert_eq!(d.segments[0].absent_in, None);
    // A segment that closes is flagged the other way.
    let gone = Shapley.decompose(&[
        Segment::new("web", 1_000.0, 100.0, 1_000.0, 100.0)?,
        Segment::new("kiosk", 500.0, 5.0, 0.0, 0.0)?,
    ])?;
    assert_eq!(gone.segments[1].absent_in, Some(Period::After));
    assert_eq!(gone.segments[1].effects.rate, 0.0);
    Ok(())
}

#[test]
fn sequential_dimensions_add_up_in_the_stated_order() -> TestResult {
    // Web US converts at 10%, web FR 5%, app US 5%, app FR 2%; traffic moves to the app.
    let rows = [
        MultiSegment::new(
            [("platform", "web"), ("country", "US")],
            500.0,
            50.0,
            300.0,
            30.0,
        )?,
        MultiSegment::new(
            [("platform", "web"), ("country", "FR")],
            100.0,
            5.0,
            100.0,
            5.0,
        )?,
        MultiSegment::new(
            [("platform", "app"), ("country", "US")],
            200.0,
            10.0,
            400.0,
            20.0,
        )?,
        MultiSegment::new(
            [("platform", "app"), ("country", "FR")],
            200.0,
            4.0,
            200.0,
            4.0,
        )?,
    ];
    let d = sequential(&Shapley, &["platform", "country"], &rows)?;
    // Every cell keeps its rate, so everything is mix: rate 0, and the mix splits into the
    // platform shift and the country shift within platforms.
    assert!(d.rate.abs() < 1e-15);
    let total: f64 = d.mix.iter().sum::<f64>() + d.rate + d.interaction;
    assert!((total - d.change).abs() < 1e-15);
    // The first step is the one-dimension decomposition by platform.
    let by_platform = Shapley.decompose(&[
        Segment::new("app", 400.0, 14.0, 600.0, 24.0)?,
        Segment::new("web", 600.0, 55.0, 400.0, 35.0)?,
    ])?;
    assert!((d.mix[0] - by_platform.mix).abs() < 1e-15);
    assert_eq!(d.order, vec!["platform", "country"]);
    // The other order gives another split of the same total.
    let other = sequential(&Shapley, &["country", "platform"], &rows)?;
    assert!((other.mix.iter().sum::<f64>() - d.mix.iter().sum::<f64>()).abs() < 1e-15);
    assert!((other.mix[0] - d.mix[0]).abs() > 1e-6);
    assert!(sequential(&Shapley, &["platform", "plan"], &rows).is_err());
    assert!(sequential(&Shapley, &[], &rows).is_err());
    Ok(())
}

#[test]
fn metric_trees_by_hand() -> TestResult {
    // NPS = %P − %D: 45 − 20 = 25 → 50 − 15 = 35. Additive, exact: +5 and +5.
    let nps = MetricTree::difference(
        MetricTree::leaf("promoters", 45.0, 50.0)?,
        MetricTree::leaf("detractors", 20.0, 15.0)?,
    );
    let a = nps.attribute(ProductMethod::Auto)?;
    assert_eq!(a.change, 10.0);
    assert_eq!(
        a.leaves.iter().map(|l| l.contribution).collect::<Vec<_>>(),
        vec![5.0, 5.0]
    );
    assert!(!a.used_shapley);

    // Revenue = (new + returning) × AOV: (100 + 300) × 50 = 20,000 → (200 + 300) × 40 = 20,000.
    // y¹ = y⁰, so L = 20,000: visitors get 20,000 ln(500/400) = 4,462.87, AOV 20,000 ln(0.8)
    // = −4,462.87; visitors' share goes to "new" (all of Δ visitors), none to "returning".
    let revenue = MetricTree::product(vec![
        MetricTree::sum(vec![
            MetricTree::leaf("new", 100.0, 200.0)?,
            MetricTree::leaf("returning", 300.0, 300.0)?,
        ]),
        MetricTree::leaf("aov", 50.0, 40.0)?,
    ]);
    let a = revenue.attribute(ProductMethod::Auto)?;
    assert_eq!(a.change, 0.0);
    let lmdi = 20_000.0 * 1.25_f64.ln();
    assert!((a.leaves[0].contribution - lmdi).abs() < 1e-9);
    assert_eq!(a.leaves[1].contribution, 0.0);
    assert!((a.leaves[2].contribution + lmdi).abs() < 1e-9);

    // Profit = revenue × margin with the margin turning negative: LMDI is undefined, so Auto
    // uses Shapley. 1,000 × 0.1 = 100 → 1,200 × (−0.05) = −60. Shapley (two factors):
    // revenue: ½[(1,200 − 1,000) × 0.1 + (1,200 − 1,000) × (−0.05)] = ½(20 − 10) = 5;
    // margin: ½[1,000 × (−0.15) + 1,200 × (−0.15)] = −165; 5 − 165 = −160 = Δ.
    let profit = MetricTree::product(vec![
        MetricTree::leaf("revenue", 1_000.0, 1_200.0)?,
        MetricTree::leaf("margin", 0.1, -0.05)?,
    ]);
    let a = profit.attribute(ProductMethod::Auto)?;
    assert!(a.used_shapley);
    assert!((a.leaves[0].contribution - 5.0).abs() < 1e-12);
    assert!((a.leaves[1].contribution - (-165.0)).abs() < 1e-12);
    assert!(matches!(
        profit.attribute(ProductMethod::Lmdi),
        Err(KpiError::IncompatibleOptions { .. })
    ));
    assert_eq!(profit.value(Period::After)?, 1_200.0 * -0.05);

    let by_zero = MetricTree::ratio(
        MetricTree::leaf("orders", 10.0, 12.0)?,
        MetricTree::leaf("sessions", 0.0, 5.0)?,
    );
    assert!(matches!(
        by_zero.attribute(ProductMethod::Auto),
        Err(KpiError::ZeroBaseline { .. })
    ));
    assert!(MetricTree::leaf("x", f64::NAN, 1.0).is_err());
    Ok(())
}

#[test]
fn bad_segments_are_typed_errors() -> TestResult {
    assert!(matches!(
        Shapley.decompose(&[]),
        Err(KpiError::EmptySample { .. })
    ));
    assert!(Segment::new("a", -1.0, 0.0, 1.0, 0.0).is_err());
    assert!(Segment::new("a", 0.0, 3.0, 1.0, 0.0).is_err());
    assert!(Segment::from_rates("a", 1.0, f64::INFINITY, 1.0, 0.1).is_err());
    let dup = [
        Segment::new("a", 1.0, 0.0, 1.0, 0.0)?,
        Segment::new("a", 1.0, 0.0, 1.0, 0.0)?,
    ];
    assert!(matches!(
        Shapley.decompose(&dup),
        Err(KpiError::InvalidInput { .. })
    ));
    let empty_period = [Segment::new("a", 0.0, 0.0, 10.0, 1.0)?];
    assert!(matches!(
        Laspeyres.decompose(&empty_period),
        Err(KpiError::ZeroBaseline { .. })
    ));

    // A faulty custom method is caught rather than reported.
    struct Broken;
    impl Decomposer for Broken {
        fn name(&self) -> &str {
            "broken"
        }
        fn effects(&self, s: &SegmentInputs) -> Effects {
            Effects::new(s.share[1], 0.0, 0.0)
        }
    }
    let ok = [
        Segment::new("a", 10.0, 1.0, 10.0, 2.0)?,
        Segment::new("b", 10.0, 1.0, 10.0, 1.0)?,
    ];
    assert!(matches!(
        Broken.decompose(&ok),
        Err(KpiError::InvalidInput { .. })
    ));
    Ok(())
}

fn segments_strategy() -> impl Strategy<Value = Vec<(f64, f64, f64, f64)>> {
    // (volume0, rate0, volume1, rate1); volumes may be 0 (absent), rates in [0, 1].
    prop::collection::vec(
        (
            prop_oneof![Just(0.0), 1.0..1e5_f64],
            0.0..1.0_f64,
            prop_oneof![Just(0.0), 1.0..1e5_f64],
            0.0..1.0_f64,
        ),
        1..10,
    )
    .prop_filter("each period needs volume", |v| {
        v.iter().any(|s| s.0 > 0.0) && v.iter().any(|s| s.2 > 0.0)
    })
}

fn build(v: &[(f64, f64, f64, f64)], swap: bool) -> Result<Vec<Segment>, KpiError> {
    v.iter()
        .enumerate()
        .map(|(i, &(v0, r0, v1, r1))| {
            if swap {
                Segment::from_rates(format!("s{i}"), v1, r1, v0, r0)
            } else {
                Segment::from_rates(format!("s{i}"), v0, r0, v1, r1)
            }
        })
        .collect()
}

fn tree_strategy() -> impl Strategy<Value = MetricTree> {
    let leaf = (
        prop_oneof![-50.0..50.0_f64, 0.1..50.0_f64],
        prop_oneof![-50.0..50.0_f64, 0.1..50.0_f64],
    )
        .prop_map(|(a, b)| MetricTree::leaf("x", a, b))
        .prop_filter_map("finite leaf", Result::ok);
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(MetricTree::sum),
            prop::collection::vec(inner.clone(), 1..4).prop_map(MetricTree::product),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| MetricTree::difference(a, b)),
            (inner.clone(), inner).prop_map(|(a, b)| MetricTree::ratio(a, b)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn decompositions_sum_to_the_change(v in segments_strategy()) {
        let segments = build(&v, false).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for method in [&Laspeyres as &dyn Decomposer, &Paasche, &Shapley] {
            let d = method.decompose(&segments).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!((d.mix + d.rate + d.interaction - d.change).abs() <= 1e-12);
            let per_segment: f64 = d.segments.iter()
                .map(|s| s.effects.mix + s.effects.rate + s.effects.interaction)
                .sum();
            prop_assert!((per_segment - d.change).abs() <= 1e-12);
            let dt = d.total[1] - d.total[0];
            prop_assert!((d.volume_effect + d.rate_change_effect - dt).abs() <= 1e-9 * dt.abs().max(1.0));
        }
    }

    #[test]
    fn swapping_periods_negates_shapley_terms(v in segments_strategy()) {
        let fwd = Shapley.decompose(&build(&v, false).map_err(|e| TestCaseError::fail(e.to_string()))?)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = Shapley.decompose(&build(&v, true).map_err(|e| TestCaseError::fail(e.to_string()))?)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!((fwd.mix + back.mix).abs() <= 1e-12);
        prop_assert!((fwd.rate + back.rate).abs() <= 1e-12);
        for (a, b) in fwd.segments.iter().zip(&back.segments) {
            prop_assert!((a.effects.mix + b.effects.mix).abs() <= 1e-12);
            prop_assert!((a.effects.rate + b.effects.rate).abs() <= 1e-12);
        }
    }

    #[test]
    fn metric_tree_components_sum_to_the_total(tree in tree_strategy()) {
        // Zero divisors are an error, not a property failure.
        if let Ok(a) = tree.attribute(ProductMethod::Auto) {
            let sum: f64 = a.leaves.iter().map(|l| l.contribution).sum();
            let scale = a.values[0].abs().max(a.values[1].abs()).max(1.0);
            prop_assert!((sum - a.change).abs() <= 1e-9 * scale, "{sum} vs {}", a.change);
        }
    }
}

#[test]
fn polars_bridge_round_trip() -> TestResult {
    use polars::prelude::*;
    use prodops_kpi::explain::{decomposition_frame, segments_from_frame};
    let df = DataFrame::new_infer_height(vec![
        Column::new("platform".into(), ["web", "tablet"]),
        Column::new("v0".into(), [1_000.0, 0.0]),
        Column::new("n0".into(), [100.0, 0.0]),
        Column::new("v1".into(), [1_000.0, 1_000.0]),
        Column::new("n1".into(), [100.0, 20.0]),
        Column::new("text".into(), ["x", "y"]),
    ])?;
    let segments = segments_from_frame(&df, "platform", ["v0", "n0", "v1", "n1"])?;
    let d = Laspeyres.decompose(&segments)?;
    let out = decomposition_frame(&d)?;
    // The tablet launch from the hand-worked case: absent before, mix −0.04, no base rate.
    assert_eq!(out.column("absent_in")?.str()?.get(1), Some("before"));
    assert_eq!(out.column("rate0")?.f64()?.get(1), None);
    let mix = out.column("mix")?.f64()?.get(1).ok_or("mix")?;
    assert!((mix - (-0.04)).abs() < 1e-15);
    assert!(matches!(
        segments_from_frame(&df, "platform", ["v0", "n0", "v1", "missing"]),
        Err(KpiError::MissingColumn { .. })
    ));
    assert!(matches!(
        segments_from_frame(&df, "platform", ["v0", "n0", "v1", "text"]),
        Err(KpiError::InvalidColumn { .. })
    ));
    Ok(())
}

#[test]
fn dimension_shapley_is_the_mean_over_all_orders() -> TestResult {
    // Three dimensions; the Shapley credit of each must equal the mean of its sequential credit
    // over the 3! = 6 orders (computed here order by order, not by the subset formula).
    let mut rows = Vec::new();
    let mut x = 7.0_f64;
    for p in ["web", "app"] {
        for c in ["US", "FR", "DE"] {
            for plan in ["free", "pro"] {
                // A deterministic scramble of volumes and rates.
                x = (x * 37.0 + 11.0) % 101.0;
                let (v0, v1) = (100.0 + 10.0 * x, 1_500.0 - 9.0 * x);
                let (r0, r1) = (0.01 + x / 400.0, 0.02 + (101.0 - x) / 500.0);
                rows.push(MultiSegment::new(
                    [("platform", p), ("country", c), ("plan", plan)],
                    v0,
                    v0 * r0,
                    v1,
                    v1 * r1,
                )?);
            }
        }
    }
    let dims = ["platform", "country", "plan"];
    let s = shapley_dimensions(&Laspeyres, &dims, &rows)?;
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    let mut mean = [0.0; 3];
    for order in orders {
        let named: Vec<&str> = order.iter().map(|&i| dims[i]).collect();
        let seq = sequential(&Laspeyres, &named, &rows)?;
        for (pos, &i) in order.iter().enumerate() {
            mean[i] += seq.mix[pos] / 6.0;
        }
    }
    for (got, want) in s.mix.iter().zip(mean) {
        assert!((got - want).abs() < 1e-14, "{got} vs {want}");
    }
    let total = s.mix.iter().sum::<f64>() + s.rate + s.interaction;
    assert!((total - s.change).abs() < 1e-14);
    Ok(())
}
