//! Linear kernels over an [`EventTable`]: one scan per series, allocation-free per event.
//!
//! A scan walks each key's events in time order, keeps the selected ones that fall on the day
//! grid, and hands (key, row, day, breakdown slot) to a visitor. Visitors accumulate into
//! arrays sized up front; per-key state is reset by stamping cells with the key code instead
//! of clearing them.

use crate::events::trends::grid::{Buckets, DayGrid, NO_BUCKET};
use crate::events::trends::selector::Matcher;
use crate::events::{EventTable, NULL_CODE};

/// Marks "no key" in stamp arrays (key codes are below `u32::MAX`).
const NO_KEY: u32 = u32::MAX;

/// Receives the selected events of a scan.
pub(crate) trait Visitor {
    /// One selected event of `key` at table row `row` on grid day `day`, breakdown `slot`.
    fn event(&mut self, key: u32, row: usize, day: usize, slot: usize);
    /// Called after the last selected event of a key that had any.
    fn end_key(&mut self, _key: u32) {}
}

/// Maps an event row to its breakdown slot.
#[derive(Debug, Clone)]
pub(crate) enum Slots<'t> {
    /// No breakdown: one slot.
    Single,
    /// A breakdown by a property: a slot per code, and one for missing values.
    ByCode {
        codes: &'t [u32],
        slot_of_code: Vec<u32>,
        null_slot: u32,
    },
}

/// Marks a breakdown value that has no slot.
pub(crate) const NO_SLOT: u32 = u32::MAX;

impl Slots<'_> {
    #[inline]
    fn slot(&self, row: usize) -> u32 {
        match self {
            Slots::Single => 0,
            Slots::ByCode {
                codes,
                slot_of_code,
                null_slot,
            } => {
                let code = codes[row];
                if code == NULL_CODE {
                    *null_slot
                } else {
                    slot_of_code[code as usize]
                }
            }
        }
    }
}

/// Runs `visitor` over the selected events of `table` on `grid`.
pub(crate) fn scan(
    table: &EventTable,
    matcher: &Matcher<'_>,
    grid: &DayGrid,
    slots: &Slots<'_>,
    visitor: &mut impl Visitor,
) {
    if matcher.is_never() || grid.len() == 0 {
        return;
    }
    let (start, end) = (grid.start_instant(), grid.end_instant());
    for key in table.keys() {
        let mut any = false;
        // Events are sorted: skip the history before the grid by bisection, stop at its end.
        let skip = key.timestamps.partition_point(|&ts| ts < start);
        let events = key.timestamps[skip..].iter().zip(&key.events[skip..]);
        for (i, (&ts, &event)) in events.enumerate() {
            if ts >= end {
                break;
            }
            let row = key.rows.0 + skip + i;
            if !matcher.matches(row, event) {
                continue;
            }
            let Some(day) = grid.day(ts) else { continue };
            let slot = slots.slot(row);
            if slot == NO_SLOT {
                continue;
            }
            visitor.event(key.key, row, day, slot as usize);
            any = true;
        }
        if any {
            visitor.end_key(key.key);
        }
    }
}

/// Events per (slot, grid day).
pub(crate) struct DayCounts {
    pub(crate) days: usize,
    pub(crate) counts: Vec<u64>,
}

impl DayCounts {
    pub(crate) fn new(slots: usize, days: usize) -> DayCounts {
        DayCounts {
            days,
            counts: vec![0; slots * days],
        }
    }

    /// Events per bucket of a slot.
    pub(crate) fn per_bucket(&self, slot: usize, buckets: &Buckets) -> Vec<u64> {
        let mut out = vec![0u64; buckets.len()];
        let row = &self.counts[slot * self.days..(slot + 1) * self.days];
        for (d, &c) in row.iter().enumerate() {
            let b = buckets.bucket_of_day[d];
            if b != NO_BUCKET {
                out[b as usize] += c;
            }
        }
        out
    }

    /// Events in the `window` days ending on each bucket's last day.
    pub(crate) fn trailing(&self, slot: usize, buckets: &Buckets, window: usize) -> Vec<u64> {
        let row = &self.counts[slot * self.days..(slot + 1) * self.days];
        let mut prefix = Vec::with_capacity(row.len() + 1);
        prefix.push(0u64);
        for &c in row {
            prefix.push(prefix[prefix.len() - 1] + c);
        }
        buckets
            .last_day
            .iter()
            .map(|&d| prefix[d + 1] - prefix[(d + 1).saturating_sub(window)])
            .collect()
    }
}

impl Visitor for DayCounts {
    #[inline]
    fn event(&mut self, _key: u32, _row: usize, day: usize, slot: usize) {
        self.counts[slot * self.days + day] += 1;
    }
}

/// Distinct keys per (slot, bucket).
pub(crate) struct Uniques<'b> {
    bucket_of_day: &'b [u32],
    n_buckets: usize,
    last_key: Vec<u32>,
    pub(crate) counts: Vec<u64>,
}

impl<'b> Uniques<'b> {
    pub(crate) fn new(slots: usize, buckets: &'b Buckets) -> Uniques<'b> {
        let cells = slots * buckets.len();
        Uniques {
            bucket_of_day: &buckets.bucket_of_day,
            n_buckets: buckets.len(),
            last_key: vec![NO_KEY; cells],
            counts: vec![0; cells],
        }
    }
}

impl Visitor for Uniques<'_> {
    #[inline]
    fn event(&mut self, key: u32, _row: usize, day: usize, slot: usize) {
        let b = self.bucket_of_day[day];
        if b == NO_BUCKET {
            return;
        }
        let cell = slot * self.n_buckets + b as usize;
        if self.last_key[cell] != key {
            self.last_key[cell] = key;
            self.counts[cell] += 1;
        }
    }
}

/// Distinct keys active in the trailing `window` days ending on each grid day, by the
/// interval sweep: an active day d covers days [d, d + window − 1]; a key's overlapping
/// covers are merged into runs, each run adds +1/−1 to a difference array, and a prefix sum
/// gives the count per day. O(events + slots × days).
pub(crate) struct TrailingDistinct {
    window: usize,
    stride: usize,
    diff: Vec<i64>,
    run_key: Vec<u32>,
    run_start: Vec<usize>,
    run_end: Vec<usize>,
    touched: Vec<usize>,
}

impl TrailingDistinct {
    pub(crate) fn new(slots: usize, days: usize, window: usize) -> TrailingDistinct {
        let stride = days + window + 1;
        TrailingDistinct {
            window,
            stride,
            diff: vec![0; slots * stride],
            run_key: vec![NO_KEY; slots],
            run_start: vec![0; slots],
            run_end: vec![0; slots],
            touched: Vec::new(),
        }
    }

    fn flush(&mut self, slot: usize) {
        let base = slot * self.stride;
        self.diff[base + self.run_start[slot]] += 1;
        self.diff[base + self.run_end[slot] + 1] -= 1;
    }

    /// The distinct count on every grid day of a slot.
    pub(crate) fn per_day(&self, slot: usize, days: usize) -> Vec<u64> {
        let row = &self.diff[slot * self.stride..slot * self.stride + days];
        let mut running = 0i64;
        row.iter()
            .map(|&delta| {
                running += delta;
                running.max(0) as u64
            })
            .collect()
    }
}

impl Visitor for TrailingDistinct {
    #[inline]
    fn event(&mut self, key: u32, _row: usize, day: usize, slot: usize) {
        let cover_end = day + self.window - 1;
        if self.run_key[slot] != key {
            self.run_key[slot] = key;
            self.run_start[slot] = day;
            self.run_end[slot] = cover_end;
            self.touched.push(slot);
        } else if day <= self.run_end[slot] + 1 {
            // Days arrive in order, so the new cover extends the run.
            self.run_end[slot] = cover_end;
        } else {
            self.flush(slot);
            self.run_start[slot] = day;
            self.run_end[slot] = cover_end;
        }
    }

    fn end_key(&mut self, _key: u32) {
        let mut touched = std::mem::take(&mut self.touched);
        for &slot in &touched {
            self.flush(slot);
            self.run_key[slot] = NO_KEY;
        }
        touched.clear();
        self.touched = touched;
    }
}

/// Numeric property values per (slot, bucket): running sum, count, min and max, and, when
/// quantiles are asked for, every (cell, value) pair for one sort at the end.
pub(crate) struct PropertyValues<'b> {
    bucket_of_day: &'b [u32],
    n_buckets: usize,
    codes: &'b [u32],
    numeric: &'b [Option<f64>],
    keep_values: bool,
    pub(crate) sum: Vec<f64>,
    pub(crate) n: Vec<u64>,
    pub(crate) min: Vec<f64>,
    pub(crate) max: Vec<f64>,
    pub(crate) pairs: Vec<(u32, f64)>,
    /// The first code that is not a number, if any selected event carried one.
    pub(crate) bad_code: Option<u32>,
}

impl<'b> PropertyValues<'b> {
    pub(crate) fn new(
        slots: usize,
        buckets: &'b Buckets,
        codes: &'b [u32],
        numeric: &'b [Option<f64>],
        keep_values: bool,
        capacity: usize,
    ) -> PropertyValues<'b> {
        let cells = slots * buckets.len();
        PropertyValues {
            bucket_of_day: &buckets.bucket_of_day,
            n_buckets: buckets.len(),
            codes,
            numeric,
            keep_values,
            sum: vec![0.0; cells],
            n: vec![0; cells],
            min: vec![f64::INFINITY; cells],
            max: vec![f64::NEG_INFINITY; cells],
            pairs: if keep_values {
                Vec::with_capacity(capacity)
            } else {
                Vec::new()
            },
            bad_code: None,
        }
    }
}

impl Visitor for PropertyValues<'_> {
    #[inline]
    fn event(&mut self, _key: u32, row: usize, day: usize, slot: usize) {
        let b = self.bucket_of_day[day];
        let code = self.codes[row];
        if b == NO_BUCKET || code == NULL_CODE {
            return;
        }
        let Some(x) = self.numeric[code as usize] else {
            self.bad_code.get_or_insert(code);
            return;
        };
        let cell = slot * self.n_buckets + b as usize;
        self.sum[cell] += x;
        self.n[cell] += 1;
        self.min[cell] = self.min[cell].min(x);
        self.max[cell] = self.max[cell].max(x);
        if self.keep_values {
            self.pairs.push((cell as u32, x));
        }
    }
}

/// Distinct non-null values of a property per (slot, bucket) (sessions, groups): (cell,
/// code) pairs packed in a `u64`, sorted and deduplicated once at the end.
pub(crate) struct DistinctValues<'b> {
    bucket_of_day: &'b [u32],
    n_buckets: usize,
    codes: &'b [u32],
    pairs: Vec<u64>,
}

impl<'b> DistinctValues<'b> {
    pub(crate) fn new(
        buckets: &'b Buckets,
        codes: &'b [u32],
        capacity: usize,
    ) -> DistinctValues<'b> {
        DistinctValues {
            bucket_of_day: &buckets.bucket_of_day,
            n_buckets: buckets.len(),
            codes,
            pairs: Vec::with_capacity(capacity),
        }
    }

    /// Distinct values per cell.
    pub(crate) fn counts(mut self, cells: usize) -> Vec<u64> {
        self.pairs.sort_unstable();
        self.pairs.dedup();
        let mut out = vec![0u64; cells];
        for pair in &self.pairs {
            out[(pair >> 32) as usize] += 1;
        }
        out
    }
}

impl Visitor for DistinctValues<'_> {
    #[inline]
    fn event(&mut self, _key: u32, row: usize, day: usize, slot: usize) {
        let b = self.bucket_of_day[day];
        let code = self.codes[row];
        if b == NO_BUCKET || code == NULL_CODE {
            return;
        }
        let cell = (slot * self.n_buckets + b as usize) as u64;
        let pair = (cell << 32) | u64::from(code);
        // A key's consecutive events usually share the value (one session): keep one.
        if self.pairs.last() != Some(&pair) {
            self.pairs.push(pair);
        }
    }
}

/// Events per key per (slot, bucket), emitted as (cell, count) pairs when the key ends.
pub(crate) struct PerKeyCounts<'b> {
    bucket_of_day: &'b [u32],
    n_buckets: usize,
    cell_key: Vec<u32>,
    cell_count: Vec<u64>,
    touched: Vec<u32>,
    pub(crate) pairs: Vec<(u32, f64)>,
}

impl<'b> PerKeyCounts<'b> {
    pub(crate) fn new(slots: usize, buckets: &'b Buckets) -> PerKeyCounts<'b> {
        let cells = slots * buckets.len();
        PerKeyCounts {
            bucket_of_day: &buckets.bucket_of_day,
            n_buckets: buckets.len(),
            cell_key: vec![NO_KEY; cells],
            cell_count: vec![0; cells],
            touched: Vec::new(),
            pairs: Vec::new(),
        }
    }
}

impl Visitor for PerKeyCounts<'_> {
    #[inline]
    fn event(&mut self, key: u32, _row: usize, day: usize, slot: usize) {
        let b = self.bucket_of_day[day];
        if b == NO_BUCKET {
            return;
        }
        let cell = slot * self.n_buckets + b as usize;
        if self.cell_key[cell] != key {
            self.cell_key[cell] = key;
            self.cell_count[cell] = 0;
            self.touched.push(cell as u32);
        }
        self.cell_count[cell] += 1;
    }

    fn end_key(&mut self, _key: u32) {
        for &cell in &self.touched {
            self.pairs
                .push((cell, self.cell_count[cell as usize] as f64));
        }
        self.touched.clear();
    }
}

/// Selected events per property code (the last entry counts missing values): over the
/// range days, the volume that ranks breakdown values, and over the whole grid (history
/// for trailing windows included), which values occur at all.
pub(crate) struct Volume<'b> {
    bucket_of_day: &'b [u32],
    codes: &'b [u32],
    pub(crate) in_range: Vec<u64>,
    pub(crate) in_grid: Vec<u64>,
}

impl<'b> Volume<'b> {
    pub(crate) fn new(buckets: &'b Buckets, codes: &'b [u32], n_values: usize) -> Volume<'b> {
        Volume {
            bucket_of_day: &buckets.bucket_of_day,
            codes,
            in_range: vec![0; n_values + 1],
            in_grid: vec![0; n_values + 1],
        }
    }
}

impl Visitor for Volume<'_> {
    #[inline]
    fn event(&mut self, _key: u32, row: usize, day: usize, _slot: usize) {
        let code = self.codes[row];
        let i = if code == NULL_CODE {
            self.in_grid.len() - 1
        } else {
            code as usize
        };
        self.in_grid[i] += 1;
        if self.bucket_of_day[day] != NO_BUCKET {
            self.in_range[i] += 1;
        }
    }
}

/// The `q` quantile of sorted values by linear interpolation between order statistics
/// (Hyndman and Fan type 7, numpy's and pandas' default). `None` for no values.
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Sorts (cell, value) pairs and applies `reduce` to each cell's sorted values.
pub(crate) fn reduce_pairs(
    pairs: &mut [(u32, f64)],
    cells: usize,
    reduce: impl Fn(&[f64]) -> Option<f64>,
) -> Vec<Option<f64>> {
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = vec![None; cells];
    let mut values: Vec<f64> = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let cell = pairs[start].0;
        let mut end = start;
        values.clear();
        while end < pairs.len() && pairs[end].0 == cell {
            values.push(pairs[end].1);
            end += 1;
        }
        out[cell as usize] = reduce(&values);
        start = end;
    }
    out
}
