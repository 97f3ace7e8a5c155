use prodops_feedback::intent::{Intent, intents};

use crate::common::{R, truth};

#[test]
fn hand_examples() {
    let cases: [(&str, &[Intent]); 6] = [
        ("It would be nice to have a dark mode.", &[Intent::Request]),
        (
            "The app keeps crashing when I upload a file.",
            &[Intent::Bug],
        ),
        ("Huge thanks to the support team", &[Intent::Praise]),
        (
            "Does the API support webhooks for new records?",
            &[Intent::Question],
        ),
        (
            "We were charged twice this month and nobody responds.",
            &[Intent::Bug],
        ),
        ("Page load times seem about the same as last quarter.", &[]),
    ];
    for (text, want) in cases {
        assert_eq!(intents(text), want, "{text}");
    }
}

/// Requests against the planted `feature_request` theme; praise against the planted sentiment.
#[test]
fn intents_on_the_sample() -> R {
    let rows = truth()?;
    let (mut fr, mut req, mut req_fr) = (0, 0, 0);
    let (mut praise, mut praise_pos) = (0, 0);
    for r in &rows {
        let got = intents(&r.text);
        let is_fr = r.themes.iter().any(|t| t == "feature_request");
        if is_fr {
            fr += 1;
        }
        if got.contains(&Intent::Request) {
            req += 1;
            if is_fr {
                req_fr += 1;
            }
        }
        if got.contains(&Intent::Praise) {
            praise += 1;
            if r.sentiment == "positive" {
                praise_pos += 1;
            }
        }
    }
    let recall = req_fr as f64 / fr as f64;
    let precision = req_fr as f64 / req as f64;
    let praise_precision = praise_pos as f64 / praise as f64;
    eprintln!(
        "intent: request recall {recall:.3} precision {precision:.3} (vs feature_request theme); praise precision {praise_precision:.3} (vs positive label)"
    );
    assert!(recall > 0.8 && precision > 0.5 && praise_precision > 0.5);
    Ok(())
}
