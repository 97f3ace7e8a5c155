use prodops_core::{IngestReport, Ingested};
use proptest::prelude::*;

#[test]
fn report_lists_every_rejected_row() {
    let mut r = IngestReport::new("a.csv");
    r.accept();
    r.reject(3, Some("score"), "score 11 is outside 0..=10");
    r.reject(4, None, "expected 5 fields, found 3");
    assert_eq!(r.rows_read(), 3);
    assert_eq!(r.rows_accepted(), 1);
    let text = r.to_string();
    assert!(
        text.starts_with("a.csv: 3 rows read, 1 accepted, 2 rejected"),
        "{text}"
    );
    assert!(
        text.contains("line 3, column score: score 11 is outside 0..=10"),
        "{text}"
    );
    assert!(
        text.contains("line 4: expected 5 fields, found 3"),
        "{text}"
    );
}

#[test]
fn merge_keeps_both_sources_and_all_rows() {
    let mut a = IngestReport::new("jan.csv");
    a.accept();
    let mut b = IngestReport::new("feb.csv");
    b.reject(2, None, "bad");
    a.merge(b);
    assert_eq!(a.source(), "jan.csv + feb.csv");
    assert_eq!(
        (a.rows_read(), a.rows_accepted(), a.rejected().len()),
        (2, 1, 1)
    );
}

#[test]
fn report_round_trips_through_json() {
    let mut r = IngestReport::new("x");
    r.reject(7, Some("date"), "not a date");
    let back: IngestReport = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}

proptest! {
    #[test]
    fn nothing_is_lost(rows in prop::collection::vec(any::<Option<u8>>(), 0..200)) {
        let items = rows.iter().enumerate().map(|(i, r)| (i as u64 + 2, r.ok_or("missing value")));
        let loaded = Ingested::collect_rows("p", Some("v"), items);
        let expected_ok = rows.iter().filter(|r| r.is_some()).count();
        prop_assert_eq!(loaded.data.len(), expected_ok);
        prop_assert_eq!(loaded.report.rows_read() as usize, rows.len());
        prop_assert_eq!(
            loaded.report.rows_accepted() as usize + loaded.report.rejected().len(),
            rows.len()
        );
        for rej in loaded.report.rejected() {
            prop_assert!(rows[(rej.line - 2) as usize].is_none());
        }
    }
}
