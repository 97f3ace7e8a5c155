//! The funnel kernel: step and exclusion masks resolved once per run, and a linear pass per
//! key over a fixed-size state (one attempt per step with its step times).

use std::cell::Cell;

use super::{
    ConversionWindow, EventMatcher, Funnel, FunnelOrder, Reentry, ResolvedMatcher, StepOccurrence,
};
use crate::error::KpiError;
use crate::events::table::{EventTable, KeyEvents};

/// The step time of an optional step the attempt skipped.
pub(super) const SKIPPED: i64 = i64::MIN;

/// Bit 0 of a step mask (no step uses it): the event code has matchers with property filters.
const HAS_FILTERED: u64 = 1;

/// Step and exclusion masks per event code, with the filtered matchers checked per row.
pub(super) struct Compiled {
    /// Per event code, `[steps, exclusions]`: bit `k` of `steps` set when every event with
    /// this code matches 1-based step `k`; bit `s` of `exclusions` when it is an exclusion
    /// between 1-based steps `s − 1` and `s`. Bit 0 of `steps` flags codes with filtered
    /// matchers, so the common case is one lookup in one array.
    masks: Vec<[u64; 2]>,
    /// Steps restricted to a first occurrence: (1-based step, kind, event code, matcher).
    first: Vec<(usize, StepOccurrence, ResolvedMatcher)>,
    /// Bits of the steps in `first`.
    first_bits: u64,
    /// Per 1-based step, the row of the current key's first occurrence (`usize::MAX`: none),
    /// set by [`Compiled::prepare_key`].
    first_rows: Vec<Cell<usize>>,
    /// Matchers with a property filter, per event code: (step bits, exclusion bits, matcher).
    filtered: Vec<Vec<(u64, u64, ResolvedMatcher)>>,
}

impl Compiled {
    pub(super) fn new(funnel: &Funnel, table: &EventTable) -> Result<Compiled, KpiError> {
        let n_codes = table.event_names().len();
        let mut c = Compiled {
            masks: vec![[0; 2]; n_codes],
            first: Vec::new(),
            first_bits: 0,
            first_rows: vec![Cell::new(usize::MAX); funnel.steps.len() + 1],
            filtered: vec![Vec::new(); n_codes],
        };
        let mut add = |m: &EventMatcher, step_bits: u64, excl_bits: u64| {
            let r = ResolvedMatcher::resolve(m, table)?;
            if let Some(code) = r.event {
                let code = code as usize;
                if r.filter.is_none() {
                    c.masks[code][0] |= step_bits;
                    c.masks[code][1] |= excl_bits;
                } else {
                    c.masks[code][0] |= HAS_FILTERED;
                    c.filtered[code].push((step_bits, excl_bits, r));
                }
            }
            Ok::<(), KpiError>(())
        };
        for (i, m) in funnel.steps.iter().enumerate() {
            add(m, 1 << (i + 1), 0)?;
        }
        for (i, (m, &occ)) in funnel.steps.iter().zip(&funnel.occurrences).enumerate() {
            if occ != StepOccurrence::Any {
                c.first
                    .push((i + 1, occ, ResolvedMatcher::resolve(m, table)?));
                c.first_bits |= 1 << (i + 1);
            }
        }
        for e in &funnel.exclusions {
            // 1-based step s is reached from s − 1: an exclusion between 0-based steps a and b
            // watches the transitions into 1-based steps a + 2 ..= b + 1.
            let mut bits = 0u64;
            for s in (e.from_step + 2)..=(e.to_step + 1) {
                bits |= 1 << s;
            }
            add(&e.matcher, 0, bits)?;
        }
        Ok(c)
    }

    #[inline]
    pub(super) fn masks(&self, table: &EventTable, row: usize) -> (u64, u64) {
        let code = table.events()[row] as usize;
        let [mut s, mut x] = self.masks[code];
        if s & HAS_FILTERED != 0 {
            s &= !HAS_FILTERED;
            for (sb, xb, m) in &self.filtered[code] {
                if m.filter_passes(table, row) {
                    s |= sb;
                    x |= xb;
                }
            }
        }
        if s & self.first_bits != 0 {
            for (k, _, _) in &self.first {
                if self.first_rows[*k].get() != row {
                    s &= !(1 << k);
                }
            }
        }
        (s, x)
    }

    /// Finds the current key's first occurrences for steps restricted to them.
    pub(super) fn prepare_key(&self, table: &EventTable, key: &KeyEvents<'_>) {
        for (k, occ, m) in &self.first {
            let first = key
                .range()
                .find(|&row| match occ {
                    StepOccurrence::FirstMatching => m.matches(table, row),
                    _ => m.event == Some(table.events()[row]),
                })
                .filter(|&row| m.filter_passes(table, row))
                .unwrap_or(usize::MAX);
            self.first_rows[*k].set(first);
        }
    }
}

/// One attempt as seen from one step: when it started, whether an exclusion hit it, and which
/// row served as this step (so one event is not used for two consecutive steps).
#[derive(Debug, Clone, Copy, Default)]
struct Attempt {
    set: bool,
    t0: i64,
    excluded: bool,
    row: usize,
}

/// The best attempt of a key.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Outcome {
    pub(super) depth: usize,
    pub(super) excluded: bool,
    pub(super) t0: i64,
}

/// The kernel state: fixed size for a funnel, reused across keys.
pub(super) struct Kernel {
    n: usize,
    /// Per 1-based step, the longest time from the previous step reached (`i64::MAX`: none).
    step_windows: Vec<i64>,
    /// Bit `k` set when 1-based step `k` is optional.
    optional: u64,
    window: i64,
    order: FunnelOrder,
    reentry: Reentry,
    /// `entered[k]` for 1-based step `k`; `entered[0]` unused.
    entered: Vec<Attempt>,
    /// Row-major `(n + 1) × n`: the step times of the attempt in `entered[k]`.
    times: Vec<i64>,
    best: Outcome,
    pub(super) best_times: Vec<i64>,
    first_entry_used: bool,
    /// (1-based step, row) pairs of a same-timestamp group with different steps.
    split: Vec<(usize, usize)>,
    /// Unordered: the next time at or after the scan position of each step (1-based).
    next: Vec<i64>,
    sorted: Vec<i64>,
}

impl Kernel {
    pub(super) fn new(funnel: &Funnel) -> Kernel {
        let n = funnel.steps.len();
        Kernel {
            n,
            step_windows: std::iter::once(i64::MAX)
                .chain(
                    funnel
                        .step_windows
                        .iter()
                        .map(|w| w.map_or(i64::MAX, ConversionWindow::micros)),
                )
                .collect(),
            optional: funnel
                .optional
                .iter()
                .enumerate()
                .filter(|(_, o)| **o)
                .fold(0, |bits, (i, _)| bits | 1 << (i + 1)),
            window: funnel.window.micros(),
            order: funnel.order,
            reentry: funnel.reentry,
            entered: vec![Attempt::default(); n + 1],
            times: vec![0; (n + 1) * n],
            best: Outcome::default(),
            best_times: vec![0; n],
            first_entry_used: false,
            split: Vec::new(),
            next: vec![i64::MAX; n + 1],
            sorted: Vec::with_capacity(n),
        }
    }

    fn reset(&mut self) {
        self.entered.fill(Attempt::default());
        self.best = Outcome::default();
        self.first_entry_used = false;
    }

    /// Runs one key. `masks(row)` gives the step and exclusion bits of a row, `admit(row)`
    /// whether a step-0 event at `row` may start an attempt.
    #[inline]
    pub(super) fn run<M, A>(&mut self, key: &KeyEvents<'_>, masks: M, admit: A) -> Outcome
    where
        M: Fn(usize) -> (u64, u64),
        A: Fn(usize) -> bool,
    {
        self.reset();
        if self.order == FunnelOrder::Unordered {
            self.run_unordered(key, masks, admit);
        } else {
            self.run_ordered(key, masks, admit);
        }
        self.best
    }

    fn run_ordered<M, A>(&mut self, key: &KeyEvents<'_>, masks: M, admit: A)
    where
        M: Fn(usize) -> (u64, u64),
        A: Fn(usize) -> bool,
    {
        let strict = self.order == FunnelOrder::Strict;
        let ts = key.timestamps;
        let base = key.rows.0;
        let len = ts.len();
        let admitted = |row: usize, m: u64| {
            if m & 2 != 0 && !admit(row) { m & !2 } else { m }
        };
        let mut i = 0;
        while i < len {
            let row = base + i;
            let (m, x) = masks(row);
            let m = admitted(row, m);
            if m == 0 && x == 0 && !strict {
                i += 1;
                continue;
            }
            let t = ts[i];
            if i + 1 < len && ts[i + 1] == t {
                let mut j = i + 1;
                while j < len && ts[j] == t {
                    j += 1;
                }
                self.process_group(base, i, j, t, &masks, &admitted, strict);
                i = j;
            } else {
                self.process(row, t, m, x, strict);
                i += 1;
            }
            if self.best.depth == self.n && !self.best.excluded {
                break;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn process_group<M, D>(
        &mut self,
        base: usize,
        start: usize,
        end: usize,
        t: i64,
        masks: &M,
        admitted: &D,
        strict: bool,
    ) where
        M: Fn(usize) -> (u64, u64),
        D: Fn(usize, u64) -> u64,
    {
        let mut first: Option<(u64, u64)> = None;
        let mut all_equal = true;
        for r in (base + start)..(base + end) {
            let (m, x) = masks(r);
            let mx = (admitted(r, m), x);
            if mx == (0, 0) && !strict {
                continue;
            }
            match first {
                None => first = Some(mx),
                Some(f) if f != mx => all_equal = false,
                Some(_) => {}
            }
        }
        if all_equal {
            for r in (base + start)..(base + end) {
                let (m, x) = masks(r);
                let m = admitted(r, m);
                if m == 0 && x == 0 && !strict {
                    continue;
                }
                self.process(r, t, m, x, strict);
            }
            return;
        }
        self.split.clear();
        for r in (base + start)..(base + end) {
            let (m, _) = masks(r);
            let mut m = admitted(r, m);
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                self.split.push((k, r));
                m &= m - 1;
            }
        }
        // Stable by step, so rows of one step keep their order.
        self.split.sort_by_key(|&(k, _)| k);
        for idx in 0..self.split.len() {
            let (k, r) = self.split[idx];
            if k == 1 {
                self.enter(r, t);
            } else {
                self.advance(k, r, t, true);
            }
        }
    }

    #[inline]
    fn process(&mut self, row: usize, t: i64, m: u64, x: u64, strict: bool) {
        let mut bits = m;
        while bits != 0 {
            let k = 63 - bits.leading_zeros() as usize;
            if k == 1 {
                self.enter(row, t);
            } else {
                self.advance(k, row, t, false);
            }
            bits &= !(1u64 << k);
        }
        let mut bits = x;
        while bits != 0 {
            let s = bits.trailing_zeros() as usize;
            self.exclude(s, t);
            bits &= bits - 1;
        }
        if strict {
            for k in 1..=self.n {
                if m & (1 << k) == 0 {
                    self.entered[k].set = false;
                }
            }
        }
    }

    #[inline]
    fn enter(&mut self, row: usize, t: i64) {
        let e = self.entered[1];
        if e.set && e.t0 == t {
            return;
        }
        if self.reentry == Reentry::FirstEntry {
            if self.first_entry_used {
                return;
            }
            self.first_entry_used = true;
        }
        self.entered[1] = Attempt {
            set: true,
            t0: t,
            excluded: false,
            row,
        };
        self.times[self.n] = t;
        self.improve(1);
    }

    /// Advances an attempt to step `k` from step `k − 1`, or from an earlier step when the
    /// steps in between are optional (the most recent such attempt wins, the deeper on a tie).
    #[inline]
    fn advance(&mut self, k: usize, row: usize, t: i64, check_used: bool) {
        let cur = self.entered[k];
        let mut from: Option<usize> = None;
        let mut j = k - 1;
        loop {
            let prev = self.entered[j];
            let usable = prev.set
                && !prev.excluded
                && t.saturating_sub(prev.t0) <= self.window
                && (j == 0
                    || t.saturating_sub(self.times[j * self.n + j - 1]) <= self.step_windows[k])
                && !(cur.set && cur.t0 == prev.t0)
                && !(check_used && prev.row == row);
            if usable && from.is_none_or(|f| prev.t0 > self.entered[f].t0) {
                from = Some(j);
            }
            if j <= 1 || self.optional & (1 << j) == 0 {
                break;
            }
            j -= 1;
        }
        let Some(j) = from else {
            return;
        };
        self.entered[k] = Attempt {
            set: true,
            t0: self.entered[j].t0,
            excluded: false,
            row,
        };
        let n = self.n;
        let (lo, hi) = self.times.split_at_mut(k * n);
        hi[..j].copy_from_slice(&lo[j * n..j * n + j]);
        hi[j..k - 1].fill(SKIPPED);
        hi[k - 1] = t;
        self.improve(k);
    }

    #[inline]
    fn exclude(&mut self, s: usize, t: i64) {
        let prev = self.entered[s - 1];
        if !prev.set || prev.excluded || t.saturating_sub(prev.t0) > self.window {
            return;
        }
        let cur = self.entered[s];
        if cur.set && cur.t0 == prev.t0 {
            return;
        }
        self.entered[s - 1].excluded = true;
        if self.best.depth == s - 1 && self.best.t0 == prev.t0 {
            self.best.excluded = true;
        }
    }

    #[inline]
    fn improve(&mut self, k: usize) {
        if k > self.best.depth || (k == self.best.depth && self.best.excluded) {
            let e = self.entered[k];
            self.best = Outcome {
                depth: k,
                excluded: false,
                t0: e.t0,
            };
            let n = self.n;
            self.best_times[..k].copy_from_slice(&self.times[k * n..k * n + k]);
        }
    }

    /// Backward pass: `next[k]` is the first time at or after the current event of an event
    /// matching step `k`, so the attempt anchored at each event is read off in O(steps).
    fn run_unordered<M, A>(&mut self, key: &KeyEvents<'_>, masks: M, admit: A)
    where
        M: Fn(usize) -> (u64, u64),
        A: Fn(usize) -> bool,
    {
        self.next.fill(i64::MAX);
        let mut next_excl = i64::MAX;
        let base = key.rows.0;
        for i in (0..key.len()).rev() {
            let row = base + i;
            let (m, x) = masks(row);
            let t = key.timestamps[i];
            if x != 0 {
                next_excl = t;
            }
            if m == 0 {
                continue;
            }
            let mut bits = m;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                self.next[k] = t;
                bits &= bits - 1;
            }
            if !admit(row) {
                continue;
            }
            let limit = t.saturating_add(self.window);
            let mut depth = 0;
            let mut end = t;
            for k in 1..=self.n {
                let nk = self.next[k];
                if nk <= limit {
                    depth += 1;
                    end = end.max(nk);
                }
            }
            let excluded = next_excl <= end;
            let b = self.best;
            // Going backward, a later-visited anchor is earlier in time: it wins ties unless it
            // is excluded and the current best is clean. With first entry only the earliest
            // admitted anchor counts, so each one replaces the last.
            let better = self.reentry == Reentry::FirstEntry
                || depth > b.depth
                || (depth == b.depth && depth > 0 && (!excluded || b.excluded));
            if better {
                self.best = Outcome {
                    depth,
                    excluded,
                    t0: t,
                };
                self.sorted.clear();
                self.sorted
                    .extend((1..=self.n).map(|k| self.next[k]).filter(|&x| x <= limit));
                self.sorted.sort_unstable();
                self.best_times[..depth].copy_from_slice(&self.sorted);
            }
        }
    }
}
