//! Each prioritization framework against a hand-worked example, ranking properties and the
//! sensitivity check against brute-force re-ranking.

use std::collections::BTreeMap;

use prodops_process::ProcessError;
use prodops_process::prioritize::{
    Ice, IceCombination, IceInput, InputError, Item, Kano, KanoAnswer, KanoCategory, Moscow,
    MoscowInput, MoscowPriority, Opportunity, OpportunityInput, Prioritizer, Quadrant, Rice,
    RiceInput, Weighted, Wsjf, WsjfInput, classify, evaluate, moscow_budget, rank, sensitivity,
    value_effort_quadrant,
};
use proptest::prelude::*;

type R = Result<(), Box<dyn std::error::Error>>;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// The three projects of Intercom's RICE article (Sean McBride, "RICE: Simple prioritization
/// for product managers").
fn intercom_projects() -> Vec<Item<RiceInput>> {
    vec![
        // Reach 500 a month × 30% × 3 months = 450 a quarter; massive impact; 100%; 2 person-months.
        Item::new(
            "project-1",
            RiceInput::new(500.0 * 0.3 * 3.0, 3.0, 1.0, 2.0),
        ),
        // 2,000 a quarter; medium impact; 80%; 4 person-months.
        Item::new("project-2", RiceInput::new(2000.0, 1.0, 0.8, 4.0)),
        // 800 a quarter (one-time); high impact; 50%; 1 person-month.
        Item::new("project-3", RiceInput::new(800.0, 2.0, 0.5, 1.0)),
    ]
}

#[test]
fn rice_on_intercoms_example() -> R {
    let ranking = rank(&Rice::strict(), &intercom_projects())?;
    // project-3: 800 × 2 × 0.5 / 1 = 800; project-1: 450 × 3 × 1 / 2 = 675;
    // project-2: 2000 × 1 × 0.8 / 4 = 400.
    assert_eq!(ranking.ids(), ["project-3", "project-1", "project-2"]);
    let scores: Vec<f64> = ranking.entries.iter().map(|e| e.score).collect();
    assert!(
        close(scores[0], 800.0) && close(scores[1], 675.0) && close(scores[2], 400.0),
        "{scores:?}"
    );
    // Strict scales reject an impact off Intercom's scale; the lenient default accepts it.
    let odd = [Item::new("x", RiceInput::new(10.0, 1.5, 1.0, 1.0))];
    let err = rank(&Rice::strict(), &odd).unwrap_err();
    assert!(
        matches!(&err, ProcessError::Score { item, what, .. } if item == "x" && what == "impact"),
        "{err}"
    );
    assert!(rank(&Rice::default(), &odd).is_ok());
    let zero_effort = [Item::new("y", RiceInput::new(10.0, 1.0, 1.0, 0.0))];
    assert!(
        rank(&Rice::default(), &zero_effort)
            .unwrap_err()
            .to_string()
            .contains("effort must be positive")
    );
    Ok(())
}

#[test]
fn rice_sensitivity_at_10_and_20_percent() -> R {
    let items = intercom_projects();
    // ±10%: the closest challenge is project-3's effort +10% → 800 / 1.1 = 727.3 and its reach
    // −10% → 720, both above project-1's 675; project-1 +10% reach → 742.5 < 800. Top holds.
    let s = sensitivity(&Rice::default(), &items, 0.1)?;
    assert!(!s.top_is_sensitive(), "{:?}", s.top_changes);
    // ±20%: project-3 reach, impact or confidence −20% → 640 and effort +20% → 666.7, each
    // below 675; project-1 reach or impact +20% → 810 and effort −20% → 843.75, each above 800;
    // project-1 confidence +20% is capped at 100% (no change). Seven changes, all to project-1.
    let s = sensitivity(&Rice::default(), &items, 0.2)?;
    assert_eq!(s.top_changes.len(), 7, "{:#?}", s.top_changes);
    assert!(s.top_changes.iter().all(|c| c.new_top == "project-1"));
    assert!(
        s.top_changes
            .iter()
            .any(|c| c.item == "project-3" && c.change == "effort +20%")
    );
    // project-2 (400) cannot rise at ±20%: its best is 2000 × 1.2 × 0.8 / 4 = 480 < 675, and
    // project-1's worst is 675 × 0.8 = 540 > 400 (reach −20%), so project-2 stays third.
    let p2 = s
        .items
        .iter()
        .find(|i| i.id == "project-2")
        .ok_or("missing")?;
    assert!(p2.is_stable());
    // project-1 becomes first when project-3 falls below it or it rises above project-3.
    let p1 = s
        .items
        .iter()
        .find(|i| i.id == "project-1")
        .ok_or("missing")?;
    assert_eq!((p1.best_position, p1.worst_position), (1, 2));
    assert!(sensitivity(&Rice::default(), &items, 1.5).is_err());
    Ok(())
}

#[test]
fn wsjf_hand_example() -> R {
    // A: (8 + 5 + 3) / 8 = 2; B: (3 + 8 + 2) / 2 = 6.5; C: (13 + 1 + 1) / 13 = 1.1538.
    let items = vec![
        Item::new(
            "A",
            WsjfInput {
                business_value: 8.0,
                time_criticality: 5.0,
                risk_reduction: 3.0,
                job_size: 8.0,
            },
        ),
        Item::new(
            "B",
            WsjfInput {
                business_value: 3.0,
                time_criticality: 8.0,
                risk_reduction: 2.0,
                job_size: 2.0,
            },
        ),
        Item::new(
            "C",
            WsjfInput {
                business_value: 13.0,
                time_criticality: 1.0,
                risk_reduction: 1.0,
                job_size: 13.0,
            },
        ),
    ];
    let r = rank(&Wsjf::fibonacci(), &items)?;
    assert_eq!(r.ids(), ["B", "A", "C"]);
    assert!(
        close(r.entries[0].score, 6.5)
            && close(r.entries[1].score, 2.0)
            && close(r.entries[2].score, 15.0 / 13.0)
    );
    let off_scale = [Item::new(
        "D",
        WsjfInput {
            business_value: 4.0,
            time_criticality: 1.0,
            risk_reduction: 1.0,
            job_size: 1.0,
        },
    )];
    assert!(rank(&Wsjf::fibonacci(), &off_scale).is_err());
    assert!(rank(&Wsjf::default(), &off_scale).is_ok());
    Ok(())
}

#[test]
fn kano_evaluation_table_matches_the_standard() {
    use KanoAnswer::*;
    let answers = [Like, Expect, Neutral, LiveWith, Dislike];
    // Rows functional, columns dysfunctional, as printed in Berger et al. (1993).
    let table = ["QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ"];
    for (f, row) in answers.iter().zip(table) {
        for (d, code) in answers.iter().zip(row.chars()) {
            assert_eq!(classify(*f, *d).code(), code, "{f:?}/{d:?}");
        }
    }
}

#[test]
fn kano_feature_with_counts_and_coefficients() -> R {
    use KanoAnswer::*;
    // 20 respondents: 8 like/dislike (O), 5 expect/dislike (M), 4 like/neutral (A),
    // 2 neutral/neutral (I), 1 dislike/like (R).
    let mut answers = Vec::new();
    answers.extend(std::iter::repeat_n((Like, Dislike), 8));
    answers.extend(std::iter::repeat_n((Expect, Dislike), 5));
    answers.extend(std::iter::repeat_n((Like, Neutral), 4));
    answers.extend(std::iter::repeat_n((Neutral, Neutral), 2));
    answers.push((Dislike, Like));
    let r = evaluate(&answers).map_err(|e| e.reason)?;
    assert_eq!(r.counts, [5, 8, 4, 2, 1, 0]);
    assert_eq!(r.category, KanoCategory::OneDimensional);
    // Better = (A + O) / (A + O + M + I) = 12 / 19; Worse = −(O + M) / 19 = −13 / 19.
    assert!(close(r.better.ok_or("better")?, 12.0 / 19.0));
    assert!(close(r.worse.ok_or("worse")?, -13.0 / 19.0));
    // Tie rule: 3 must-be and 3 attractive → must-be (M > O > A > I > R > Q).
    let tie = [
        (Expect, Dislike),
        (Neutral, Dislike),
        (LiveWith, Dislike),
        (Like, Neutral),
        (Like, Expect),
        (Like, LiveWith),
    ];
    assert_eq!(
        evaluate(&tie).map_err(|e| e.reason)?.category,
        KanoCategory::MustBe
    );
    // Only reverse/questionable answers: coefficients undefined, not NaN.
    let r = evaluate(&[(Like, Like)]).map_err(|e| e.reason)?;
    assert_eq!(
        (r.category, r.better, r.worse),
        (KanoCategory::Questionable, None, None)
    );
    // Ranking: a must-be feature outranks the one-dimensional one.
    let items = vec![Item::new("perf", answers), Item::new("sso", tie.to_vec())];
    assert_eq!(rank(&Kano, &items)?.ids(), ["sso", "perf"]);
    Ok(())
}

#[test]
fn ice_moscow_weighted_opportunity_and_quadrants() -> R {
    let x = IceInput {
        impact: 8.0,
        confidence: 6.0,
        ease: 5.0,
    };
    // 8 × 6 × 5 = 240; (8 + 6 + 5) / 3 = 6.333…
    assert!(close(
        Ice::default().score(&x).map_err(|e| e.reason)?,
        240.0
    ));
    assert!(close(
        Ice {
            combination: IceCombination::Mean
        }
        .score(&x)
        .map_err(|e| e.reason)?,
        19.0 / 3.0
    ));
    assert!(
        Ice::default()
            .score(&IceInput { impact: 11.0, ..x })
            .is_err()
    );

    let m = |p, e| MoscowInput {
        priority: p,
        effort: e,
    };
    let plan = vec![
        Item::new("a", m(MoscowPriority::Must, 30.0)),
        Item::new("b", m(MoscowPriority::Should, 10.0)),
        Item::new("c", m(MoscowPriority::Could, 10.0)),
        Item::new("d", m(MoscowPriority::Wont, 20.0)),
    ];
    // Musts 30 of planned 50 (won'ts excluded) = 60%: at the guideline.
    let b = moscow_budget(&plan)?;
    assert!(close(b.must_share, 0.6) && b.within_guideline);
    let mut heavy = plan.clone();
    heavy[0].input.effort = 40.0; // 40 / 60 = 66.7%
    assert!(!moscow_budget(&heavy)?.within_guideline);
    assert_eq!(rank(&Moscow, &plan)?.ids(), ["a", "b", "c", "d"]);

    let w = Weighted::new([("revenue", 2.0), ("reach", 1.0)], false)?;
    let item: BTreeMap<String, f64> =
        [("revenue".to_owned(), 4.0), ("raech".to_owned(), 3.0)].into();
    let err = w.score(&item).unwrap_err();
    assert!(err.reason.contains("did you mean `reach`?"), "{err:?}");
    assert!(Weighted::new([("a", -1.0)], true).is_err());
    assert!(Weighted::new([("a", 0.0)], true).is_err());

    // Ulwick: importance 8.1, satisfaction 3.2 → 8.1 + (8.1 − 3.2) = 13.0; an over-served
    // outcome (6, 7) scores its importance only.
    let o = |i, s| OpportunityInput {
        importance: i,
        satisfaction: s,
    };
    assert!(close(
        Opportunity.score(&o(8.1, 3.2)).map_err(|e| e.reason)?,
        13.0
    ));
    assert!(close(
        Opportunity.score(&o(6.0, 7.0)).map_err(|e| e.reason)?,
        6.0
    ));
    assert!(OpportunityInput::from_ratings(&[6], &[1]).is_err());

    assert_eq!(
        value_effort_quadrant(8.0, 2.0, 5.0, 5.0),
        Quadrant::QuickWin
    );
    assert_eq!(value_effort_quadrant(8.0, 9.0, 5.0, 5.0), Quadrant::BigBet);
    assert_eq!(value_effort_quadrant(1.0, 2.0, 5.0, 5.0), Quadrant::FillIn);
    assert_eq!(
        value_effort_quadrant(1.0, 9.0, 5.0, 5.0),
        Quadrant::MoneyPit
    );
    Ok(())
}

/// A user's own framework: CD3, cost of delay per week divided by duration in weeks.
struct Cd3;

struct Cd3Input {
    cost_of_delay_per_week: f64,
    weeks: f64,
}

impl Prioritizer for Cd3 {
    type Input = Cd3Input;

    fn score(&self, x: &Cd3Input) -> Result<f64, InputError> {
        if x.weeks.is_nan() || x.weeks <= 0.0 {
            return Err(InputError::new("weeks", "must be positive"));
        }
        Ok(x.cost_of_delay_per_week / x.weeks)
    }

    fn name(&self) -> &str {
        "CD3"
    }
}

#[test]
fn user_defined_framework_ranks_with_ties() -> R {
    let items = vec![
        Item::new(
            "b",
            Cd3Input {
                cost_of_delay_per_week: 10.0,
                weeks: 2.0,
            },
        ),
        Item::new(
            "a",
            Cd3Input {
                cost_of_delay_per_week: 5.0,
                weeks: 1.0,
            },
        ),
        Item::new(
            "c",
            Cd3Input {
                cost_of_delay_per_week: 9.0,
                weeks: 1.0,
            },
        ),
    ];
    // c: 9; a and b tie at 5 → ordered by id, sharing rank 2.
    let boxed: Box<dyn Prioritizer<Input = Cd3Input>> = Box::new(Cd3);
    let r = rank(&boxed, &items)?;
    assert_eq!(r.method, "CD3");
    assert_eq!(r.ids(), ["c", "a", "b"]);
    assert_eq!(
        r.entries.iter().map(|e| e.rank).collect::<Vec<_>>(),
        [1, 2, 2]
    );
    // Without perturbations the framework is reported as insensitive.
    assert!(!sensitivity(&Cd3, &items, 0.5)?.top_is_sensitive());
    let dup = vec![
        Item::new(
            "a",
            Cd3Input {
                cost_of_delay_per_week: 1.0,
                weeks: 1.0,
            },
        ),
        Item::new(
            "a",
            Cd3Input {
                cost_of_delay_per_week: 1.0,
                weeks: 1.0,
            },
        ),
    ];
    assert!(matches!(
        rank(&Cd3, &dup),
        Err(ProcessError::DuplicateItem(_))
    ));
    Ok(())
}

/// Score = the input; for properties.
struct Identity;
impl Prioritizer for Identity {
    type Input = f64;
    fn score(&self, x: &f64) -> Result<f64, InputError> {
        Ok(*x)
    }
}

proptest! {
    #[test]
    fn ranking_is_a_stable_permutation(scores in proptest::collection::vec(0u8..5, 0..40), seed in any::<u64>()) {
        let items: Vec<Item<f64>> = scores.iter().enumerate().map(|(i, s)| Item::new(format!("i{i:02}"), f64::from(*s))).collect();
        let r = rank(&Identity, &items).unwrap();
        let mut ids: Vec<&str> = r.ids();
        ids.sort_unstable();
        let mut expected: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        expected.sort_unstable();
        prop_assert_eq!(ids, expected);
        for w in r.entries.windows(2) {
            prop_assert!(w[0].score > w[1].score || (w[0].score == w[1].score && w[0].id < w[1].id && w[0].rank == w[1].rank));
        }
        // Input order does not matter.
        let mut shuffled = items.clone();
        let n = shuffled.len();
        if n > 1 {
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
        }
        prop_assert_eq!(rank(&Identity, &shuffled).unwrap(), r);
    }

    #[test]
    fn sensitivity_agrees_with_brute_force(
        raw in proptest::collection::vec((1u32..2000, 0usize..5, 1u32..10, 1u32..8), 1..12),
        pct in 1u32..60,
    ) {
        let scale = [3.0, 2.0, 1.0, 0.5, 0.25];
        let items: Vec<Item<RiceInput>> = raw.iter().enumerate()
            .map(|(i, (r, imp, c, e))| Item::new(format!("f{i}"), RiceInput::new(f64::from(*r), scale[*imp], f64::from(*c) / 10.0, f64::from(*e) / 2.0)))
            .collect();
        let f = f64::from(pct) / 100.0;
        let s = sensitivity(&Rice::default(), &items, f).unwrap();
        let top = s.ranking.entries[0].id.clone();
        let mut brute_changes = 0;
        let ids: Vec<String> = s.ranking.entries.iter().map(|e| e.id.clone()).collect();
        let mut best: Vec<usize> = (1..=ids.len()).collect();
        let mut worst = best.clone();
        for (k, it) in items.iter().enumerate() {
            for (_, perturbed) in Rice::default().perturb(&it.input, f) {
                let mut moved = items.clone();
                moved[k].input = perturbed;
                let r = rank(&Rice::default(), &moved).unwrap();
                for (pos, e) in r.entries.iter().enumerate() {
                    let i = ids.iter().position(|x| *x == e.id).unwrap();
                    best[i] = best[i].min(pos + 1);
                    worst[i] = worst[i].max(pos + 1);
                }
                if r.entries[0].id != top {
                    brute_changes += 1;
                }
            }
        }
        for (i, mine) in s.items.iter().enumerate() {
            prop_assert_eq!(&mine.id, &ids[i]);
            prop_assert_eq!((mine.best_position, mine.worst_position), (best[i], worst[i]), "{}", mine.id);
        }
        prop_assert_eq!(s.top_changes.len(), brute_changes);
    }
}
