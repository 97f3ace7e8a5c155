//! Folding row batches into per-variant sums: the kernel of the Parquet adapter.

use std::collections::BTreeMap;

use super::{GroupSums, Plan, column_error, non_binary_values, null_values};
use crate::{ExperimentError, VariantStats};

impl Plan<'_> {
    /// Empty sums for one variant.
    pub(crate) fn zero(&self) -> GroupSums {
        GroupSums {
            n: 0,
            sum: vec![0.0; self.columns.len()],
            sum_sq: vec![0.0; self.columns.len()],
            products: vec![0.0; self.products.len()],
        }
    }
}

impl GroupSums {
    /// Whether every sum is finite.
    fn is_finite(&self) -> bool {
        let all = |v: &[f64]| v.iter().all(|x| x.is_finite());
        all(&self.sum) && all(&self.sum_sq) && all(&self.products)
    }

    /// Adds `other`'s sums (same plan).
    fn merge(&mut self, other: &GroupSums) {
        self.n += other.n;
        let pairs = [
            (&mut self.sum, &other.sum),
            (&mut self.sum_sq, &other.sum_sq),
            (&mut self.products, &other.products),
        ];
        for (mine, theirs) in pairs {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }
}

/// The code of a row whose variant is null.
pub(crate) const NULL_VARIANT: u32 = u32::MAX;

/// Above this many variants in one batch, rows are scattered to their variant one by one
/// instead of summed in one masked, vectorised pass per variant.
const MAX_MASKED_VARIANTS: usize = 8;

/// Rows per block of the masked sums: a block's mask and a few columns fit in a core's L1
/// and L2 caches.
const BLOCK_ROWS: usize = 2048;

/// Lanes of the masked sums: independent partial sums that the compiler keeps in vector
/// registers (floating-point addition is not associative, so it will not reorder one sum).
const LANES: usize = 4;

/// Per-variant sums of a stream of row batches, plus the counts that make a readout invalid
/// (nulls, non-binary conversion values). Batches are folded with [`Accumulator::add_batch`];
/// accumulators of disjoint parts of the data merge with [`Accumulator::merge`].
pub(crate) struct Accumulator {
    /// Variant keys, indexed by code.
    keys: Vec<String>,
    /// Sums, indexed by code.
    sums: Vec<GroupSums>,
    /// Rows with a null variant.
    pub(crate) null_variants: u64,
    /// Null values per plan column.
    pub(crate) nulls: Vec<u64>,
    /// Values other than 0 and 1 per plan column (counted for non-boolean conversions only).
    non_binary: Vec<u64>,
    /// An empty [`GroupSums`] of the plan, cloned for each new variant.
    zero: GroupSums,
    /// Which plan columns are non-boolean conversions, whose values are checked.
    binary: Vec<bool>,
    /// The plan's products.
    products: Vec<(usize, usize)>,
    /// The 0/1 mask of the variant being summed, reused between batches.
    mask: Vec<f64>,
    /// The sums of the current batch by local code, reused between batches.
    batch: Vec<GroupSums>,
}

impl Accumulator {
    /// An empty accumulator for `plan`.
    pub(crate) fn new(plan: &Plan<'_>) -> Self {
        Accumulator {
            keys: Vec::new(),
            sums: Vec::new(),
            null_variants: 0,
            nulls: vec![0; plan.columns.len()],
            non_binary: vec![0; plan.columns.len()],
            zero: plan.zero(),
            binary: plan
                .columns
                .iter()
                .map(|c| c.binary && !c.boolean)
                .collect(),
            products: plan.products.clone(),
            mask: Vec::new(),
            batch: Vec::new(),
        }
    }

    /// The code of variant `key`, adding the variant when it is new. Variants are few, so a
    /// linear search beats hashing.
    pub(crate) fn code(&mut self, key: &str) -> u32 {
        let i = match self.keys.iter().position(|k| k == key) {
            Some(i) => i,
            None => {
                self.keys.push(key.to_owned());
                self.sums.push(self.zero.clone());
                self.keys.len() - 1
            }
        };
        u32::try_from(i).unwrap_or(NULL_VARIANT)
    }

    /// Folds one batch. `codes[r]` is row r's code local to the batch (for a dictionary-encoded
    /// column, the dictionary index), `variants[code]` the variant of a local code (from
    /// [`Accumulator::code`], or [`NULL_VARIANT`] for a null entry), and `columns[c][r]` row r's
    /// value of plan column c. Rows whose code has no entry in `variants` count as null variants.
    pub(crate) fn add_batch(&mut self, codes: &[u32], variants: &[u32], columns: &[&[f64]]) {
        for (c, x) in columns.iter().enumerate() {
            if self.binary[c] {
                self.non_binary[c] += x.iter().filter(|&&v| v != 0.0 && v != 1.0).count() as u64;
            }
        }
        if variants.len() > MAX_MASKED_VARIANTS {
            self.scatter(codes, variants, columns);
            return;
        }
        self.batch.clear();
        self.batch
            .extend((0..variants.len()).map(|_| self.zero.clone()));
        // Block by block, so that a block's mask and columns stay in the core's cache across
        // the passes of every variant.
        for start in (0..codes.len()).step_by(BLOCK_ROWS) {
            let end = (start + BLOCK_ROWS).min(codes.len());
            let codes = &codes[start..end];
            for (code, sums) in (0u32..).zip(&mut self.batch) {
                let n = fill_mask(codes, code, &mut self.mask);
                if n == 0 {
                    continue;
                }
                sums.n += n;
                for (c, x) in columns.iter().enumerate() {
                    let (s, q) = masked_sums(&self.mask, &x[start..end]);
                    sums.sum[c] += s;
                    sums.sum_sq[c] += q;
                }
                for (k, &(i, j)) in self.products.iter().enumerate() {
                    sums.products[k] += masked_products(
                        &self.mask,
                        &columns[i][start..end],
                        &columns[j][start..end],
                    );
                }
            }
        }
        let counted: u64 = self.batch.iter().map(|s| s.n).sum();
        self.null_variants += codes.len() as u64 - counted;
        // Masked sums are exact only for finite values (see `masked_sums`): a batch whose
        // sums come out non-finite is summed again row by row, so that the NaN or infinity
        // is charged to the variant that holds it and the error names that variant.
        if !self.batch.iter().all(GroupSums::is_finite) {
            self.null_variants -= codes.len() as u64 - counted;
            self.scatter(codes, variants, columns);
            return;
        }
        for (&variant, batch) in variants.iter().zip(&self.batch) {
            match self.sums.get_mut(variant as usize) {
                Some(sums) => sums.merge(batch),
                None => self.null_variants += batch.n,
            }
        }
    }

    /// Adds each row to its variant's sums: the path for batches with many variants, where one
    /// masked pass per variant would cost more than one pass in all, and for non-finite values.
    fn scatter(&mut self, codes: &[u32], variants: &[u32], columns: &[&[f64]]) {
        for (r, &code) in codes.iter().enumerate() {
            let variant = variants.get(code as usize).copied().unwrap_or(NULL_VARIANT);
            let Some(sums) = self.sums.get_mut(variant as usize) else {
                self.null_variants += 1;
                continue;
            };
            sums.n += 1;
            for (c, x) in columns.iter().enumerate() {
                sums.sum[c] += x[r];
                sums.sum_sq[c] += x[r] * x[r];
            }
            for (k, &(i, j)) in self.products.iter().enumerate() {
                sums.products[k] += columns[i][r] * columns[j][r];
            }
        }
    }

    /// Adds the sums and counts of `other`, an accumulator of the same plan over other rows.
    pub(crate) fn merge(&mut self, other: Accumulator) {
        self.null_variants += other.null_variants;
        for (a, b) in self.nulls.iter_mut().zip(&other.nulls) {
            *a += b;
        }
        for (a, b) in self.non_binary.iter_mut().zip(&other.non_binary) {
            *a += b;
        }
        for (key, sums) in other.keys.iter().zip(&other.sums) {
            let code = self.code(key) as usize;
            if let Some(mine) = self.sums.get_mut(code) {
                mine.merge(sums);
            }
        }
    }

    /// The statistics of each variant, or the first reason the data cannot be read out:
    /// null variants, nulls in a value column, non-binary conversion values, then whatever
    /// the statistics constructors reject (non-finite sums, for example).
    pub(crate) fn finish(
        self,
        plan: &Plan<'_>,
    ) -> Result<BTreeMap<String, VariantStats>, ExperimentError> {
        if self.null_variants > 0 {
            return Err(column_error(
                plan.variant(),
                format!(
                    "{} null values; every unit needs a variant",
                    self.null_variants
                ),
            ));
        }
        for (column, &count) in plan.columns.iter().zip(&self.nulls) {
            if count > 0 {
                return Err(null_values(column.name, count));
            }
        }
        for (column, &count) in plan.columns.iter().zip(&self.non_binary) {
            if count > 0 {
                return Err(non_binary_values(column.name, count));
            }
        }
        // A variant that appeared only in dictionaries, never in a row, is not a variant.
        let sums = self
            .keys
            .into_iter()
            .zip(self.sums)
            .filter(|(_, s)| s.n > 0)
            .collect();
        plan.stats(sums)
    }
}

/// Writes 1.0 into `mask` for the rows whose code is `v` and 0.0 elsewhere, and returns
/// their number.
fn fill_mask(codes: &[u32], v: u32, mask: &mut Vec<f64>) -> u64 {
    mask.resize(codes.len(), 0.0);
    let mut n = 0u64;
    // 1.0 or 0.0 from the comparison by integer arithmetic on the bits: a conversion from a
    // bool compiles to a branch here.
    let one = 1.0f64.to_bits();
    for (m, &c) in mask.iter_mut().zip(codes) {
        let hit = u64::from(c == v);
        *m = f64::from_bits(hit * one);
        n += hit;
    }
    n
}

/// Σm·x and Σm·x² for a 0/1 `mask`: the sums over the rows of one variant as plain
/// multiply-adds, which the compiler vectorises (a select per row compiles to branches that
/// are mispredicted on about half the rows of a randomized experiment). Requires finite `x`:
/// 0 · NaN would leak another variant's NaN in.
fn masked_sums(mask: &[f64], x: &[f64]) -> (f64, f64) {
    let mut s = [0.0; LANES];
    let mut q = [0.0; LANES];
    let (m_chunks, m_rest) = mask.as_chunks::<LANES>();
    let (x_chunks, x_rest) = x.as_chunks::<LANES>();
    for (m, x) in m_chunks.iter().zip(x_chunks) {
        for l in 0..LANES {
            let y = m[l] * x[l];
            s[l] += y;
            q[l] += y * x[l];
        }
    }
    for (&m, &x) in m_rest.iter().zip(x_rest) {
        s[0] += m * x;
        q[0] += m * x * x;
    }
    ((s[0] + s[1]) + (s[2] + s[3]), (q[0] + q[1]) + (q[2] + q[3]))
}

/// Σm·x·y for a 0/1 `mask` and finite `x`, `y`.
fn masked_products(mask: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let mut p = [0.0; LANES];
    let (m_chunks, m_rest) = mask.as_chunks::<LANES>();
    let (x_chunks, x_rest) = x.as_chunks::<LANES>();
    let (y_chunks, y_rest) = y.as_chunks::<LANES>();
    for ((m, x), y) in m_chunks.iter().zip(x_chunks).zip(y_chunks) {
        for l in 0..LANES {
            p[l] += m[l] * x[l] * y[l];
        }
    }
    for ((&m, &x), &y) in m_rest.iter().zip(x_rest).zip(y_rest) {
        p[0] += m * x * y;
    }
    (p[0] + p[1]) + (p[2] + p[3])
}
