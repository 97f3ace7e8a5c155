//! Seeded simulations of the error rates the tests claim, with as many replications as asked.
//!
//! ```text
//! cargo run --release -p prodops-experiment --example simulate_error_rates -- [REPLICATIONS] [SEED]
//! ```
//!
//! REPLICATIONS (default 20,000) sets the number of simulated experiments per row; SEED
//! (default 2024) the ChaCha8 seed, so a run is reproducible. The table gives each measured
//! rate with its Monte Carlo standard error √(r(1 − r)/replications) beside the rate the
//! procedure claims. The test suite runs small versions of the same checks
//! (`tests/it/simulation.rs`).

use std::error::Error;

use prodops_experiment::{
    Alternative, Analysis, MannWhitneyConfig, MeanStats, Sequential, mann_whitney_u,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// One row of the report.
struct Row {
    what: &'static str,
    claim: &'static str,
    hits: usize,
    replications: usize,
}

impl Row {
    fn rate(&self) -> f64 {
        self.hits as f64 / self.replications as f64
    }

    fn monte_carlo_se(&self) -> f64 {
        let r = self.rate();
        (r * (1.0 - r) / self.replications as f64).sqrt()
    }
}

fn draws(rng: &mut ChaCha8Rng, normal: &Normal<f64>, n: usize) -> Vec<f64> {
    (0..n).map(|_| normal.sample(rng)).collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let replications: usize = match args.next() {
        Some(a) => a.parse().map_err(|e| format!("REPLICATIONS {a:?}: {e}"))?,
        None => 20_000,
    };
    let seed: u64 = match args.next() {
        Some(a) => a.parse().map_err(|e| format!("SEED {a:?}: {e}"))?,
        None => 2024,
    };
    if replications == 0 {
        return Err("REPLICATIONS must be at least 1".into());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let analysis = Analysis::default();
    let noise = Normal::new(5.0, 2.0)?;
    let shifted = Normal::new(5.7, 2.0)?;
    let mut rows = Vec::new();

    // A/A, fixed horizon: 100 units per arm, Welch at α = 0.05.
    let mut hits = 0;
    let mut rank_hits = 0;
    for _ in 0..replications {
        let (a, b) = (draws(&mut rng, &noise, 100), draws(&mut rng, &noise, 100));
        let out = analysis.compare(&MeanStats::from_values(&a)?, &MeanStats::from_values(&b)?)?;
        hits += usize::from(out.p_value <= 0.05);
        let rank = mann_whitney_u(&a, &b, MannWhitneyConfig::default())?;
        rank_hits += usize::from(rank.p_value <= 0.05);
    }
    rows.push(Row {
        what: "A/A rejection, Welch t (n = 100 per arm)",
        claim: "0.05",
        hits,
        replications,
    });
    rows.push(Row {
        what: "A/A rejection, Mann–Whitney U (same data)",
        claim: "0.05",
        hits: rank_hits,
        replications,
    });

    // Coverage: true effect 0.7, unequal arms.
    let mut covered = 0;
    let mut one_sided_covered = 0;
    let greater = Analysis::builder()
        .alternative(Alternative::Greater)
        .build()?;
    for _ in 0..replications {
        let a = MeanStats::from_values(&draws(&mut rng, &noise, 60))?;
        let b = MeanStats::from_values(&draws(&mut rng, &shifted, 80))?;
        covered += usize::from(analysis.compare(&a, &b)?.ci.contains(0.7));
        one_sided_covered += usize::from(greater.compare(&a, &b)?.ci.contains(0.7));
    }
    rows.push(Row {
        what: "95% two-sided CI covers the true effect",
        claim: "0.95",
        hits: covered,
        replications,
    });
    rows.push(Row {
        what: "95% one-sided lower bound covers it",
        claim: "0.95",
        hits: one_sided_covered,
        replications,
    });

    // Peeking: A/A, a look after each of 20 batches of 50 units per arm, stop at p ≤ 0.05.
    let settings = Sequential::new(2_000.0)?;
    let (mut naive, mut valid) = (0, 0);
    let peeking_replications = replications.div_ceil(10);
    for _ in 0..peeking_replications {
        let (mut a, mut b) = (MeanStats::default(), MeanStats::default());
        let (mut naive_hit, mut valid_hit) = (false, false);
        for _ in 0..20 {
            a += MeanStats::from_values(&draws(&mut rng, &noise, 50))?;
            b += MeanStats::from_values(&draws(&mut rng, &noise, 50))?;
            naive_hit |= analysis.compare(&a, &b)?.p_value <= 0.05;
            valid_hit |= analysis.sequential(&a, &b, settings)?.p_value <= 0.05;
        }
        naive += usize::from(naive_hit);
        valid += usize::from(valid_hit);
    }
    rows.push(Row {
        what: "A/A with 20 peeks, fixed-horizon p",
        claim: "none (inflated)",
        hits: naive,
        replications: peeking_replications,
    });
    rows.push(Row {
        what: "A/A with 20 peeks, always-valid p",
        claim: "≤ 0.05",
        hits: valid,
        replications: peeking_replications,
    });

    println!("Seed {seed}; peeking rows use replications/10 experiments of 20 looks each.\n");
    println!("| simulation | replications | rate | Monte Carlo SE | claimed |");
    println!("| --- | ---: | ---: | ---: | --- |");
    for row in &rows {
        println!(
            "| {} | {} | {:.4} | {:.4} | {} |",
            row.what,
            row.replications,
            row.rate(),
            row.monte_carlo_se(),
            row.claim
        );
    }
    Ok(())
}
