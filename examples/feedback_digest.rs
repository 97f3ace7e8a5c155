//! A feedback digest: feedback CSV in; redaction, sentiment, top themes and the top requests
//! by ARR-weighted demand out.
//!
//! ```text
//! cargo run --example feedback_digest
//! cargo run --example feedback_digest -- --input my-feedback.csv --accounts my-accounts.csv --top 10
//! ```
//!
//! Prints the ingestion report (every rejected row with its line and reason), the PII
//! redacted per kind with a few redacted texts, the sentiment mix, the top themes by volume
//! (accounts, share negative, mean VADER compound) and, among items tagged as requests, the
//! themes asked for by the most ARR (each account counted once). Columns expected: those of
//! `data/feedback.csv` and `data/accounts.csv`; the taxonomy is a JSON list of themes.

use std::collections::{BTreeMap, HashMap};

use clap::Parser;
use prodops::core::Grain;
use prodops::feedback::demand::{DemandConfig, DemandRecord, Uniform, demand_by_key};
use prodops::feedback::ingest::{AccountColumns, FeedbackReader, read_accounts_csv};
use prodops::feedback::intent::Intent;
use prodops::feedback::model::Taxonomy;
use prodops::feedback::pii::Redactor;
use prodops::feedback::pipeline::Pipeline;
use prodops::feedback::sentiment::VaderModel;
use prodops::feedback::text::Whatlang;
use prodops::feedback::themes::{RuleTagger, TaggedItem, ThemeTable};

/// Digest a feedback export.
#[derive(Parser)]
struct Args {
    /// Feedback CSV.
    #[arg(long, default_value = "data/feedback.csv")]
    input: String,
    /// Accounts CSV (ARR and segment per account).
    #[arg(long, default_value = "data/accounts.csv")]
    accounts: String,
    /// Theme taxonomy (JSON list of `{id, parent, name, phrases}`).
    #[arg(long, default_value = "crates/feedback/data/sample_taxonomy.json")]
    taxonomy: String,
    /// Rows per list.
    #[arg(long, default_value_t = 5)]
    top: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let file = std::fs::File::open(&args.accounts)?;
    let accounts = read_accounts_csv(&args.accounts, file, &AccountColumns::default())?;
    let loaded = FeedbackReader::default()
        .with_known_accounts(&accounts.data)
        .read_csv_path(&args.input)?;
    println!("{}\n{}\n", accounts.report, loaded.report);

    let taxonomy: Taxonomy = serde_json::from_str(&std::fs::read_to_string(&args.taxonomy)?)?;
    let (redactor, model) = (Redactor::builtin(), VaderModel::product()?);
    let tagger = RuleTagger::new(&taxonomy)?;
    let pipeline = Pipeline::new(&redactor, &model, &Whatlang).with_tagger(&tagger);
    let mut pii = BTreeMap::new();
    let mut labels = BTreeMap::new();
    let (mut tagged, mut requests, mut examples) = (Vec::new(), Vec::new(), Vec::new());
    let mut skipped = Vec::new();
    for (item, processed) in loaded.data.iter().zip(pipeline.process(&loaded.data)) {
        // An item left empty by clean-up is reported with the rejected rows, not fatal.
        let p = match processed {
            Ok(p) => p,
            Err(e) => {
                skipped.push(format!("  {e}"));
                continue;
            }
        };
        for (kind, n) in &p.redactions {
            *pii.entry(format!("{kind:?}")).or_insert(0) += n;
        }
        if !p.redactions.is_empty() && examples.len() < 3 {
            examples.push(p.text.clone());
        }
        let compound = p.sentiment.as_ref().map(|s| s.compound);
        if let Some(s) = &p.sentiment {
            *labels.entry(format!("{:?}", s.label)).or_insert(0) += 1;
        }
        if p.intents.contains(&Intent::Request) {
            let record = DemandRecord::from(item);
            requests.extend(p.themes.iter().map(|t| (t.clone(), record.clone())));
        }
        tagged.push(
            TaggedItem::new(item.received_at, p.themes, compound)
                .with_account(item.account.clone(), None),
        );
    }
    println!("{} item(s) not processed", skipped.len());
    for line in skipped {
        println!("{line}");
    }
    println!("PII redacted: {pii:?}");
    for text in examples {
        println!("  {text}");
    }
    println!("sentiment: {labels:?}\n");

    let table = ThemeTable::build(&tagged, Grain::Month);
    let mut themes: Vec<_> = taxonomy
        .themes()
        .iter()
        .map(|t| (t, table.by_theme(&t.id).summary()))
        .collect();
    themes.retain(|t| t.1.n > 0);
    themes.sort_by_key(|t| std::cmp::Reverse(t.1.n));
    println!("top themes          items  accounts  negative  compound");
    for (theme, s) in themes.iter().take(args.top) {
        let neg = s
            .negative_share
            .map_or("–".into(), |x| format!("{:.0}%", 100.0 * x));
        let mean = s.mean_compound.map_or("–".into(), |x| format!("{x:+.3}"));
        let (id, n, accounts) = (theme.id.as_str(), s.n, s.unique_accounts);
        println!("{id:<18} {n:>6} {accounts:>9} {neg:>9} {mean:>9}");
    }

    let by_id: HashMap<_, _> = accounts
        .data
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect();
    let as_of = loaded.data.iter().map(|i| i.received_at).max();
    let config = DemandConfig::new(as_of.ok_or("no feedback items")?);
    let demand = demand_by_key(requests, &by_id, &config, &Uniform)?;
    let mut ranked: Vec<_> = demand.into_iter().collect();
    ranked.sort_by(|a, b| b.1.arr_weighted.total_cmp(&a.1.arr_weighted));
    println!("\ntop requests        records  accounts   ARR-weighted");
    for (theme, d) in ranked.iter().take(args.top) {
        let (id, records, accounts, arr) =
            (theme.as_str(), d.records, d.unique_accounts, d.arr_weighted);
        println!("{id:<18} {records:>8} {accounts:>9} {arr:>14.0}");
    }
    Ok(())
}
