//! # prodops-feedback
//!
//! Customer feedback from raw text to ranked, customer-weighted demand: ingestion with an
//! ingestion report, Unicode clean-up, PII redaction, sentiment (an exact port of
//! vaderSentiment 3.3.2 plus a product-domain overlay), themes, near-duplicates, and demand per
//! feature request counted by the accounts behind it.
//!
//! ```
//! use std::collections::HashMap;
//!
//! use prodops_feedback::demand::{DemandConfig, Uniform, request_demand};
//! use prodops_feedback::ingest::{AccountColumns, FeedbackReader, read_accounts_csv};
//! use prodops_feedback::intent::Intent;
//! use prodops_feedback::model::{Importance, RequestBoard, RequestId, Taxonomy, Theme, ThemeId};
//! use prodops_feedback::pii::Redactor;
//! use prodops_feedback::pipeline::Pipeline;
//! use prodops_feedback::sentiment::{Label, VaderModel};
//! use prodops_feedback::text::Whatlang;
//! use prodops_feedback::themes::RuleTagger;
//!
//! let accounts_csv = "account_id,name,segment,region,plan,arr\n\
//!                     acct-1,Acme,Enterprise,EMEA,Pro,120000\n\
//!                     acct-2,Globex,SMB,NA,Starter,3000\n";
//! let feedback_csv = "feedback_id,channel,received_at,account_id,author_id,text,score,language,themes\n\
//!     f1,support_ticket,2026-05-02 09:00:00,acct-1,u1,The export is painfully slow. Mail me at jo@acme.io,,en,\n\
//!     f2,app_review,2026-05-03 10:00:00,acct-2,u2,Please add dark mode!,8,en,\n\
//!     f3,survey,2026-05-04 11:00:00,acct-1,u3,\"We badly need dark mode, our team works at night.\",6,en,\n\
//!     f4,survey,not a date,acct-2,u4,Lost row,,en,\n";
//!
//! let mut cols = AccountColumns::default();
//! cols.segment = vec!["segment".into()];
//! let accounts = read_accounts_csv("accounts.csv", accounts_csv.as_bytes(), &cols)?;
//! let loaded = FeedbackReader::default()
//!     .with_known_accounts(&accounts.data)
//!     .read_csv("feedback.csv", feedback_csv.as_bytes())?;
//! assert_eq!(loaded.report.rejected()[0].line, 5); // the bad date is reported, not lost
//!
//! let taxonomy = Taxonomy::new(vec![
//!     Theme::new("performance", None, &["slow", "load time"])?,
//!     Theme::new("dark_mode", None, &["dark mode"])?,
//! ])?;
//! let tagger = RuleTagger::new(&taxonomy)?;
//! let redactor = Redactor::builtin();
//! let model = VaderModel::product()?;
//! let pipeline = Pipeline::new(&redactor, &model, &Whatlang).with_tagger(&tagger);
//! let processed = pipeline.process(&loaded.data);
//! let first = processed[0].as_ref().map_err(|e| e.to_string())?;
//! assert_eq!(first.text, "The export is painfully slow. Mail me at [EMAIL]");
//! assert_eq!(first.sentiment.as_ref().map(|s| s.label), Some(Label::Negative));
//! assert_eq!(first.themes, [ThemeId::new("performance")?]);
//! assert_eq!(processed[1].as_ref().map(|p| p.intents.clone()).ok(), Some(vec![Intent::Request]));
//!
//! // Link the dark-mode items to a request and rank it by the accounts behind it.
//! let mut board = RequestBoard::new();
//! let dark = RequestId::new("dark-mode")?;
//! board.add_request(dark.clone(), "Dark mode", loaded.data[0].received_at)?;
//! for (item, p) in loaded.data.iter().zip(&processed) {
//!     let p = p.as_ref().map_err(|e| e.to_string())?;
//!     if p.themes.contains(&ThemeId::new("dark_mode")?) {
//!         board.link(item, &dark, Importance::Important, item.received_at)?;
//!     }
//! }
//! let table: HashMap<_, _> = accounts.data.into_iter().map(|a| (a.id.clone(), a)).collect();
//! let as_of = loaded.data[2].received_at;
//! let demand = request_demand(&board, &table, &DemandConfig::new(as_of), &Uniform)?;
//! assert_eq!(demand[&dark].unique_accounts, 2);
//! assert_eq!(demand[&dark].arr_weighted, 123_000.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! - [`model`]: items, accounts, requests with a status workflow and merges, importance
//!   links, the theme taxonomy.
//! - [`ingest`]: CSV, JSON, JSON Lines (and polars DataFrames with the `polars` feature)
//!   through a [`ingest::ColumnMap`]; every rejected row in the report.
//! - [`intent`]: request, bug, praise and question tags, apart from sentiment.
//! - [`text`]: NFKC clean-up, folding, language detection (`whatlang`).
//! - [`pii`]: checksum-validated recognizers and a reversible redactor.
//! - [`sentiment`]: the [`sentiment::SentimentModel`] trait, VADER 3.3.2 parity, overlays,
//!   sentence mode, parallel batches.
//! - [`dedup`]: exact and MinHash-LSH near-duplicates, account-preserving merges.
//! - [`themes`]: stemmed rule tagger, c-TF-IDF keyphrases, theme tables, rising themes.
//! - [`demand`]: unique accounts, importance, ARR, recency, trending; RICE reach.
//! - [`pipeline`]: clean → language → redact → sentiment and intent → themes.
//!
//! ## Extension points
//!
//! [`sentiment::SentimentModel`], [`themes::ThemeTagger`], [`pii::Recognizer`],
//! [`ingest::FeedbackSource`], [`text::LanguageDetector`] and [`demand::AccountWeight`]; each
//! built-in implements its trait, so it doubles as a reference implementation.
//!
//! ## Data and licences
//!
//! `data/vader_lexicon.txt` and `data/emoji_utf8_lexicon.txt` are vaderSentiment 3.3.2's
//! (MIT, `data/VADER_LICENSE.txt`). The human-rated ICWSM-14 ground truth of Hutto & Gilbert
//! (2014), from the same MIT distribution, is not shipped: `fixtures/fetch_icwsm.sh` fetches
//! it with sha256 checks for the evaluation tests and benchmarks. Please cite: Hutto, C.J. &
//! Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
//! Social Media Text. ICWSM-14.
//!
//! ## Crate features
//!
//! - `polars`: `FeedbackReader::read_dataframe` loads items from a polars `DataFrame`.

pub mod dedup;
pub mod demand;
mod error;
pub mod ingest;
pub mod intent;
pub mod model;
pub mod pii;
pub mod pipeline;
pub mod sentiment;
pub mod text;
pub mod themes;

pub use error::FeedbackError;
