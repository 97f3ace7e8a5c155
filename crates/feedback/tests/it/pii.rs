use prodops_feedback::pii::{PiiKind, Placeholder, Redactor, iban_valid, luhn_valid};
use proptest::prelude::*;

use crate::common::{R, truth};

#[test]
fn luhn_on_hand_checked_numbers() {
    // 79927398713: from the right 3, 1*2=2, 7, 8*2=16-9=7, 9, 3*2=6, 7, 2*2=4, 9, 9*2=18-9=9, 7;
    // sum 70, a multiple of 10: valid. Changing the check digit breaks it.
    assert!(luhn_valid("79927398713"));
    assert!(!luhn_valid("79927398710"));
    // Presidio's demo card and a test Visa number; then one digit off.
    assert!(luhn_valid("4095-2609-9393-4932"));
    assert!(luhn_valid("4111 1111 1111 1111"));
    assert!(!luhn_valid("4111 1111 1111 1112"));
    // 4111...1: 15 ones/fours: doubled positions 4*2=8 and seven 1*2=2 -> 8+14 + 8 undoubled 1s = 30.
    assert!(!luhn_valid("1"));
}

#[test]
fn iban_on_hand_checked_numbers() {
    // GB82 WEST 1234 5698 7654 32: WEST12345698765432GB82 -> 3214282912345698765432161182,
    // which is 1 mod 97 (the ISO 13616 worked example).
    assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
    assert!(!iban_valid("GB82 TEST 1234 5698 7654 32"));
    assert!(iban_valid("DE89370400440532013000"));
    assert!(!iban_valid("DE89370400440532013001"));
    assert!(iban_valid("IL150120690000003111111"));
    assert!(!iban_valid("IL15012069"), "too short");
    assert!(
        !iban_valid("gb82west12345698765432"),
        "lower case is not the printed form"
    );
}

#[test]
fn builtin_recognizers_and_near_misses() {
    let r = Redactor::builtin();
    let cases = [
        ("card 4095-2609-9393-4932 ok", "card [CREDIT_CARD] ok"),
        ("card 4095-2609-9393-4933 ok", "card 4095-2609-9393-4933 ok"),
        ("IBAN DE89 3704 0044 0532 0130 00 PAID", "IBAN [IBAN] PAID"),
        (
            "IBAN DE88 3704 0044 0532 0130 00",
            "IBAN DE88 3704 0044 0532 0130 00",
        ),
        ("call (212) 555-1234 now", "call [PHONE] now"),
        ("ring +44 20 7946 6940.", "ring [PHONE]."),
        (
            "[Ticket #94971] on 2026-05-01",
            "[Ticket #94971] on 2026-05-01",
        ),
        (
            "from ip 10.0.0.256 and 10.0.0.25",
            "from ip 10.0.0.256 and [IP_ADDRESS]",
        ),
        (
            "host 2001:db8::8a2e:370:7334 down",
            "host [IP_ADDRESS] down",
        ),
        ("at 10:00:00 sharp", "at 10:00:00 sharp"),
        ("mail a.b+c@mail.example.co.uk.", "mail [EMAIL]."),
        (
            "see https://app.example.com/reset?token=abc123&x=1 and https://example.com/docs.",
            "see [URL] and https://example.com/docs.",
        ),
        (
            "see https://example.com/s/8f14e45fceea167a5a36dedd4bea2543",
            "see [URL]",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(r.redact(input).text, want, "{input}");
    }
}

#[test]
fn placeholders_mask_and_reverse_map() {
    let text = "a@x.io, b@x.io, a@x.io";
    let n = Redactor::builtin()
        .placeholder(Placeholder::Numbered)
        .redact(text);
    assert_eq!(n.text, "[EMAIL_1], [EMAIL_2], [EMAIL_1]");
    assert_eq!(n.restore(), None, "no map kept by default");
    let m = Redactor::builtin()
        .placeholder(Placeholder::MaskKeepLast4)
        .keep_map(true)
        .redact("card 4111 1111 1111 1111");
    assert_eq!(m.text, "card **** **** **** 1111");
    assert_eq!(m.restore().as_deref(), Some("card 4111 1111 1111 1111"));
}

/// Row-level recall and precision on the planted PII of data/feedback.csv.
#[test]
fn recall_and_precision_on_planted_pii() -> R {
    let rows = truth()?;
    let r = Redactor::builtin();
    let (mut planted, mut found, mut flagged, mut false_pos) = (0, 0, 0, 0);
    for row in &rows {
        let out = r.redact(&row.text);
        if out.total() > 0 {
            flagged += 1;
        }
        let want = match row.pii.as_str() {
            "" => {
                if out.total() > 0 {
                    false_pos += 1;
                    eprintln!("false positive {}: {}", row.id, out.text);
                }
                continue;
            }
            "email" => PiiKind::Email,
            "phone" => PiiKind::Phone,
            "card_number" => PiiKind::CreditCard,
            other => return Err(format!("unexpected pii kind {other}").into()),
        };
        planted += 1;
        if out.counts.get(&want).copied().unwrap_or(0) > 0 {
            found += 1;
        } else {
            eprintln!("missed {} {}: {}", row.id, row.pii, row.text);
        }
    }
    let recall = found as f64 / planted as f64;
    let precision = (flagged - false_pos) as f64 / flagged as f64;
    eprintln!(
        "PII: planted {planted}, found {found}, recall {recall:.4}, flagged {flagged}, precision {precision:.4}"
    );
    assert_eq!(planted, 402);
    assert!(recall >= 0.99, "recall {recall}");
    assert!(precision >= 0.99, "precision {precision}");
    Ok(())
}

fn luhn_complete(prefix: &str) -> String {
    (0..10)
        .map(|d| format!("{prefix}{d}"))
        .find(|s| luhn_valid(s))
        .unwrap_or_default()
}

proptest! {
    #[test]
    fn redaction_never_leaks_and_is_idempotent(
        words in proptest::collection::vec("[a-z]{1,8}", 0..12),
        user in "[a-z]{1,10}",
        card_prefix in "4[0-9]{14}",
        pos in 0usize..12,
    ) {
        let email = format!("{user}@example.com");
        let card = luhn_complete(&card_prefix);
        let mut w = words.clone();
        let k = pos.min(w.len());
        w.insert(k, email.clone());
        w.insert(k, card.clone());
        let text = w.join(" ");
        let r = Redactor::builtin().keep_map(true);
        let out = r.redact(&text);
        prop_assert!(!out.text.contains(&email));
        prop_assert!(!out.text.contains(&card));
        prop_assert_eq!(out.restore(), Some(text.clone()));
        let again = Redactor::builtin().redact(&out.text);
        prop_assert_eq!(again.text, out.text.clone());
        for s in &out.spans {
            prop_assert!(s.start < s.end && s.end <= out.text.len());
        }
    }
}
