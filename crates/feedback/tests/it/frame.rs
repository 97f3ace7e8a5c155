use polars::prelude::*;
use prodops_feedback::ingest::FeedbackReader;
use prodops_feedback::model::Score;

#[test]
fn dataframe_rows_load_and_bad_rows_are_reported() -> Result<(), Box<dyn std::error::Error>> {
    let df = df!(
        "feedback_id" => ["a", "b", "c"],
        "channel" => ["app_review", "email", "survey"],
        "received_at" => ["2026-05-01 10:00:00", "never", "2026-05-02"],
        "account_id" => [Some("acct-1"), None, None],
        "author_id" => [Some("u1"), None, None],
        "text" => ["Slow sync", "hi", "Great"],
        "score" => [Some(3i64), None, Some(12)],
        "language" => ["en", "en", "en"],
        "themes" => [Some("performance"), None, None],
    )?;
    let out = FeedbackReader::default().read_dataframe("df", &df)?;
    assert_eq!(out.data.len(), 1);
    assert_eq!(out.data[0].score, Some(Score::Nps(3)));
    let lines: Vec<u64> = out.report.rejected().iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3]);
    Ok(())
}
