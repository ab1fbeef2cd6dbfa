//! Authority: PageRank by power iteration over a CSR snapshot of the graph.
//!
//! # The model
//! - **Damping** `d` (default 0.85): the surfer follows a link with probability `d`, and
//!   jumps to a page drawn from the teleport vector otherwise.
//! - **Teleport**: uniform over the ranked pages, or proportional to
//!   [`Settings::personalization`] (the hook for backlink data).
//! - **Dangling pages** (no outlinks, or not yet visited) and **evaporated** weight
//!   redistribute through the teleport vector, so shares always sum to 1.
//! - [`Model::Classic`]: textbook PageRank on internal followed links, each unique
//!   (source, target) pair counting once, nofollow and external links ignored. This equals
//!   `networkx.pagerank(G, alpha=d)` on the export's followed edges.
//! - [`Model::Prominence`] (default): a reasonable surfer. Each pair weighs the largest
//!   [`RegionWeights`] among its occurrences (0 when hidden). A page's out-weight is the sum
//!   over all its links, internal and external, followed or not; only internal followed
//!   links pass their part on, the rest evaporates (2009 nofollow "evaporation"). Redirect
//!   aliases and (with `consolidate_canonicals`) canonicalised pages are merged into the page
//!   that stands for them; self-links pass nothing.
//! - **Convergence**: iterate until the L1 change `δ` satisfies `δ·d/(1−d) ≤ tolerance`
//!   (default 1e-9), which bounds the L1 distance to the exact vector by `tolerance`; or
//!   until `max_iterations`.
//! - **Score** (0–100, log scale): `100·ln(s/s_min)/ln(s_max/s_min)` over ranked pages; 50
//!   for all when every share is equal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::graph::{occurrence_weight, runs, Occurrence, PageId, RegionWeights, SiteGraph};
use crate::url_norm::NormalizeConfig;

/// Which authority model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Textbook PageRank (checkable against networkx).
    Classic,
    /// Reasonable surfer by region and visibility, with evaporation (the default).
    #[default]
    Prominence,
}

impl Model {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Classic => "classic",
            Model::Prominence => "prominence",
        }
    }
}

/// All settings of a tracked site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The authority model shown by default.
    pub model: Model,
    /// Damping factor, in (0, 1).
    pub damping: f64,
    /// L1 bound on the distance to the exact vector.
    pub tolerance: f64,
    /// Iteration cap.
    pub max_iterations: u32,
    /// The page depth counts from (default: the site root).
    pub start_url: Option<String>,
    /// Pages deeper than this are "deep".
    pub deep_threshold: u32,
    /// Merge canonicalised pages into their canonical (prominence model).
    pub consolidate_canonicals: bool,
    /// Region weights of the prominence model.
    pub weights: RegionWeights,
    /// Teleport weights by URL (backlink data); `None` = uniform.
    pub personalization: Option<BTreeMap<String, f64>>,
    /// URL normalisation and site scope.
    #[serde(flatten)]
    pub normalize: NormalizeConfig,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model: Model::Prominence,
            damping: 0.85,
            tolerance: 1e-9,
            max_iterations: 1000,
            start_url: None,
            deep_threshold: 3,
            consolidate_canonicals: true,
            weights: RegionWeights::default(),
            personalization: None,
            normalize: NormalizeConfig::default(),
        }
    }
}

/// The smallest `tolerance` accepted: below it, f64 rounding keeps the iteration from ever
/// meeting the bound on large sites.
pub const MIN_TOLERANCE: f64 = 1e-15;
/// The largest `maxIterations` accepted, so that settings from an untrusted file cannot stall
/// the worker (the default tolerance needs well under 200).
pub const MAX_ITERATIONS: u32 = 10_000;

impl Settings {
    /// Checks ranges; a clear error for anything out of range.
    pub fn validate(&self) -> Result<()> {
        if !(self.damping > 0.0 && self.damping < 1.0) {
            return Err(Error::InvalidConfig(format!(
                "damping must be between 0 and 1 (exclusive), not {}",
                self.damping
            )));
        }
        if !(MIN_TOLERANCE..=0.1).contains(&self.tolerance) {
            return Err(Error::InvalidConfig(format!(
                "tolerance must be between {MIN_TOLERANCE:e} and 0.1, not {}",
                self.tolerance
            )));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.max_iterations) {
            return Err(Error::InvalidConfig(format!(
                "maxIterations must be between 1 and {MAX_ITERATIONS}, not {}",
                self.max_iterations
            )));
        }
        if let Some(p) = &self.personalization {
            if p.values().any(|v| !v.is_finite() || *v < 0.0) {
                return Err(Error::InvalidConfig(
                    "personalization weights must be finite and non-negative".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Per-in-link weights of a [`Csr`], relative to the source's out-weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Weights {
    /// Every in-link weighs 1 (the classic model): the kernel streams no weight at all.
    #[default]
    Unit,
    /// Weights exactly representable as `f32` (region weights are `f32`): 4 bytes a link.
    F32(Vec<f32>),
    /// Any other weights.
    F64(Vec<f64>),
}

/// A compressed sparse row snapshot, pulled by target: for target `t`, its in-links are
/// `src[off[t]..off[t+1]]`; in-link `k` passes `weight[k] · scale[src[k]]` of its source's
/// rank.
///
/// Splitting the fraction into a per-source `scale` and a per-link weight lets one
/// iteration gather `rank[s] · scale[s]` (computed once per source) and stream 4 bytes per
/// in-link (the source index) in the classic model, 8 in the prominence model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Offsets per target, length `n + 1`.
    pub off: Vec<u32>,
    /// Source of each in-link.
    pub src: Vec<u32>,
    /// Weight of each in-link (see [`Weights`]).
    pub weight: Weights,
    /// Per source: 1 / its total out-weight (0 when dangling).
    pub scale: Vec<f64>,
    /// Fraction of each node's rank that does not pass to a ranked page (dangling,
    /// evaporated); it is redistributed through the teleport vector.
    pub leak: Vec<f64>,
}

impl Csr {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.leak.len()
    }
    /// No nodes.
    pub fn is_empty(&self) -> bool {
        self.leak.is_empty()
    }

    /// The fraction of its source's rank that in-link `k` passes.
    pub fn frac(&self, k: usize) -> f64 {
        let w = match &self.weight {
            Weights::Unit => 1.0,
            Weights::F32(w) => f64::from(w[k]),
            Weights::F64(w) => w[k],
        };
        w * self.scale[self.src[k] as usize]
    }

    /// The classic model's CSR of unweighted `(source, target)` edges (every link followed,
    /// each source's out-weight its link count).
    pub fn from_unit_edges(n: usize, edges: &[(u32, u32)]) -> Csr {
        let mut out = vec![0f64; n];
        for &(s, _) in edges {
            out[s as usize] += 1.0;
        }
        let w: Vec<(u32, u32, f64)> = edges.iter().map(|&(s, t)| (s, t, 1.0)).collect();
        Csr::from_edges(n, &w, &out)
    }

    /// Builds a CSR from weighted out-edges `(source, target, passed_weight)` and each
    /// source's total out-weight. `total[s] == 0` means dangling.
    pub fn from_edges(n: usize, edges: &[(u32, u32, f64)], total: &[f64]) -> Csr {
        // Loops over the edges run in chunks, one call each (see `gs_sweep`).
        const CHUNK: usize = 1 << 14;
        let mut count = vec![0u32; n + 1];
        for chunk in edges.chunks(CHUNK) {
            count_targets(chunk, &mut count);
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let unit = edges.iter().all(|e| e.2 == 1.0);
        let f32_exact = !unit && edges.iter().all(|e| f64::from(e.2 as f32) == e.2);
        let off = count.clone();
        let mut pos = count;
        let mut src = vec![0u32; edges.len()];
        let mut w64 = if unit || f32_exact {
            Vec::new()
        } else {
            vec![0f64; edges.len()]
        };
        let mut w32 = if f32_exact {
            vec![0f32; edges.len()]
        } else {
            Vec::new()
        };
        let scale: Vec<f64> = total
            .iter()
            .take(n)
            .map(|&t| if t > 0.0 { 1.0 / t } else { 0.0 })
            .chain(std::iter::repeat(0.0))
            .take(n)
            .collect();
        let mut passed = vec![0f64; n];
        for chunk in edges.chunks(CHUNK) {
            scatter(
                chunk,
                &mut pos,
                &mut src,
                if f32_exact { Some(&mut w32) } else { None },
                if !unit && !f32_exact {
                    Some(&mut w64)
                } else {
                    None
                },
                &mut passed,
                &scale,
            );
        }
        let leak = passed.iter().map(|p| (1.0 - p).max(0.0)).collect();
        let weight = if unit {
            Weights::Unit
        } else if f32_exact {
            Weights::F32(w32)
        } else {
            Weights::F64(w64)
        };
        Csr {
            off,
            src,
            weight,
            scale,
            leak,
        }
    }
}

/// One source's out-row before and after a change: `(source, old row, new row, new total
/// out-weight)`, rows as `(target, weight)` sorted by target.
pub(crate) type RowChange = (u32, Vec<(u32, f64)>, Vec<(u32, f64)>, f64);

impl Csr {
    /// Grows to `n` nodes (new ones dangling) and replaces the out-rows of the sources in
    /// `rows`: `(source, old row, new row, new total out-weight)`, rows as `(target, weight)`
    /// sorted by target. The result is what [`Csr::from_edges`] builds from the new edges.
    pub(crate) fn patch(&mut self, n: usize, rows: Vec<RowChange>) {
        let old_n = self.len();
        if n > old_n {
            let end = self.off.last().copied().unwrap_or(0);
            self.off.resize(n + 1, end);
            self.scale.resize(n, 0.0);
            self.leak.resize(n, 1.0);
        }
        // In-link operations by (target, source): Some(w) sets, None removes.
        let mut ops: Vec<(u32, u32, Option<f64>)> = Vec::new();
        for (s, old, new, total) in rows {
            let scale = if total > 0.0 { 1.0 / total } else { 0.0 };
            self.scale[s as usize] = scale;
            let mut passed = 0.0;
            for &(_, w) in &new {
                passed += w * scale;
            }
            self.leak[s as usize] = (1.0 - passed).max(0.0);
            let (mut i, mut j) = (0, 0);
            while i < old.len() || j < new.len() {
                match (old.get(i), new.get(j)) {
                    (Some(o), Some(nw)) if o.0 == nw.0 => {
                        if o.1.to_bits() != nw.1.to_bits() {
                            ops.push((nw.0, s, Some(nw.1)));
                        }
                        i += 1;
                        j += 1;
                    }
                    (Some(o), nw) if nw.is_none_or(|nw| o.0 < nw.0) => {
                        ops.push((o.0, s, None));
                        i += 1;
                    }
                    (_, Some(nw)) => {
                        ops.push((nw.0, s, Some(nw.1)));
                        j += 1;
                    }
                    _ => break,
                }
            }
        }
        if ops.is_empty() {
            return;
        }
        ops.sort_unstable_by_key(|&(t, s, _)| (t, s));
        // A weight the current storage cannot hold exactly widens it.
        let fits = |w: f64, weight: &Weights| match weight {
            Weights::Unit => w == 1.0,
            Weights::F32(_) => f64::from(w as f32) == w,
            Weights::F64(_) => true,
        };
        if ops
            .iter()
            .any(|&(_, _, w)| w.is_some_and(|w| !fits(w, &self.weight)))
        {
            let m = self.src.len();
            let widened: Vec<f64> = (0..m)
                .map(|k| match &self.weight {
                    Weights::Unit => 1.0,
                    Weights::F32(w) => f64::from(w[k]),
                    Weights::F64(w) => w[k],
                })
                .collect();
            let all_f32 = ops
                .iter()
                .all(|&(_, _, w)| w.is_none_or(|w| f64::from(w as f32) == w))
                && widened.iter().all(|&w| f64::from(w as f32) == w);
            self.weight = if all_f32 {
                Weights::F32(widened.iter().map(|&w| w as f32).collect())
            } else {
                Weights::F64(widened)
            };
        }
        // One pass: the untouched stretches of rows are copied in bulk (their offsets move
        // by the running difference), the touched rows are merged.
        let old_len = self.src.len();
        let mut off = Vec::with_capacity(n + 1);
        let mut src: Vec<u32> = Vec::with_capacity(old_len + ops.len());
        let mut weight = match &self.weight {
            Weights::Unit => Weights::Unit,
            Weights::F32(_) => Weights::F32(Vec::with_capacity(old_len + ops.len())),
            Weights::F64(_) => Weights::F64(Vec::with_capacity(old_len + ops.len())),
        };
        let copy = |src: &mut Vec<u32>, weight: &mut Weights, a: usize, b: usize| {
            src.extend_from_slice(&self.src[a..b]);
            match (weight, &self.weight) {
                (Weights::F32(to), Weights::F32(from)) => to.extend_from_slice(&from[a..b]),
                (Weights::F64(to), Weights::F64(from)) => to.extend_from_slice(&from[a..b]),
                _ => {}
            }
        };
        let push = |src: &mut Vec<u32>, weight: &mut Weights, s: u32, w: f64| {
            src.push(s);
            match weight {
                Weights::Unit => {}
                Weights::F32(to) => to.push(w as f32),
                Weights::F64(to) => to.push(w),
            }
        };
        let mut t = 0usize; // rows before `t` are done
        let mut k_op = 0;
        while k_op < ops.len() {
            let row = ops[k_op].0 as usize;
            // Rows t..row are untouched.
            let (a, b) = (self.off[t] as usize, self.off[row] as usize);
            let delta = src.len() as i64 - a as i64;
            off.extend(
                self.off[t..row]
                    .iter()
                    .map(|&o| (i64::from(o) + delta) as u32),
            );
            copy(&mut src, &mut weight, a, b);
            off.push(u32::try_from(src.len()).unwrap_or(u32::MAX));
            let end = self.off[row + 1] as usize;
            let mut k = b;
            while k_op < ops.len() && ops[k_op].0 as usize == row {
                let (_, s, w) = ops[k_op];
                let from = k;
                while k < end && self.src[k] < s {
                    k += 1;
                }
                copy(&mut src, &mut weight, from, k);
                if k < end && self.src[k] == s {
                    k += 1; // replaced or removed
                }
                if let Some(w) = w {
                    push(&mut src, &mut weight, s, w);
                }
                k_op += 1;
            }
            copy(&mut src, &mut weight, k, end);
            t = row + 1;
        }
        let a = self.off[t] as usize;
        let delta = src.len() as i64 - a as i64;
        off.extend(
            self.off[t..=n]
                .iter()
                .map(|&o| (i64::from(o) + delta) as u32),
        );
        copy(&mut src, &mut weight, a, old_len);
        self.weight = weight;
        self.off = off;
        self.src = src;
    }
}

#[inline(never)]
fn count_targets(edges: &[(u32, u32, f64)], count: &mut [u32]) {
    for &(_, t, _) in edges {
        count[t as usize + 1] += 1;
    }
}

/// Places edges into their target rows (see [`Csr::from_edges`]).
#[inline(never)]
fn scatter(
    edges: &[(u32, u32, f64)],
    pos: &mut [u32],
    src: &mut [u32],
    mut w32: Option<&mut Vec<f32>>,
    mut w64: Option<&mut Vec<f64>>,
    passed: &mut [f64],
    scale: &[f64],
) {
    for &(s, t, w) in edges {
        let k = pos[t as usize] as usize;
        pos[t as usize] += 1;
        src[k] = s;
        if let Some(w32) = w32.as_deref_mut() {
            w32[k] = w as f32;
        } else if let Some(w64) = w64.as_deref_mut() {
            w64[k] = w;
        }
        passed[s as usize] += w * scale[s as usize];
    }
}

/// The outcome of one power iteration run.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerResult {
    /// The rank vector, summing to 1.
    pub rank: Vec<f64>,
    /// Iterations used (sweeps of the graph, including the final checking step).
    pub iterations: u32,
    /// Final L1 change between the last two iterates (of the checking step).
    pub residual: f64,
}

/// How a sweep sums one page's in-links `a..b`: `Σ y[src[k]] · weight[k]`. One type per
/// [`Weights`] kind, so each sweep is compiled for one kind and the kind is chosen once per
/// sweep. (With one `gather` matching on the kind, LLVM left the match inside the page loop
/// of the wasm build: three compares per page and more values spilled to the stack.)
trait Gather: Copy {
    fn sum<Y: Rank>(self, src: &[u32], y: &[Y], a: usize, b: usize) -> f64;
}

/// A gathered value: `f64`, or `f32` in the early sweeps of a large ranking.
trait Rank: Copy + Into<f64> {
    fn of(v: f64) -> Self;
}

impl Rank for f64 {
    #[inline(always)]
    fn of(v: f64) -> f64 {
        v
    }
}

impl Rank for f32 {
    #[inline(always)]
    fn of(v: f64) -> f32 {
        v as f32
    }
}

/// Unit weights (the classic model): nothing streamed but the sources.
#[derive(Clone, Copy)]
struct UnitGather;

impl Gather for UnitGather {
    #[inline(always)]
    fn sum<Y: Rank>(self, src: &[u32], y: &[Y], a: usize, b: usize) -> f64 {
        // Several accumulators, so the adds of a long row overlap: four from 64 links (the
        // navigation targets), else two, with an odd first link added before the pairs so
        // that no remainder loop follows them. (Four for every row, the first `len % 4`
        // links before the loop, was 3–6 % slower in wasm: most rows are short.)
        let src = &src[a..b];
        if src.len() >= 64 {
            let (mut s0, mut s1, mut s2, mut s3): (f64, f64, f64, f64) = (0.0, 0.0, 0.0, 0.0);
            let mut it = src.chunks_exact(4);
            for c in &mut it {
                s0 += y[c[0] as usize].into();
                s1 += y[c[1] as usize].into();
                s2 += y[c[2] as usize].into();
                s3 += y[c[3] as usize].into();
            }
            for &s in it.remainder() {
                s0 += y[s as usize].into();
            }
            return (s0 + s1) + (s2 + s3);
        }
        let (mut s0, mut s1): (f64, f64) = (0.0, 0.0);
        let pairs = match src.len() % 2 {
            0 => src,
            _ => {
                s0 = y[src[0] as usize].into();
                &src[1..]
            }
        };
        for c in pairs.chunks_exact(2) {
            s0 += y[c[0] as usize].into();
            s1 += y[c[1] as usize].into();
        }
        s0 + s1
    }
}

/// Per-link weights of type `W` (`f32` region weights, or `f64`).
#[derive(Clone, Copy)]
struct WeightedGather<'a, W>(&'a [W]);

impl<W: Copy + Into<f64>> Gather for WeightedGather<'_, W> {
    #[inline(always)]
    fn sum<Y: Rank>(self, src: &[u32], y: &[Y], a: usize, b: usize) -> f64 {
        src[a..b]
            .iter()
            .zip(&self.0[a..b])
            .map(|(&s, &w)| y[s as usize].into() * w.into())
            .sum()
    }
}

/// The teleport vector, read only when it is not uniform.
#[derive(Clone, Copy)]
struct Tele<'a> {
    uniform: bool,
    first: f64,
    all: &'a [f64],
}

impl Tele<'_> {
    #[inline(always)]
    fn at(&self, t: usize) -> f64 {
        if self.uniform {
            self.first
        } else {
            self.all[t]
        }
    }
}

/// What a sweep reads besides the vectors it updates.
#[derive(Clone, Copy)]
struct SweepIn<'a> {
    csr: &'a Csr,
    d: f64,
    base: f64,
    tele: Tele<'a>,
    any_leak: bool,
}

// The sweeps are functions of their own, called once per sweep: V8 runs a wasm function's
// first calls as baseline code and later calls as optimised code (it cannot switch inside a
// running call), so one function looping over every sweep would stay slow in a woken worker.

/// One Gauss–Seidel sweep in place; returns (L1 change, leaked, sum).
fn gs_sweep<Y: Rank>(s: SweepIn<'_>, r: &mut [f64], y: &mut [Y]) -> (f64, f64, f64) {
    match &s.csr.weight {
        Weights::Unit => gs_sweep_with(s, UnitGather, r, y),
        Weights::F32(w) => gs_sweep_with(s, WeightedGather(w), r, y),
        Weights::F64(w) => gs_sweep_with(s, WeightedGather(w), r, y),
    }
}

#[inline(never)]
fn gs_sweep_with<G: Gather, Y: Rank>(
    s: SweepIn<'_>,
    g: G,
    r: &mut [f64],
    y: &mut [Y],
) -> (f64, f64, f64) {
    let (csr, d, base, tele, any_leak) = (s.csr, s.d, s.base, s.tele, s.any_leak);
    let (mut diff, mut leak_next, mut sum_next) = (0.0, 0.0, 0.0);
    let n = r.len();
    // Slices of exactly n (n + 1) values, so the compiler drops the per-page bounds checks,
    // and the common case (uniform teleport, no leak) in a loop of its own: fewer values
    // live in the loop. In wasm, where V8 keeps fewer registers free, and natively, the
    // sweep was 5–30 % slower per iteration without (paired A/B runs, 100k and 1M pages).
    let (off, src, scale, leak, y) = (
        &csr.off[..=n],
        &csr.src[..],
        &csr.scale[..n],
        &csr.leak[..n],
        &mut y[..n],
    );
    if tele.uniform && !any_leak {
        let add = base * tele.first;
        for t in 0..n {
            let v = d * g.sum(src, y, off[t] as usize, off[t + 1] as usize) + add;
            diff += (v - r[t]).abs();
            r[t] = v;
            y[t] = Y::of(v * scale[t]);
            sum_next += v;
        }
        return (diff, 0.0, sum_next);
    }
    for t in 0..n {
        let v = d * g.sum(src, y, off[t] as usize, off[t + 1] as usize) + base * tele.at(t);
        diff += (v - r[t]).abs();
        r[t] = v;
        y[t] = Y::of(v * scale[t]);
        sum_next += v;
        if any_leak {
            leak_next += v * leak[t];
        }
    }
    (diff, leak_next, sum_next)
}

/// One plain (Jacobi) step from `r` into `next`; returns (L1 change, leaked, sum).
fn jacobi_step(s: SweepIn<'_>, r: &[f64], y: &[f64], next: &mut [f64]) -> (f64, f64, f64) {
    match &s.csr.weight {
        Weights::Unit => jacobi_step_with(s, UnitGather, r, y, next),
        Weights::F32(w) => jacobi_step_with(s, WeightedGather(w), r, y, next),
        Weights::F64(w) => jacobi_step_with(s, WeightedGather(w), r, y, next),
    }
}

#[inline(never)]
fn jacobi_step_with<G: Gather>(
    s: SweepIn<'_>,
    g: G,
    r: &[f64],
    y: &[f64],
    next: &mut [f64],
) -> (f64, f64, f64) {
    let (csr, d, base, tele, any_leak) = (s.csr, s.d, s.base, s.tele, s.any_leak);
    let (mut diff, mut leak_next, mut sum_next) = (0.0, 0.0, 0.0);
    let n = r.len();
    // As in `gs_sweep_with` (one generic loop for both, with const generics and a closure
    // for the teleport term, measured slower in A/B runs).
    let (off, src, leak, next) = (&csr.off[..=n], &csr.src[..], &csr.leak[..n], &mut next[..n]);
    if tele.uniform && !any_leak {
        let add = base * tele.first;
        for t in 0..n {
            let v = d * g.sum(src, y, off[t] as usize, off[t + 1] as usize) + add;
            diff += (v - r[t]).abs();
            next[t] = v;
            sum_next += v;
        }
        return (diff, 0.0, sum_next);
    }
    for t in 0..n {
        let v = d * g.sum(src, y, off[t] as usize, off[t + 1] as usize) + base * tele.at(t);
        diff += (v - r[t]).abs();
        next[t] = v;
        sum_next += v;
        if any_leak {
            leak_next += v * leak[t];
        }
    }
    (diff, leak_next, sum_next)
}

/// Cold rankings of at least this many pages gather `f32` values in their first sweeps:
/// from here the gathered vector (8 bytes a page) outgrows a core's L2 cache. Below, the
/// switch costs more than it saves (2 % slower per sweep at 100,000 pages in wasm).
const MIXED_FROM: usize = 1 << 18;
/// The relative change below which the sweeps gather `f64` again.
const MIXED_UNTIL: f64 = 1e-6;

#[cfg(test)]
thread_local! {
    /// Tests force the `f32` sweeps on small graphs (`Some(0)`) or turn them off.
    static MIXED_FROM_IN_TESTS: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// [`MIXED_FROM`], or the test thread's own threshold.
fn mixed_from() -> usize {
    #[cfg(test)]
    if let Some(v) = MIXED_FROM_IN_TESTS.with(std::cell::Cell::get) {
        return v;
    }
    MIXED_FROM
}

/// PageRank by power iteration (pull form, no allocation per iteration).
///
/// Sweeps are Gauss–Seidel (each page's new value is used by the pages after it in the same
/// sweep), which needs about half the sweeps of the Jacobi iteration. The stopping rule is
/// checked on a plain (Jacobi) step `x → T(x)` from the current vector: when its L1 change
/// `δ` satisfies `δ·d/(1−d) ≤ tolerance`, `T(x)` is returned. Since `T` is a contraction of
/// factor `d` in L1, `‖T(x) − x*‖ ≤ d·‖x − x*‖ ≤ d·δ/(1−d)`: the documented bound holds
/// whatever sweeps led to `x`. That is why a cold ranking of a large graph (from 2^18
/// pages) may gather `f32` values in its first sweeps, until their relative change is
/// 1e-6: half the memory read at random, while the last sweeps and the check are `f64`.
///
/// # Arguments
/// `csr` the graph; `teleport` a distribution over nodes (sums to 1); `warm` an optional
/// starting vector (e.g. the previous result), used when its length matches.
///
/// # Complexity
/// `O(iterations × (nodes + links))` time, `O(nodes)` extra space.
pub fn power_iteration(
    csr: &Csr,
    damping: f64,
    teleport: &[f64],
    tolerance: f64,
    max_iterations: u32,
    warm: Option<&[f64]>,
) -> PowerResult {
    let n = csr.len();
    if n == 0 {
        return PowerResult {
            rank: Vec::new(),
            iterations: 0,
            residual: 0.0,
        };
    }
    let mut warmed = false;
    let mut r: Vec<f64> = match warm {
        Some(w) if w.len() == n && w.iter().all(|x| x.is_finite() && *x >= 0.0) => {
            let s: f64 = w.iter().sum();
            if s > 0.0 {
                warmed = true;
                w.iter().map(|x| x / s).collect()
            } else {
                teleport.to_vec()
            }
        }
        _ => teleport.to_vec(),
    };
    let d = damping;
    let stop = tolerance * (1.0 - d) / d;
    // y[s] = r[s] · scale[s]: what each source passes per unit of link weight. The first
    // sweeps of a large cold ranking gather it as `f32` (`y32`): half the memory read at
    // random. Their rounding (relative 6e-8) bounds how far they converge, so from a change
    // of MIXED_UNTIL on the sweeps gather `f64` again; the checking step is always `f64`,
    // so the documented bound holds as before.
    let mixed = n >= mixed_from() && !warmed;
    let y_of = |r: &[f64]| -> Vec<f64> { r.iter().zip(&csr.scale).map(|(x, s)| x * s).collect() };
    let mut y32: Vec<f32> = if mixed {
        r.iter()
            .zip(&csr.scale)
            .map(|(x, s)| (x * s) as f32)
            .collect()
    } else {
        Vec::new()
    };
    let mut y: Vec<f64> = if mixed { Vec::new() } else { y_of(&r) };
    let mut next = vec![0f64; n];
    let mut leaked: f64 = r.iter().zip(&csr.leak).map(|(x, l)| x * l).sum();
    let mut sum: f64 = r.iter().sum();
    // Fast paths: a uniform teleport vector is not read; an all-zero leak is not read.
    let uniform = teleport.iter().all(|&t| t == teleport[0]);
    let tele0 = teleport[0];
    let any_leak = csr.leak.iter().any(|&l| l != 0.0);
    let tele = Tele {
        uniform,
        first: tele0,
        all: teleport,
    };
    let mut residual = f64::INFINITY;
    let mut iterations = 0;
    let mut gs_delta = f64::INFINITY;
    let mut gs_ratio = 1.0;
    while iterations < max_iterations {
        iterations += 1;
        // Gauss–Seidel sweeps while their change is large. They solve the homogeneous form
        // x = d·P·x + (d·leak·x + (1−d)·Σx)·teleport, whose fixed points are the multiples of
        // the rank vector, so the sum of `r` may drift and needs no renormalising pass.
        let checking = gs_delta <= stop || gs_delta * gs_ratio <= stop;
        if !checking && iterations < max_iterations {
            let base = d * leaked + (1.0 - d) * sum;
            let sweep = SweepIn {
                csr,
                d,
                base,
                tele,
                any_leak,
            };
            let (diff, leak_next, sum_next) = if y.is_empty() {
                gs_sweep(sweep, &mut r, &mut y32)
            } else {
                gs_sweep(sweep, &mut r, &mut y)
            };
            (leaked, sum) = (leak_next, sum_next);
            // The change relative to the vector's size (its sum drifts a little).
            let rel = if sum > 0.0 { diff / sum } else { diff };
            gs_ratio = if gs_delta.is_finite() && gs_delta > 0.0 {
                (rel / gs_delta).min(1.0)
            } else {
                1.0
            };
            gs_delta = rel;
            if y.is_empty() && rel <= MIXED_UNTIL {
                y = y_of(&r);
                y32 = Vec::new();
            }
            continue;
        }
        if y.is_empty() {
            y = y_of(&r);
            y32 = Vec::new();
        }
        // Jacobi checking step from the vector scaled to sum 1.
        if sum > 0.0 && (sum - 1.0).abs() > 0.0 {
            let c = 1.0 / sum;
            r.iter_mut().for_each(|x| *x *= c);
            y.iter_mut().for_each(|x| *x *= c);
            leaked *= c;
        }
        let base = d * leaked + (1.0 - d);
        let sweep = SweepIn {
            csr,
            d,
            base,
            tele,
            any_leak,
        };
        let (diff, leak_next, sum_next) = jacobi_step(sweep, &r, &y, &mut next);
        std::mem::swap(&mut r, &mut next);
        for ((yi, &x), &s) in y.iter_mut().zip(&r).zip(&csr.scale) {
            *yi = x * s;
        }
        (leaked, sum) = (leak_next, sum_next);
        residual = diff;
        if diff <= stop {
            break;
        }
        gs_delta = diff;
        gs_ratio = 1.0;
    }
    let s: f64 = r.iter().sum();
    if s > 0.0 {
        for x in &mut r {
            *x /= s;
        }
    }
    PowerResult {
        rank: r,
        iterations,
        residual,
    }
}

/// The L1 distance between two share vectors (tests compare rankings with it).
#[cfg(test)]
pub(crate) fn l1_distance(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "vectors of different lengths");
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// Authority of every ranked page.
#[derive(Debug, Clone, PartialEq)]
pub struct Authority {
    /// The model computed.
    pub model: Model,
    /// Ranked pages, by compact id.
    pub pages: Vec<PageId>,
    /// Compact id of each graph index (`u32::MAX` when not ranked), by `PageId::index()`.
    /// Empty in a warm-start seed restored from a snapshot: its `share` is then by graph
    /// index (NaN when not ranked), with no ranks, scores or order.
    pub compact: Vec<u32>,
    /// Share by compact id (sums to 1); by graph index in a restored seed.
    pub share: Vec<f64>,
    /// 1-based rank position by compact id (ties broken by URL).
    pub rank: Vec<u32>,
    /// The smallest and largest share: a page's 0–100 score is where its share lies
    /// between them on a log scale (see [`Authority::score`]). Kept instead of every
    /// page's score: a report needs a few, and a logarithm costs ~50 ns in wasm (no
    /// instruction for it), 5 ms for 100,000 pages at the first report after a wake.
    pub share_range: (f64, f64),
    /// Compact ids sorted by share, descending.
    pub order: Vec<u32>,
    /// Iterations used.
    pub iterations: u32,
    /// Final L1 change.
    pub residual: f64,
    /// Started from an earlier result rather than the teleport vector. The shares then
    /// depend (in their last digits, within `tolerance`) on the history of the graph.
    pub warm_started: bool,
}

impl Authority {
    /// The 0–100 score of compact id `c`: where its share lies between the smallest and
    /// the largest on a log scale (50 when all shares are equal; 0 for an unknown id).
    pub fn score(&self, c: usize) -> f64 {
        let (lo, hi) = self.share_range;
        let Some(&s) = self.share.get(c) else {
            return 0.0;
        };
        if lo <= 0.0 || hi / lo < 1.0 + 1e-9 {
            50.0
        } else {
            (100.0 * (s / lo).ln() / (hi / lo).ln()).clamp(0.0, 100.0)
        }
    }

    /// The compact id of a page, if ranked.
    pub fn compact_of(&self, id: PageId) -> Option<usize> {
        if self.compact.is_empty() {
            // A restored seed: shares by graph index.
            let i = id.index();
            return self
                .share
                .get(i)
                .is_some_and(|x| x.is_finite())
                .then_some(i);
        }
        self.compact
            .get(id.index())
            .copied()
            .filter(|&c| c != u32::MAX)
            .map(|c| c as usize)
    }
    /// Share of a ranked page; `None` for a page merged into another (ask for its
    /// [`SiteGraph::representative`]'s share).
    pub fn share_of(&self, id: PageId) -> Option<f64> {
        self.compact_of(id).map(|c| self.share[c])
    }
    /// Number of ranked pages.
    pub fn len(&self) -> usize {
        self.pages.len()
    }
    /// No ranked pages.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// The pages ranked under `model` (in index order) and the compact id of each index.
fn ranked_pages(graph: &SiteGraph, model: Model, canon: bool) -> (Vec<PageId>, Vec<u32>) {
    let mut compact = vec![u32::MAX; graph.index_bound()];
    let mut pages = Vec::with_capacity(graph.page_count());
    for id in graph.page_ids() {
        let ranked = match model {
            Model::Classic => true,
            Model::Prominence => graph.representative(id, canon) == id,
        };
        if ranked {
            compact[id.index()] = u32::try_from(pages.len()).unwrap_or(u32::MAX);
            pages.push(id);
        }
    }
    (pages, compact)
}

/// Per page index: the compact id a link to it reaches (its representative's, in the
/// prominence model), `u32::MAX` for none.
fn target_map(graph: &SiteGraph, model: Model, canon: bool, compact: &[u32]) -> Vec<u32> {
    match model {
        Model::Classic => compact.to_vec(),
        Model::Prominence => {
            let mut tmap = vec![u32::MAX; graph.index_bound()];
            for id in graph.page_ids() {
                let rep = graph.representative(id, canon).index();
                tmap[id.index()] = compact.get(rep).copied().unwrap_or(u32::MAX);
            }
            tmap
        }
    }
}

/// The weighted edges of ranked source `s` given its out-links (`targets` sorted, parallel
/// `occs`), appended to `row` as `(target, weight)` sorted by target with aliases of one
/// page merged. Returns the source's total out-weight (`external` counts in the prominence
/// model). The one definition of a source's row: the full build and the incremental patch
/// both use it, so they agree bit for bit.
#[allow(clippy::too_many_arguments)]
fn source_row(
    model: Model,
    weights: &RegionWeights,
    s: u32,
    targets: &[u32],
    occs: &[Occurrence],
    external: f32,
    tmap: &[u32],
    row: &mut Vec<(u32, f64)>,
) -> f64 {
    let first = row.len();
    match model {
        Model::Classic => {
            let mut total = 0.0;
            for (t, a, b) in runs(targets) {
                if occs[a..b].iter().any(Occurrence::followed) {
                    total += 1.0;
                    row.push((tmap.get(t as usize).copied().unwrap_or(u32::MAX), 1.0));
                }
            }
            total
        }
        Model::Prominence => {
            let mut total = f64::from(external);
            let mut sorted = true;
            for (t, a, b) in runs(targets) {
                let ct = tmap.get(t as usize).copied().unwrap_or(u32::MAX);
                if ct == s {
                    continue; // self-links pass nothing and weigh nothing
                }
                let mut w_all = 0f32;
                let mut w_follow = 0f32;
                for o in &occs[a..b] {
                    let ow = occurrence_weight(weights, o.region, o.visible());
                    w_all = w_all.max(ow);
                    if o.followed() {
                        w_follow = w_follow.max(ow);
                    }
                }
                total += f64::from(w_all);
                if w_follow > 0.0 && ct != u32::MAX {
                    sorted &= row.len() == first || row.last().is_some_and(|l| l.0 < ct);
                    row.push((ct, f64::from(w_follow)));
                }
            }
            if !sorted {
                // Links to aliases of one page: order by target, then merge (the weights
                // add, smallest first).
                let mut tail = row.split_off(first);
                tail.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                for e in tail {
                    let len = row.len();
                    match row.last_mut() {
                        Some(last) if len > first && last.0 == e.0 => last.1 += e.1,
                        _ => row.push(e),
                    }
                }
            }
            total
        }
    }
}

/// The rows of ranked pages `chunk` (compact ids from `first`), appended to `edges` as
/// `(source, target, weight)`, their total out-weights into `total` (see [`source_row`]).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn source_rows(
    graph: &SiteGraph,
    model: Model,
    settings: &Settings,
    (first, chunk): (usize, &[PageId]),
    tmap: &[u32],
    row: &mut Vec<(u32, f64)>,
    edges: &mut Vec<(u32, u32, f64)>,
    total: &mut [f64],
) {
    for (k, &id) in chunk.iter().enumerate() {
        let s = first + k;
        let (targets, occs) = graph.out_slices(id);
        let ext = graph.page(id).map_or(0.0, |p| p.external_weight);
        row.clear();
        let t = source_row(
            model,
            &settings.weights,
            s as u32,
            targets,
            occs,
            ext,
            tmap,
            row,
        );
        if let Some(slot) = total.get_mut(s) {
            *slot = t;
        }
        edges.extend(row.iter().map(|&(t, w)| (s as u32, t, w)));
    }
}

/// Builds the CSR of `model` over the graph. Returns the ranked pages and the CSR.
pub fn build_csr(
    graph: &SiteGraph,
    model: Model,
    settings: &Settings,
) -> (Vec<PageId>, Vec<u32>, Csr) {
    let st = RankState::build(graph, model, settings);
    (st.pages, st.compact, st.csr)
}

/// What a re-rank keeps between runs of one model: the ranked pages and the CSR, patched
/// after a visit instead of rebuilt (see [`SiteGraph::changes_since`]).
#[derive(Debug, Clone)]
pub(crate) struct RankState {
    model: Model,
    /// The graph's log position this state reflects.
    at: (u64, u64),
    pages: Vec<PageId>,
    compact: Vec<u32>,
    tmap: Vec<u32>,
    csr: Csr,
}

impl RankState {
    /// The graph's log position this state reflects.
    pub(crate) fn at(&self) -> (u64, u64) {
        self.at
    }

    fn build(graph: &SiteGraph, model: Model, settings: &Settings) -> RankState {
        let canon = settings.consolidate_canonicals;
        let (pages, compact) = ranked_pages(graph, model, canon);
        let tmap = target_map(graph, model, canon, &compact);
        let n = pages.len();
        let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(graph.edge_count());
        let mut total = vec![0f64; n];
        // Ranked pages come in index order, so sources come out ascending, and each page's
        // out-links are sorted by target: the edge list is built in order, in one pass over
        // the pages' link arrays, whatever order the links were added in. In chunks, one
        // call each: a woken worker's first ranking then runs most of them optimised (see
        // `gs_sweep`).
        const CHUNK: usize = 4096;
        let mut row = Vec::new();
        for (k, chunk) in pages.chunks(CHUNK).enumerate() {
            source_rows(
                graph,
                model,
                settings,
                (k * CHUNK, chunk),
                &tmap,
                &mut row,
                &mut edges,
                &mut total,
            );
        }
        RankState {
            model,
            at: graph.log_position(),
            pages,
            compact,
            tmap,
            csr: Csr::from_edges(n, &edges, &total),
        }
    }

    /// Brings the state up to the graph after out-link changes and appended pages; `false`
    /// when that is not possible (a structural change), and the state must be rebuilt.
    fn patch(&mut self, graph: &SiteGraph, settings: &Settings) -> bool {
        let Some(changes) = graph.first_changes_since(self.at) else {
            return false;
        };
        let canon = settings.consolidate_canonicals;
        // Pages appended since: ranked, each standing for itself.
        let old_bound = self.compact.len();
        for i in old_bound..graph.index_bound() {
            let id = PageId::new(i);
            let c = if graph.contains(id) {
                if self.model == Model::Prominence && graph.representative(id, canon) != id {
                    return false;
                }
                let c = u32::try_from(self.pages.len()).unwrap_or(u32::MAX);
                self.pages.push(id);
                c
            } else {
                u32::MAX
            };
            self.compact.push(c);
            self.tmap.push(c);
        }
        // Each changed source: its row as of this state (the earliest logged out-links) and
        // now.
        let mut rows = Vec::new();
        for ch in changes {
            let id = PageId::new(ch.page as usize);
            let Some(&s) = self.compact.get(ch.page as usize) else {
                continue;
            };
            if s == u32::MAX || !graph.contains(id) {
                continue; // not ranked: its links pass nothing
            }
            let mut old = Vec::new();
            source_row(
                self.model,
                &settings.weights,
                s,
                &ch.targets,
                &ch.occs,
                0.0,
                &self.tmap,
                &mut old,
            );
            let (targets, occs) = graph.out_slices(id);
            let ext = graph.page(id).map_or(0.0, |p| p.external_weight);
            let mut new = Vec::new();
            let total = source_row(
                self.model,
                &settings.weights,
                s,
                targets,
                occs,
                ext,
                &self.tmap,
                &mut new,
            );
            rows.push((s, old, new, total));
        }
        self.csr.patch(self.pages.len(), rows);
        self.at = graph.log_position();
        true
    }
}

/// The teleport vector over ranked pages.
pub fn teleport_vector(graph: &SiteGraph, pages: &[PageId], settings: &Settings) -> Vec<f64> {
    let n = pages.len();
    if n == 0 {
        return Vec::new();
    }
    let uniform = || vec![1.0 / n as f64; n];
    let Some(p) = &settings.personalization else {
        return uniform();
    };
    let mut v = vec![0f64; n];
    let mut pos = vec![usize::MAX; graph.index_bound()];
    for (i, id) in pages.iter().enumerate() {
        pos[id.index()] = i;
    }
    for (url, w) in p {
        if let Ok(Some(id)) = graph.find(url) {
            let rid = graph.representative(id, settings.consolidate_canonicals);
            if let Some(&i) = pos.get(rid.index()) {
                if i != usize::MAX && w.is_finite() && *w > 0.0 {
                    v[i] += w;
                }
            }
        }
    }
    let s: f64 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
        v
    } else {
        uniform()
    }
}

/// Computes the authority of every page under `model`.
pub fn compute(
    graph: &SiteGraph,
    model: Model,
    settings: &Settings,
    warm: Option<&Authority>,
) -> Authority {
    let st = RankState::build(graph, model, settings);
    finish(graph, model, settings, &st, warm, None)
}

/// [`compute`], keeping the CSR in `state` between runs: after visits that only changed
/// out-links (and appended pages), the CSR is patched rather than rebuilt. The result is
/// the one [`compute`] gives with the same `warm`. `seed_order`, with a `warm` restored
/// from a snapshot, is the order that snapshot stored: a hint where the sort starts.
pub(crate) fn compute_incremental(
    graph: &SiteGraph,
    model: Model,
    settings: &Settings,
    warm: Option<&Authority>,
    seed_order: Option<&[u32]>,
    state: &mut Option<RankState>,
) -> Authority {
    let st = match state.take() {
        Some(mut st) if st.model == model => {
            if st.patch(graph, settings) {
                st
            } else {
                RankState::build(graph, model, settings)
            }
        }
        _ => RankState::build(graph, model, settings),
    };
    let a = finish(graph, model, settings, &st, warm, seed_order);
    *state = Some(st);
    a
}

fn finish(
    graph: &SiteGraph,
    model: Model,
    settings: &Settings,
    st: &RankState,
    warm: Option<&Authority>,
    seed_order: Option<&[u32]>,
) -> Authority {
    let (pages, compact, csr) = (st.pages.clone(), st.compact.clone(), &st.csr);
    let tele = teleport_vector(graph, &pages, settings);
    let warm_vec: Option<Vec<f64>> = warm.filter(|a| a.model == model).map(|a| {
        pages
            .iter()
            .map(|id| {
                a.share_of(*id)
                    .filter(|x| x.is_finite())
                    .unwrap_or(1.0 / pages.len().max(1) as f64)
            })
            .collect()
    });
    let res = power_iteration(
        csr,
        settings.damping,
        &tele,
        settings.tolerance,
        settings.max_iterations,
        warm_vec.as_deref(),
    );
    let start = match warm {
        Some(w)
            if w.model == model
                && !w.order.is_empty()
                && w.pages.len() <= pages.len()
                && w.order.len() == w.pages.len()
                && w.pages[..] == pages[..w.pages.len()] =>
        {
            Some(Start {
                order: &w.order,
                share: (!w.compact.is_empty() && w.share.len() == w.pages.len())
                    .then_some(&w.share[..]),
            })
        }
        Some(w) if w.model == model => seed_order.and_then(|o| seed_start(w, &pages, o)),
        _ => None,
    };
    let mut a = ranked(graph, model, pages, compact, res.rank, start);
    a.iterations = res.iterations;
    a.residual = res.residual;
    a.warm_started = warm_vec.is_some();
    a
}

/// Where the sort of [`ranked`] starts: an earlier order of a prefix of the pages (after
/// a visit the order is nearly right).
#[derive(Clone, Copy)]
struct Start<'a> {
    order: &'a [u32],
    /// The shares `order` was made from (by compact id), when [`ranked`] made it: pages
    /// tied then were put in URL order then.
    share: Option<&'a [f64]>,
}

/// The [`Authority`] of `share` (by compact id of `pages`): order, rank and score. The sort
/// starts from `start` if given. Iterations 0, residual NaN, not warm-started.
fn ranked(
    graph: &SiteGraph,
    model: Model,
    pages: Vec<PageId>,
    compact: Vec<u32>,
    share: Vec<f64>,
    start: Option<Start<'_>>,
) -> Authority {
    let n = share.len();
    // Shares are finite and non-negative, so their bit patterns sort like their values:
    // sort by key (descending), then order each run of equal shares by URL.
    let warm_order = start.is_some();
    let before = start.and_then(|s| s.share);
    let start: Vec<u32> = match start.map(|s| s.order) {
        Some(o) => {
            let mut o = o.to_vec();
            o.extend(o.len() as u32..n as u32);
            o
        }
        None => (0..n as u32).collect(),
    };
    // Sorted as (key, id) pairs: no gather of the share per comparison.
    let mut keyed: Vec<(u64, u32)> = start
        .into_iter()
        .map(|c| (!share[c as usize].to_bits(), c))
        .collect();
    if warm_order {
        sort_nearly_sorted(&mut keyed);
    } else {
        keyed.sort_by_key(|&(k, _)| k);
    }
    let mut order: Vec<u32> = keyed.into_iter().map(|(_, c)| c).collect();
    let url = |c: u32| graph.page(pages[c as usize]).map(|p| &p.url);
    // Both pages ranked in the earlier ranking, with equal shares there.
    let tied_before = |a: u32, b: u32| {
        before.is_some_and(|p| {
            matches!((p.get(a as usize), p.get(b as usize)),
                (Some(x), Some(y)) if x.to_bits() == y.to_bits())
        })
    };
    let mut i = 0;
    while i < n {
        let bits = share[order[i] as usize].to_bits();
        let mut j = i + 1;
        while j < n && share[order[j] as usize].to_bits() == bits {
            j += 1;
        }
        // The sort by key is stable: pages tied now that were all tied in the earlier
        // ranking are still in the URL order it gave them. (After a visit at 100,000 pages
        // about 3,000 pages are tied, and in wasm comparing their URLs again took 2 ms.)
        if j - i > 1 && !order[i..j].windows(2).all(|w| tied_before(w[0], w[1])) {
            order[i..j].sort_unstable_by(|&a, &b| url(a).cmp(&url(b)));
        }
        i = j;
    }
    let mut rank = vec![0u32; n];
    for (pos, &c) in order.iter().enumerate() {
        rank[c as usize] = pos as u32 + 1;
    }
    let (mut lo, mut hi) = (f64::INFINITY, 0f64);
    // Comparisons, not `f64::min`: in wasm that is a call (NaN rules), and no share is NaN.
    for &s in &share {
        if s < lo {
            lo = s;
        }
        if s > hi {
            hi = s;
        }
    }
    Authority {
        model,
        pages,
        compact,
        share,
        rank,
        share_range: (lo, hi),
        order,
        iterations: 0,
        residual: f64::NAN,
        warm_started: false,
    }
}

/// Sorts `keyed` by key, stably, starting from an order that is nearly right. After a
/// visit the shares move a little and the earlier order is a few places off here and
/// there (at 100,000 pages, 4,000–22,000 descents and 10,000–44,000 places moved in all):
/// insertion sort then takes about one pass, where the general sort found runs of ~10 and
/// sorted them all again (~4 ms). After `4n` moves it stops and the general sort finishes
/// the work: both are stable, so the result is the same either way.
fn sort_nearly_sorted(keyed: &mut [(u64, u32)]) {
    let budget = 4 * keyed.len() + 64;
    let mut moves = 0;
    for i in 1..keyed.len() {
        let x = keyed[i];
        let mut j = i;
        while j > 0 && keyed[j - 1].0 > x.0 {
            keyed[j] = keyed[j - 1];
            j -= 1;
        }
        keyed[j] = x;
        moves += i - j;
        if moves > budget {
            keyed.sort_by_key(|&(k, _)| k);
            return;
        }
    }
}

/// Where the sort starts after a restore and the visits replayed since (a wake with a
/// journal): the order the snapshot stored, for a seed `w` (shares by graph index, NaN
/// where not ranked) whose ranked pages, in index order, are the first of `pages`, as
/// when those visits only appended pages. URL ties are compared again (`share: None`): a
/// stored order is only a hint.
fn seed_start<'a>(w: &Authority, pages: &[PageId], order: &'a [u32]) -> Option<Start<'a>> {
    if !w.compact.is_empty() {
        return None;
    }
    let mut k = 0;
    for (i, x) in w.share.iter().enumerate() {
        if x.is_finite() {
            if pages.get(k).map(|p| p.index()) != Some(i) {
                return None;
            }
            k += 1;
        }
    }
    (k > 0 && is_permutation(order, k)).then_some(Start { order, share: None })
}

/// Is `order` each of `0..n` exactly once?
fn is_permutation(order: &[u32], n: usize) -> bool {
    if order.len() != n {
        return false;
    }
    let mut seen = vec![false; n];
    order.iter().all(|&c| match seen.get_mut(c as usize) {
        Some(s) if !*s => {
            *s = true;
            true
        }
        _ => false,
    })
}

/// The authority of the graph as it is, from shares computed for it before (a snapshot's:
/// `share` by page index, NaN for pages not ranked) with the `iterations` and `residual`
/// of that run: no ranking runs. `None` unless exactly the pages `model` ranks have a
/// finite, non-negative share and the shares sum to 1 (within 5e-10): the caller then
/// ranks as usual. Marked warm-started (the export recomputes it from scratch). `order`,
/// if given, is the shares' order then (compact ids, highest first): the pages are sorted
/// starting from it, so the same order comes out in one pass, and any other gives the same
/// result more slowly.
pub(crate) fn from_converged(
    graph: &SiteGraph,
    model: Model,
    settings: &Settings,
    share: &[f64],
    (iterations, residual): (u32, f64),
    order: Option<&[u32]>,
) -> Option<Authority> {
    let (pages, compact) = ranked_pages(graph, model, settings.consolidate_canonicals);
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    let mut by_compact = Vec::with_capacity(pages.len());
    for (i, &v) in share.iter().enumerate() {
        let ranked = compact.get(i).is_some_and(|&c| c != u32::MAX);
        match (ranked, ok(v)) {
            (true, true) => by_compact.push(v),
            (false, false) => {}
            _ => return None,
        }
    }
    // A run's shares sum to 1 up to rounding; anything further off is not one.
    let sum: f64 = by_compact.iter().sum();
    if by_compact.len() != pages.len() || share.len() != compact.len() || (sum - 1.0).abs() > 5e-10
    {
        return None;
    }
    // The stored order is where the sort starts (it then runs over sorted keys): a damaged
    // one, not a permutation of the ranked pages, is left out.
    let start = order
        .filter(|o| is_permutation(o, pages.len()))
        .map(|order| Start { order, share: None });
    let mut a = ranked(graph, model, pages, compact, by_compact, start);
    a.iterations = iterations;
    a.residual = residual;
    a.warm_started = true;
    Some(a)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Pages with equal shares are ranked by URL, whatever their order in the graph, and
    /// a restored site (which sorts from the order the snapshot stored) ranks them the same.
    #[test]
    fn equal_shares_rank_by_url() {
        let mut site = crate::Site::new("https://s.test/", Settings::default()).expect("site");
        // The home page links to six pages that link back to it only: equal shares. Their
        // URLs share a 16-byte prefix and differ past it, in the first or a later 8 bytes.
        let names = [
            "p/b",
            "p/a",
            "p/ab",
            "p/aa-long-name",
            "p/aa-long-nam",
            "p/c",
        ];
        let links: Vec<crate::RawLink> = names
            .iter()
            .map(|n| crate::RawLink {
                href: format!("https://s.test/{n}"),
                text: Some(format!("Page {n}")),
                ..Default::default()
            })
            .collect();
        let visit = |site: &mut crate::Site, url: &str, links: Vec<crate::RawLink>| {
            let mut o =
                crate::RawObservation::from_json(&format!(r#"{{"url": "{url}"}}"#)).expect("obs");
            o.links = links;
            site.ingest(o).expect("ingest");
        };
        visit(&mut site, "https://s.test/", links);
        for n in names {
            let back = vec![crate::RawLink {
                href: "https://s.test/".into(),
                text: Some("Home".into()),
                ..Default::default()
            }];
            visit(&mut site, &format!("https://s.test/{n}"), back);
        }
        let ranked_urls = |site: &crate::Site| -> Vec<String> {
            let a = site.authority(Model::Prominence);
            let mut by_rank: Vec<(u32, String)> = (0..a.len())
                .map(|c| {
                    (
                        a.rank[c],
                        site.graph().page(a.pages[c]).expect("page").url.to_string(),
                    )
                })
                .collect();
            by_rank.sort();
            by_rank.into_iter().map(|(_, u)| u).collect()
        };
        let mut expect: Vec<String> = names
            .iter()
            .map(|n| format!("https://s.test/{n}"))
            .collect();
        expect.sort();
        expect.insert(0, "https://s.test/".into());
        assert_eq!(ranked_urls(&site), expect);
        let restored = crate::Site::restore(&site.snapshot()).expect("restore");
        assert_eq!(ranked_urls(&restored), expect);
    }

    /// `a`'s pages sorted by share (highest first), then URL: the order it must have.
    pub(crate) fn by_share_then_url(g: &SiteGraph, a: &Authority) -> Vec<u32> {
        let url = |c: u32| g.page(a.pages[c as usize]).map(|p| p.url.to_string());
        let mut want: Vec<u32> = (0..a.len() as u32).collect();
        want.sort_by(|&x, &y| {
            a.share[y as usize]
                .total_cmp(&a.share[x as usize])
                .then_with(|| url(x).cmp(&url(y)))
        });
        want
    }

    /// After each visit the order is by share, then URL, though the sort starts from the
    /// earlier order and skips the URL comparisons of pages that were tied before: a page
    /// that joins a tie (here `q/7`, which had an extra in-link) is put in its URL place,
    /// and so is a page new to the site.
    #[test]
    fn ties_stay_in_url_order_through_re_ranks() {
        let mut site = crate::Site::new("https://s.test/", Settings::default()).expect("site");
        let link = |to: &str| crate::RawLink {
            href: format!("https://s.test/{to}"),
            text: Some(format!("To {to}")),
            ..Default::default()
        };
        let visit = |site: &mut crate::Site, url: &str, links: Vec<crate::RawLink>| {
            let mut o =
                crate::RawObservation::from_json(&format!(r#"{{"url": "https://s.test/{url}"}}"#))
                    .expect("obs");
            o.links = links;
            site.ingest(o).expect("ingest");
        };
        // Ids in an order other than the URLs': q/9, q/8, … q/0.
        let names: Vec<String> = (0..10).rev().map(|i| format!("q/{i}")).collect();
        visit(&mut site, "", names.iter().map(|n| link(n)).collect());
        for n in &names {
            visit(&mut site, n, vec![link("")]);
        }
        let check = |site: &crate::Site, step: &str| {
            for model in [Model::Prominence, Model::Classic] {
                let a = site.authority(model);
                assert_eq!(
                    a.order,
                    by_share_then_url(site.graph(), &a),
                    "{step}, {model:?}"
                );
                for (pos, &c) in a.order.iter().enumerate() {
                    assert_eq!(a.rank[c as usize] as usize, pos + 1, "{step}, {model:?}");
                }
                let tied = (1..a.len())
                    .filter(|&k| a.share[a.order[k] as usize] == a.share[a.order[k - 1] as usize])
                    .count();
                assert!(tied >= 4, "{step}, {model:?}: ties to check ({tied})");
            }
        };
        check(&site, "all tied");
        visit(&mut site, "q/3", vec![link(""), link("q/7")]);
        check(&site, "q/7 above the others");
        visit(&mut site, "q/3", vec![link("")]);
        check(&site, "q/7 tied again");
        visit(&mut site, "q/3", vec![link(""), link("q/00")]);
        visit(&mut site, "q/5", vec![link(""), link("q/00")]);
        visit(&mut site, "q/00", vec![link("")]);
        check(&site, "a new page");
        visit(&mut site, "q/5", vec![link("")]);
        visit(&mut site, "q/3", vec![link("")]);
        visit(
            &mut site,
            "",
            names
                .iter()
                .chain([&"q/00".to_string()])
                .map(|n| link(n))
                .collect(),
        );
        check(&site, "the new page tied with the others");
    }

    /// The sort from a nearly right order is the stable sort by key: when a few keys moved
    /// (insertion alone), when many did (it gives up and the general sort finishes), with
    /// ties kept in their starting order, and on the empty and one-element cases.
    #[test]
    fn sort_from_a_nearly_right_order_is_the_stable_sort() {
        let mut rng = crate::synth::Rng::new(7);
        for (n, moved, distinct) in [
            (0, 0, 1),
            (1, 0, 1),
            (1000, 20, 1000),
            (1000, 20, 5),
            (5000, 5000, 50_000),
            (5000, 5000, 3),
            (20_000, 400, 100_000),
        ] {
            // Sorted keys (ties when `distinct` is small), then `moved` keys changed.
            let mut keys: Vec<u64> = (0..n).map(|_| rng.below(distinct) as u64).collect();
            keys.sort_unstable();
            for _ in 0..moved {
                let i = rng.below(n);
                keys[i] = rng.below(distinct) as u64;
            }
            let keyed: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect();
            let mut want = keyed.clone();
            want.sort_by_key(|&(k, _)| k);
            let mut got = keyed;
            sort_nearly_sorted(&mut got);
            assert_eq!(got, want, "n {n}, {moved} moved, {distinct} distinct keys");
        }
        // Reversed: the insertion gives up at once, and the result is still the sort.
        let mut rev: Vec<(u64, u32)> = (0..3000u32).map(|i| (u64::from(3000 - i), i)).collect();
        let mut want = rev.clone();
        want.sort_by_key(|&(k, _)| k);
        sort_nearly_sorted(&mut rev);
        assert_eq!(rev, want);
    }

    /// A page's score is its share's place between the smallest and the largest on a log
    /// scale: 100 at the top, 0 at the bottom, never rising down the order, 50 when every
    /// share is equal.
    #[test]
    fn scores_place_each_share_on_a_log_scale() {
        let site = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: 300,
            ..Default::default()
        })
        .site();
        let a = site.authority(Model::Prominence);
        let (lo, hi) = a.share_range;
        let scores: Vec<f64> = a.order.iter().map(|&c| a.score(c as usize)).collect();
        assert_eq!(scores.first(), Some(&100.0));
        assert_eq!(scores.last(), Some(&0.0));
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        for c in (0..a.share.len()).step_by(17) {
            let expect = 100.0 * (a.share[c] / lo).ln() / (hi / lo).ln();
            assert!((a.score(c) - expect).abs() < 1e-9, "{c}");
        }
        assert_eq!(a.score(a.share.len()), 0.0, "an unknown id");
        let even = Authority {
            share_range: (0.25, 0.25),
            share: vec![0.25; 4],
            ..(*a).clone()
        };
        assert!((0..4).all(|c| even.score(c) == 50.0));
    }

    fn weight_at(w: &Weights, k: usize) -> f64 {
        match w {
            Weights::Unit => 1.0,
            Weights::F32(w) => f64::from(w[k]),
            Weights::F64(w) => w[k],
        }
    }

    fn assert_same_state(a: &RankState, b: &RankState, what: &str) {
        assert_eq!(a.pages, b.pages, "{what}: pages");
        assert_eq!(a.compact, b.compact, "{what}: compact ids");
        assert_eq!(a.csr.off, b.csr.off, "{what}: offsets");
        assert_eq!(a.csr.src, b.csr.src, "{what}: sources");
        for k in 0..a.csr.src.len() {
            assert_eq!(
                weight_at(&a.csr.weight, k).to_bits(),
                weight_at(&b.csr.weight, k).to_bits(),
                "{what}: weight {k}"
            );
        }
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.csr.scale), bits(&b.csr.scale), "{what}: scale");
        assert_eq!(bits(&a.csr.leak), bits(&b.csr.leak), "{what}: leak");
    }

    /// The CSR of `st`'s pages with all their rows made in one call, as `RankState::build`
    /// did before it made them in chunks, then [`Csr::from_edges`].
    fn edge_list_csr(st: &RankState, g: &SiteGraph, settings: &Settings) -> Csr {
        let n = st.pages.len();
        let (mut edges, mut total, mut row) = (Vec::new(), vec![0f64; n], Vec::new());
        let all = (0, &st.pages[..]);
        source_rows(
            g, st.model, settings, all, &st.tmap, &mut row, &mut edges, &mut total,
        );
        Csr::from_edges(n, &edges, &total)
    }

    /// Across several chunks of rows (10,000 pages; 4,096 a chunk), both models.
    #[test]
    fn rows_made_in_chunks_give_the_one_pass_csr() {
        let site = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: 10_000,
            links_per_page: 12,
            ..Default::default()
        })
        .site();
        let settings = Settings::default();
        for model in [Model::Prominence, Model::Classic] {
            let st = RankState::build(&site.graph, model, &settings);
            assert!(
                st.csr.src.len() > 100_000,
                "{model:?}: {} links",
                st.csr.src.len()
            );
            assert_eq!(
                st.csr,
                edge_list_csr(&st, &site.graph, &settings),
                "{model:?}"
            );
        }
    }

    /// Visits that change links, add pages, redirect and canonicalise: the patched CSR is
    /// the one a full build makes, bit for bit, and so are the shares.
    #[test]
    fn patched_csr_equals_a_full_build_after_every_visit() {
        use crate::observe::{RawLink, RawObservation, Region};
        let settings = Settings::default();
        let mut site = crate::Site::new("https://s.test/", settings.clone()).expect("site");
        let mut rng = crate::synth::Rng::new(0x1234_5678);
        let mut next = |m: u64| rng.next_u64() % m;
        let regions = [
            Region::Main,
            Region::Nav,
            Region::Footer,
            Region::Aside,
            Region::Other,
        ];
        let mut states: [Option<RankState>; 2] = [None, None];
        let mut warm: [Option<Authority>; 2] = [None, None];
        let mut patched = 0;
        for round in 0..300 {
            let page = next(25);
            let mut links: Vec<RawLink> = (0..next(15))
                .map(|k| RawLink {
                    href: format!(
                        "https://s.test/p{}",
                        next(if round < 100 { 30 } else { 60 })
                    ),
                    text: Some(format!("anchor {}", k % 4)),
                    rel: (next(6) == 0).then(|| "nofollow".to_string()),
                    region: Some(regions[next(5) as usize]),
                    visible: Some(next(8) != 0),
                    ..Default::default()
                })
                .collect();
            if next(3) == 0 {
                links.push(RawLink {
                    href: "https://elsewhere.test/".into(),
                    ..Default::default()
                });
            }
            let mut o = RawObservation {
                url: format!("https://s.test/p{page}"),
                links,
                ..Default::default()
            };
            if next(40) == 0 {
                o.requested_url = Some(format!("https://s.test/old{}", next(4)));
            }
            if next(40) == 0 {
                o.canonical = Some(format!("https://s.test/p{}", next(25)));
            }
            site.ingest(o).expect("ingest");
            for (m, model) in [Model::Prominence, Model::Classic].into_iter().enumerate() {
                let g = &site.graph;
                let could_patch = states[m]
                    .as_ref()
                    .is_some_and(|st| g.changes_since(st.at).is_some());
                patched += usize::from(could_patch);
                let a = compute_incremental(
                    g,
                    model,
                    &settings,
                    warm[m].as_ref(),
                    None,
                    &mut states[m],
                );
                let fresh = RankState::build(g, model, &settings);
                let st = states[m].as_ref().expect("state kept");
                assert_same_state(st, &fresh, &format!("round {round}, {model:?}"));
                let b = compute(g, model, &settings, warm[m].as_ref());
                assert_eq!(
                    a, b,
                    "round {round}, {model:?}: same result as a full build"
                );
                warm[m] = Some(a);
            }
        }
        assert!(patched > 300, "most visits were patched ({patched})");
    }

    /// `f` with the `f32` early sweeps from `from` pages on this thread.
    fn with_mixed_from<T>(from: usize, f: impl FnOnce() -> T) -> T {
        MIXED_FROM_IN_TESTS.with(|c| c.set(Some(from)));
        let out = f();
        MIXED_FROM_IN_TESTS.with(|c| c.set(None));
        out
    }

    /// Rows of every length around the gathers' thresholds (odd and even, under and over
    /// 64 in-links), with each kind of weight: the ranks are a textbook Jacobi iteration's.
    #[test]
    fn every_row_length_and_weight_kind_gives_textbook_ranks() {
        let lens = [0usize, 1, 2, 3, 4, 5, 62, 63, 64, 65, 66, 67, 130, 131];
        let n = 140;
        let mut rng = crate::synth::Rng::new(7);
        for kind in 0..3 {
            let mut edges = Vec::new();
            for (t, &len) in lens.iter().enumerate() {
                for k in 0..len {
                    let s = (t + 1 + k) % n;
                    let w = match kind {
                        0 => 1.0,
                        1 => [0.25, 1.0, 2.0][k % 3],
                        _ => 1.0 + (rng.next_u64() % 1000) as f64 / 7.0,
                    };
                    edges.push((s as u32, t as u32, w));
                }
            }
            // Every other page links to page 20 + its index mod 100, so none is dangling.
            for s in lens.len()..n {
                edges.push((s as u32, (20 + s % 100) as u32, 1.0));
            }
            let mut total = vec![0.0; n];
            for &(s, _, w) in &edges {
                total[s as usize] += w;
            }
            let csr = Csr::from_edges(n, &edges, &total);
            let expected_kind = match kind {
                0 => matches!(csr.weight, Weights::Unit),
                1 => matches!(csr.weight, Weights::F32(_)),
                _ => matches!(csr.weight, Weights::F64(_)),
            };
            assert!(expected_kind, "kind {kind}: the CSR's weights");
            let tele = vec![1.0 / n as f64; n];
            // f64 throughout, and with the early sweeps gathering f32 (as large sites do).
            let got = with_mixed_from(usize::MAX, || {
                power_iteration(&csr, 0.85, &tele, 1e-12, 10_000, None)
            });
            let mixed = with_mixed_from(0, || {
                power_iteration(&csr, 0.85, &tele, 1e-12, 10_000, None)
            });
            // Textbook: push each page's rank along its links, dangling rank via teleport.
            let mut x = tele.clone();
            for _ in 0..400 {
                let mut next = vec![0.0; n];
                let mut lost = 0.0;
                for (s, &tot) in total.iter().enumerate() {
                    if tot == 0.0 {
                        lost += x[s];
                    }
                }
                for &(s, t, w) in &edges {
                    next[t as usize] += 0.85 * x[s as usize] * w / total[s as usize];
                }
                for (v, &tp) in next.iter_mut().zip(&tele) {
                    *v += (0.85 * lost + 0.15) * tp;
                }
                x = next;
            }
            let l1 = l1_distance(&got.rank, &x);
            assert!(l1 < 1e-11, "kind {kind}: L1 {l1} from the textbook ranks");
            let l1 = l1_distance(&mixed.rank, &x);
            assert!(
                l1 < 1e-11,
                "kind {kind}, f32 early sweeps: L1 {l1} from the textbook"
            );
        }
    }

    /// The f32 early sweeps keep the documented bound on graphs with dangling pages,
    /// evaporating links and a non-uniform teleport vector (every path of the sweeps), and
    /// cost at most a few more sweeps.
    #[test]
    fn f32_early_sweeps_keep_the_bound() {
        let mut rng = crate::synth::Rng::new(99);
        for round in 0..20 {
            let n = 50 + (rng.next_u64() % 400) as usize;
            let mut edges = Vec::new();
            let mut total = vec![0.0; n];
            for (s, out) in total.iter_mut().enumerate() {
                if rng.next_u64() % 10 == 0 {
                    continue; // dangling
                }
                for _ in 0..(1 + rng.next_u64() % 12) {
                    // Skewed targets: a few pages get most links.
                    let t =
                        ((rng.next_u64() % n as u64) * (rng.next_u64() % n as u64)) as usize / n;
                    let w = [1.0, 0.5, 2.0, 0.25][(rng.next_u64() % 4) as usize];
                    edges.push((s as u32, t as u32, w));
                    *out += w;
                }
                // Some out-weight goes nowhere (evaporates): a leak.
                if round % 2 == 1 {
                    *out += 1.0;
                }
            }
            let csr = Csr::from_edges(n, &edges, &total);
            let mut tele: Vec<f64> = (0..n).map(|_| 1.0 + (rng.next_u64() % 5) as f64).collect();
            let ts: f64 = tele.iter().sum();
            tele.iter_mut().for_each(|t| *t /= ts);
            let rank = |tol: f64, from: usize| {
                with_mixed_from(from, || {
                    power_iteration(&csr, 0.85, &tele, tol, 100_000, None)
                })
            };
            let exact = rank(1e-15, usize::MAX);
            for tol in [1e-6, 1e-9, 1e-12] {
                let plain = rank(tol, usize::MAX);
                let mixed = rank(tol, 0);
                let l1 = l1_distance(&mixed.rank, &exact.rank);
                assert!(
                    l1 <= tol + 1e-14,
                    "round {round}, tol {tol}: f32 early sweeps end {l1} from the fixed point"
                );
                assert!(
                    mixed.iterations <= plain.iterations + 3,
                    "round {round}, tol {tol}: {} sweeps vs {}",
                    mixed.iterations,
                    plain.iterations
                );
            }
        }
    }

    /// A 3-cycle with a dangling node, solved by hand-checked networkx values.
    #[test]
    fn power_iteration_matches_closed_form_on_two_nodes() {
        // 0 -> 1, 1 -> 0: symmetric, both 0.5.
        let csr = Csr::from_edges(2, &[(0, 1, 1.0), (1, 0, 1.0)], &[1.0, 1.0]);
        let r = power_iteration(&csr, 0.85, &[0.5, 0.5], 1e-12, 1000, None);
        assert!((r.rank[0] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn dangling_node_redistributes_via_teleport() {
        // 0 -> 1, 1 dangling. Exact: r1 = (1+d)/(2+d) for uniform teleport (networkx agrees).
        let csr = Csr::from_edges(2, &[(0, 1, 1.0)], &[1.0, 0.0]);
        let r = power_iteration(&csr, 0.85, &[0.5, 0.5], 1e-13, 10_000, None);
        let d: f64 = 0.85;
        let r1 = (1.0 + d) / (2.0 + d);
        assert!((r.rank[1] - r1).abs() < 1e-12, "{:?}", r.rank);
        assert!((r.rank.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn tolerance_bounds_distance_to_exact() {
        let csr = Csr::from_edges(2, &[(0, 1, 1.0)], &[1.0, 0.0]);
        let r = power_iteration(&csr, 0.85, &[0.5, 0.5], 1e-9, 10_000, None);
        let d: f64 = 0.85;
        let r1 = (1.0 + d) / (2.0 + d);
        assert!((r.rank[1] - r1).abs() * 2.0 <= 1e-9);
    }

    #[test]
    fn settings_validation() {
        let s = Settings {
            damping: 1.0,
            ..Default::default()
        };
        assert!(matches!(s.validate(), Err(Error::InvalidConfig(_))));
        assert!(Settings::default().validate().is_ok());
    }
}
