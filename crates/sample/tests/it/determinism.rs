use prodops_sample::{
    BLOCK_ROWS, SampleSpec, experiment_units, feedback_items, product_events, survey_responses,
};

use crate::small_accounts;

#[test]
fn same_seed_same_rows_other_seed_other_rows() {
    let accounts = small_accounts();
    let spec = SampleSpec::small();
    let a = survey_responses(&spec.surveys(), &accounts, 0..500).unwrap();
    let b = survey_responses(&spec.surveys(), &accounts, 0..500).unwrap();
    assert_eq!(a, b);
    let other = SampleSpec::small().seeded(7);
    let c = survey_responses(&other.surveys(), &accounts, 0..500).unwrap();
    assert_ne!(a, c);
}

#[test]
fn any_row_range_is_a_slice_of_the_full_table() {
    // Ranges that start inside one block and end inside the next must give exactly the rows
    // of the full generation at those positions.
    let spec = SampleSpec::with_rows(3 * BLOCK_ROWS);
    let accounts = small_accounts();
    let all = survey_responses(&spec.surveys(), &accounts, 0..2 * BLOCK_ROWS + 10).unwrap();
    let mid = survey_responses(&spec.surveys(), &accounts, BLOCK_ROWS - 5..BLOCK_ROWS + 5).unwrap();
    assert_eq!(mid, all[BLOCK_ROWS - 5..BLOCK_ROWS + 5]);
    let fb_all = feedback_items(&spec.feedback(), &accounts, 0..BLOCK_ROWS + 3).unwrap();
    let fb_tail = feedback_items(&spec.feedback(), &accounts, BLOCK_ROWS..BLOCK_ROWS + 3).unwrap();
    assert_eq!(fb_tail, fb_all[BLOCK_ROWS..]);
    let ex_all = experiment_units(&spec.experiment(), 0..BLOCK_ROWS + 3).unwrap();
    let ex_tail = experiment_units(&spec.experiment(), BLOCK_ROWS..BLOCK_ROWS + 3).unwrap();
    assert_eq!(ex_tail, ex_all[BLOCK_ROWS..]);
}

#[test]
fn the_small_set_is_a_prefix_of_a_large_one() {
    let small = SampleSpec::small();
    let large = SampleSpec::with_rows(1_000_000);
    let ev_small = product_events(&small.events(), 0..50).unwrap();
    let ev_large = product_events(&large.events(), 0..50).unwrap();
    assert_eq!(ev_small, ev_large);
    let ex_small = experiment_units(&small.experiment(), 0..100).unwrap();
    let ex_large = experiment_units(&large.experiment(), 0..100).unwrap();
    assert_eq!(ex_small, ex_large);
}

#[test]
fn ranges_past_the_configured_size_are_clamped() {
    let spec = SampleSpec::small();
    let accounts = small_accounts();
    let rows = survey_responses(&spec.surveys(), &accounts, 4_990..6_000).unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows.last().unwrap().response_id, 5_000);
    assert!(
        survey_responses(&spec.surveys(), &accounts, 7_000..8_000)
            .unwrap()
            .is_empty()
    );
}
