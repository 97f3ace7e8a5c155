use prodops_feedback::ingest::{ColumnMap, FeedbackReader};
use prodops_feedback::model::{Channel, Score, ScoreScale};

use crate::common::{R, accounts, feedback};

#[test]
fn bundled_sample_loads_completely() -> R {
    let acc = accounts()?;
    assert!(acc.report.is_clean(), "{}", acc.report);
    assert_eq!(acc.data.len(), 400);
    let a = &acc.data[0];
    assert_eq!(a.id.as_str(), "acct-00001");
    assert_eq!(
        a.arr.as_ref().map(|m| m.amount().to_string()),
        Some("1584.72".to_owned())
    );
    assert_eq!(a.segment.get("segment"), Some("SMB"));
    assert_eq!(a.custom.get("seats").map(String::as_str), Some("14"));

    let fb = FeedbackReader::default()
        .with_known_accounts(&acc.data)
        .read_csv_path(crate::common::repo_root().join("data/feedback.csv"))?;
    assert!(fb.report.is_clean(), "{}", fb.report);
    assert_eq!(fb.data.len(), 2000);
    let first = &fb.data[0];
    assert_eq!(first.channel, Channel::AppReview);
    assert_eq!(first.score, Some(Score::Nps(2)));
    assert_eq!(first.tags, ["pricing", "integrations"]);
    assert_eq!(feedback()?.data.len(), 2000);
    Ok(())
}

#[test]
fn malformed_rows_are_reported_with_line_and_reason() -> R {
    let mut csv =
        b"feedback_id,channel,received_at,account_id,author_id,text,score,language,themes\n"
            .to_vec();
    csv.extend_from_slice(b"f1,app_review,2026-05-01 10:00:00,acct-00001,u1,Fine,9,en,ui\n"); // line 2 ok
    csv.extend_from_slice(b"f2,app_review,not a time,acct-00001,u1,Fine,9,en,\n"); // 3 time
    csv.extend_from_slice(b"f3,app_review,2026-05-01,acct-00001,u1,   ,9,en,\n"); // 4 empty text
    csv.extend_from_slice(b"f4,app_review,2026-05-01,acct-00001,u1,Hi,11,en,\n"); // 5 score
    csv.extend_from_slice(b"f5,app_review,2026-05-01,acct-99999,u1,Hi,,en,\n"); // 6 unknown account
    csv.extend_from_slice(b"f1,app_review,2026-05-01,acct-00001,u1,Again,,en,\n"); // 7 duplicate id
    csv.extend_from_slice(b"f6,app_review,2026-05-01,acct-00001,u1,Bad \xff byte,,en,\n"); // 8 utf-8
    csv.extend_from_slice(b"f7,app_review,2026-05-01\n"); // 9 field count
    csv.extend_from_slice(b",app_review,2026-05-01,acct-00001,u1,No id,,en,\n"); // 10 id
    csv.extend_from_slice(b"f8,Partner portal,2026-05-01T08:30:00+02:00,,,\"Multi\nline\",,,\n"); // 11-12 ok
    let acc = accounts()?;
    let out = FeedbackReader::default()
        .with_known_accounts(&acc.data)
        .read_csv("bad.csv", &csv[..])?;
    let got: Vec<(u64, Option<&str>)> = out
        .report
        .rejected()
        .iter()
        .map(|r| (r.line, r.column.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (3, Some("received_at")),
            (4, Some("text")),
            (5, Some("score")),
            (6, Some("account_id")),
            (7, Some("feedback_id")),
            (8, Some("text")),
            (9, None),
            (10, Some("feedback_id")),
        ]
    );
    assert!(
        out.report.rejected()[3]
            .reason
            .contains("unknown account acct-99999")
    );
    assert_eq!(out.report.rows_read(), 10);
    assert_eq!(out.data.len(), 2);
    let f8 = &out.data[1];
    assert_eq!(f8.channel, Channel::Custom("Partner portal".into()));
    assert_eq!(f8.received_at.to_string(), "2026-05-01 06:30:00");
    assert_eq!(f8.text, "Multi\nline");
    Ok(())
}

#[test]
fn json_and_jsonl_with_a_custom_mapping() -> R {
    let map = ColumnMap::default()
        .id("id")
        .text("body")
        .received_at("created")
        .channel(None)
        .account(Some("account"))
        .author(None)
        .score(Some("stars"), ScoreScale::Stars)
        .language(None)
        .tags(Some("labels"), ';');
    let reader = FeedbackReader::new(map);
    let json = r#"[
        {"id": "a", "body": "Great", "created": "2026-01-02", "account": "acct-1", "stars": 5, "labels": ["ui", "speed"]},
        {"id": "b", "body": "", "created": "2026-01-02"},
        {"id": "c", "body": "Meh", "created": "2026-01-02", "stars": 0},
        [1, 2],
        {"id": "d", "body": {"nested": true}, "created": "2026-01-02"}
    ]"#;
    let out = reader.read_json("x.json", json)?;
    assert_eq!(out.data.len(), 1);
    assert_eq!(out.data[0].score, Some(Score::Stars(5)));
    assert_eq!(out.data[0].tags, ["ui", "speed"]);
    let lines: Vec<u64> = out.report.rejected().iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    assert!(
        reader
            .read_json("x.json", "{\"not\": \"an array\"}")
            .is_err()
    );

    let jsonl = b"{\"id\": \"a\", \"body\": \"Great\", \"created\": \"2026-01-02 10:00:00\"}\n\n{broken\n{\"id\": \"b\", \"body\": \"caf\xc3\xa9\", \"created\": \"2026-01-03\"}\n\xff\xfe\n";
    let out = reader.read_jsonl_bytes("x.jsonl", jsonl)?;
    assert_eq!(out.data.len(), 2);
    assert_eq!(out.data[1].text, "café");
    let rej: Vec<(u64, &str)> = out
        .report
        .rejected()
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(rej.len(), 2);
    assert_eq!(rej[0].0, 3);
    assert_eq!(rej[1], (5, "invalid UTF-8"));
    let text = std::str::from_utf8(&jsonl[..90]).unwrap_or_default();
    assert!(reader.read_jsonl("t", text).is_ok());
    Ok(())
}

#[test]
fn missing_mapped_column_is_a_typed_error() {
    let r = FeedbackReader::default().read_csv("x", "id,text\n1,hi\n".as_bytes());
    assert!(matches!(
        r,
        Err(prodops_feedback::FeedbackError::MissingColumn { .. })
    ));
}

/// A reader that fails after its first chunk, as a dropped network stream does.
struct Failing(Vec<u8>, bool);

impl std::io::Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1 {
            return Err(std::io::Error::other("connection reset"));
        }
        self.1 = true;
        let n = self.0.len().min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        Ok(n)
    }
}

#[test]
fn a_read_error_part_way_is_an_error_not_a_short_report() {
    let head = b"feedback_id,channel,received_at,account_id,author_id,text,score,language,themes\nf1,email,2026-05-01,,,hi,,en,\n".to_vec();
    let r = FeedbackReader::default().read_csv("stream", Failing(head, false));
    assert!(
        matches!(r, Err(prodops_feedback::FeedbackError::Ingest { .. })),
        "{r:?}"
    );
}
