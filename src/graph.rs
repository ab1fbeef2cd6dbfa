//! The site graph: one node per normalised page, one edge per (source, target) pair, each edge
//! keeping every link occurrence.
//!
//! Layout (chosen for memory and for linear restores and CSR builds, see docs/BENCHMARKS.md):
//! each page owns its out-links as two boxed slices sorted by target — the targets and the
//! 12-byte [`Occurrence`]s — so an edge is a run of equal targets and a page costs one
//! allocation per slice, not one per edge. Page ids are petgraph [`NodeIndex`]es into a slot
//! vector; a removed page leaves a vacant slot, reused later, so ids stay valid when stale
//! pages are pruned. The inlinks are a transposed index built on demand, once per change of
//! the graph, and an in-degree per page keeps pruning cheap. URLs and anchor texts are
//! stored once: the URL index is a hash table of page ids keyed by the page's own URL, and
//! anchors are interned into one string arena (navigation repeats the same few anchors on
//! every page).
//!
//! [`SiteGraph`] implements petgraph's visit traits, so petgraph's traversals and algorithms
//! run over it directly.

use std::collections::HashMap;

use std::cell::{Cell, OnceCell, RefCell};
use std::hash::BuildHasher;

use hashbrown::HashTable;
use petgraph::graph::NodeIndex;
use rustc_hash::FxBuildHasher;
use url::Url;

use crate::anchor::{self, AnchorCode, AnchorParts};
use crate::error::{Error, Result};
use crate::observe::{ObservationRef, Region, Text, MAX_URL_LEN};
use crate::url_norm::{Classified, ClassifyCache, Normalizer, Scope};

/// Node index type used throughout the core.
pub type PageId = NodeIndex<u32>;

/// Bits of [`Occurrence::flags`].
pub mod flags {
    /// `rel=nofollow`.
    pub const REL_NOFOLLOW: u8 = 1;
    /// `rel=ugc`.
    pub const REL_UGC: u8 = 1 << 1;
    /// `rel=sponsored`.
    pub const REL_SPONSORED: u8 = 1 << 2;
    /// The page's meta robots says `nofollow`.
    pub const META_NOFOLLOW: u8 = 1 << 3;
    /// Rendered visibly.
    pub const VISIBLE: u8 = 1 << 4;
    /// Inside the first viewport.
    pub const IN_VIEWPORT: u8 = 1 << 5;
    /// The href used the other scheme than the site (http vs https).
    pub const CROSS_SCHEME: u8 = 1 << 6;
    /// An `<area>` element.
    pub const AREA: u8 = 1 << 7;
    /// Any of these makes the occurrence not followed.
    pub const NOT_FOLLOWED: u8 = REL_NOFOLLOW | REL_UGC | REL_SPONSORED | META_NOFOLLOW;
}

/// Bit of [`Occurrence::quality`]: Lighthouse's `link-text` audit fails the link.
pub const LIGHTHOUSE_FAILS: u8 = 0x80;

/// One `<a>` on a source page pointing at a target page. 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Interned accessible name (see [`SiteGraph::anchor_text`]).
    pub anchor: u32,
    /// Order among the source page's links.
    pub order: u32,
    /// Region on the page.
    pub region: Region,
    /// [`flags`] bits.
    pub flags: u8,
    /// The anchor's [`AnchorCode`] as `u8` in bits 0–6; bit 7 ([`LIGHTHOUSE_FAILS`]) is set
    /// when Lighthouse's `link-text` audit would fail the link.
    pub quality: u8,
}

impl Occurrence {
    /// Does this occurrence pass authority (no nofollow/ugc/sponsored, no meta nofollow)?
    pub fn followed(&self) -> bool {
        self.flags & flags::NOT_FOLLOWED == 0
    }
    /// Was it rendered visibly?
    pub fn visible(&self) -> bool {
        self.flags & flags::VISIBLE != 0
    }
    /// The anchor quality code.
    pub fn quality(&self) -> AnchorCode {
        AnchorCode::from_u8(self.quality & !LIGHTHOUSE_FAILS).unwrap_or(AnchorCode::Descriptive)
    }
    /// Would Lighthouse's `link-text` audit fail this link? (It reads only the visible
    /// text, so it can fail a link whose accessible name is descriptive.)
    pub fn lighthouse_fails(&self) -> bool {
        self.quality & LIGHTHOUSE_FAILS != 0
    }
}

/// The occurrences of one (source, target) pair, in page order: a view into the source
/// page's out-links.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkEdge<'a> {
    /// Every occurrence, in the source page's order.
    pub occurrences: &'a [Occurrence],
}

impl LinkEdge<'_> {
    /// Does any occurrence pass authority?
    pub fn followed(&self) -> bool {
        self.occurrences.iter().any(Occurrence::followed)
    }
}

/// One page of the site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// Normalised URL.
    pub url: Box<str>,
    /// The page has been observed (its outlinks are known).
    pub visited: bool,
    /// When it was last observed, if known.
    pub observed_at: Option<Timestamp>,
    /// Its `<title>`, first `<h1>`, `<html lang>` and declared canonical URL (see
    /// [`Page::title`] and the others).
    pub texts: PageTexts,
    /// The canonical page, when it is another page of the site.
    pub canonical: Option<PageId>,
    /// This URL redirects (HTTP or meta refresh) to that page.
    pub redirect_to: Option<PageId>,
    /// The redirect was a `<meta http-equiv=refresh>`.
    pub meta_refresh: bool,
    /// Meta robots `noindex`.
    pub noindex: bool,
    /// Meta robots `nofollow`.
    pub nofollow: bool,
    /// Links to other sites (occurrences).
    pub external_links: u32,
    /// Reasonable-surfer weight of the external links (unique targets, max weight each).
    pub external_weight: f32,
    /// External links marked nofollow/ugc/sponsored.
    pub external_nofollow: u32,
    /// mailto:, tel:, javascript:… links.
    pub non_navigational: u32,
    /// Links whose href could not be parsed.
    pub invalid_links: u32,
    /// Links dropped over the size limit.
    pub truncated_links: u32,
}

/// A finite time in milliseconds since the Unix epoch, in 8 bytes that leave `None` free:
/// `Option<Timestamp>` takes 8 bytes where `Option<f64>` takes 16 (with 100,000 pages, 0.8
/// of the 64 bytes per link occurrence the benchmarks allow).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(std::num::NonZeroU64);

impl Timestamp {
    /// The time `ms`, or `None` when it is not finite. `-0.0` is read as `0.0`.
    pub fn new(ms: f64) -> Option<Timestamp> {
        if !ms.is_finite() {
            return None;
        }
        // Flipping the sign bit maps every finite value but -0.0 away from zero.
        let ms = if ms == 0.0 { 0.0 } else { ms };
        std::num::NonZeroU64::new(ms.to_bits() ^ (1 << 63)).map(Timestamp)
    }

    /// Milliseconds since the epoch.
    pub fn ms(self) -> f64 {
        f64::from_bits(self.0.get() ^ (1 << 63))
    }
}

impl std::fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Timestamp({})", self.ms())
    }
}

/// What one page is, for reports and the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageState {
    /// Observed, indexable, canonical to itself.
    Visited,
    /// Known only from links.
    Discovered,
    /// This URL redirects to another.
    Redirect,
    /// Its canonical is another page.
    Canonicalised,
    /// Meta robots noindex.
    Noindex,
}

/// A page's `<title>`, first `<h1>`, `<html lang>` and declared canonical URL, in one
/// block: a restore of 100,000 pages allocates 100,000 blocks for them rather than up to
/// 400,000 (each block is a call of the allocator and a header, in memory a woken worker
/// writes for the first time).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PageTexts {
    /// The present texts, one after the other.
    text: Box<str>,
    /// Where each text ends in `text`: title, h1, lang, canonical URL.
    ends: [u32; 4],
    /// Bit `k`: text `k` is present.
    present: u8,
}

impl PageTexts {
    /// The texts given, in one block (texts longer than 4 GiB are cut to nothing, which the
    /// size limits on observations and imports never let through).
    pub fn new(
        title: Option<&str>,
        h1: Option<&str>,
        lang: Option<&str>,
        canonical_url: Option<&str>,
    ) -> PageTexts {
        let all = [title, h1, lang, canonical_url];
        let mut text = String::with_capacity(all.iter().flatten().map(|s| s.len()).sum());
        let mut ends = [0u32; 4];
        let mut present = 0u8;
        for (k, s) in all.into_iter().enumerate() {
            if let Some(s) = s {
                if u32::try_from(text.len() + s.len()).is_ok() {
                    text.push_str(s);
                }
                present |= 1 << k;
            }
            ends[k] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        PageTexts {
            text: text.into(),
            ends,
            present,
        }
    }

    /// Text `k` (0 title, 1 h1, 2 lang, 3 canonical URL), if present.
    fn get(&self, k: usize) -> Option<&str> {
        if self.present & (1 << k) == 0 {
            return None;
        }
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        self.text.get(start..self.ends[k] as usize)
    }

    /// The same texts with the declared canonical URL dropped.
    pub fn without_canonical_url(&self) -> PageTexts {
        PageTexts::new(self.get(0), self.get(1), self.get(2), None)
    }
}

impl std::fmt::Debug for PageTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageTexts")
            .field("title", &self.get(0))
            .field("h1", &self.get(1))
            .field("lang", &self.get(2))
            .field("canonical_url", &self.get(3))
            .finish()
    }
}

impl Page {
    /// `<title>`.
    pub fn title(&self) -> Option<&str> {
        self.texts.get(0)
    }
    /// First `<h1>`.
    pub fn h1(&self) -> Option<&str> {
        self.texts.get(1)
    }
    /// `<html lang>`.
    pub fn lang(&self) -> Option<&str> {
        self.texts.get(2)
    }
    /// The canonical URL as declared, when it is not this page.
    pub fn canonical_url(&self) -> Option<&str> {
        self.texts.get(3)
    }

    /// The page's state (a redirect wins over canonical, which wins over noindex).
    pub fn state(&self) -> PageState {
        if self.redirect_to.is_some() {
            PageState::Redirect
        } else if self.canonical.is_some() {
            PageState::Canonicalised
        } else if self.noindex {
            PageState::Noindex
        } else if self.visited {
            PageState::Visited
        } else {
            PageState::Discovered
        }
    }
}

/// Per-visit counts, returned by [`SiteGraph::ingest`].
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestSummary {
    /// The page's normalised URL.
    pub url: String,
    /// Links read.
    pub links: u32,
    /// Internal link occurrences kept.
    pub internal: u32,
    /// External link occurrences.
    pub external: u32,
    /// Non-navigational links (mailto…).
    pub non_navigational: u32,
    /// Links whose href could not be parsed.
    pub invalid: u32,
    /// Always false for an accepted observation (kept for the protocol).
    pub out_of_scope: bool,
}

/// Interns anchor strings: each text is stored once, in one arena.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    buf: String,
    /// End offset in `buf` of each string, by id.
    ends: Vec<usize>,
    /// Ids, keyed by their string: the first `indexed` ids. A restore appends the
    /// snapshot's strings without them ([`Interner::push_unindexed`]); the first lookup
    /// adds the rest (a woken worker's first answer needs none).
    table: HashTable<u32>,
    indexed: usize,
}

fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

/// The hash of a key in the anchor and page tables, from its bytes.
fn hash_bytes(b: &[u8]) -> u64 {
    FxBuildHasher.hash_one(b)
}

/// `a == b`, eight bytes at a time: in wasm, `memcmp` is a loop over single bytes, and
/// every link ingested compares its target's URL and its anchor text once.
#[inline]
pub(crate) fn str_eq(a: &str, b: &str) -> bool {
    bytes_eq(a.as_bytes(), b.as_bytes())
}

/// [`str_eq`] of bytes.
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        if x.try_into().ok().map(u64::from_ne_bytes) != y.try_into().ok().map(u64::from_ne_bytes) {
            return false;
        }
    }
    ca.remainder() == cb.remainder()
}

/// The stored keys equal to each of `keys`, looked up in phases over all keys rather than
/// one key after the other: every lookup waits on memory three times in a row (the table's
/// slot, then where its string is, then the string), and a pass that makes only one of
/// those waits per key lets the processor overlap the waits of many keys. `place` gives
/// where a stored id's key is (loading that, not the key's bytes). Returns, for each key,
/// the id of the stored key equal to it, if any.
fn find_batch<'s, K: AsRef<[u8]>>(
    table: &HashTable<u32>,
    keys: &[K],
    place: impl Fn(u32) -> &'s [u8],
) -> Vec<Option<u32>> {
    // 1. Hashes, then the candidates each hash's probe sequence holds (ids whose tag
    //    matches; almost always one, the key itself).
    let hashes: Vec<u64> = keys.iter().map(|k| hash_bytes(k.as_ref())).collect();
    let mut cands: Vec<u32> = Vec::with_capacity(keys.len() + keys.len() / 8);
    let mut firsts: Vec<u32> = Vec::with_capacity(keys.len() + 1);
    for &h in &hashes {
        firsts.push(u32::try_from(cands.len()).unwrap_or(u32::MAX));
        table.find(h, |&id| {
            cands.push(id);
            false
        });
    }
    firsts.push(u32::try_from(cands.len()).unwrap_or(u32::MAX));
    // 2. Where each candidate's key is.
    let places: Vec<&[u8]> = cands.iter().map(|&id| place(id)).collect();
    // 3. The key itself.
    keys.iter()
        .enumerate()
        .map(|(k, key)| {
            let (a, b) = (firsts[k] as usize, firsts[k + 1] as usize);
            (a..b)
                .find(|&c| bytes_eq(places[c], key.as_ref()))
                .map(|c| cands[c])
        })
        .collect()
}

/// The bytes of string `id` in an arena, found without reading them.
fn arena_bytes<'a>(buf: &'a str, ends: &[usize], id: u32) -> &'a [u8] {
    let i = id as usize;
    let Some(&end) = ends.get(i) else {
        return &[];
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    buf.as_bytes().get(start..end).unwrap_or(&[])
}

fn arena_get<'a>(buf: &'a str, ends: &[usize], id: u32) -> &'a str {
    let i = id as usize;
    let Some(&end) = ends.get(i) else {
        return "";
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    buf.get(start..end).unwrap_or("")
}

impl Interner {
    /// The id of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.index_rest();
        let h = hash_str(s);
        let Interner {
            buf, ends, table, ..
        } = self;
        if let Some(&id) = table.find(h, |&id| str_eq(arena_get(buf, ends, id), s)) {
            return id;
        }
        let id = u32::try_from(ends.len()).unwrap_or(u32::MAX);
        buf.push_str(s);
        ends.push(buf.len());
        table.insert_unique(h, id, |&id| hash_str(arena_get(buf, ends, id)));
        self.indexed = self.ends.len();
        id
    }
    /// Appends `s` as the next id without looking it up or indexing it (a restore: the
    /// snapshot's strings, written by an interner, are distinct). The next lookup indexes
    /// it; were it a repeat (a hand-edited snapshot), both ids keep the text and lookups
    /// find one of them.
    pub(crate) fn push_unindexed(&mut self, s: &str) {
        self.buf.push_str(s);
        self.ends.push(self.buf.len());
    }
    /// Indexes the strings appended by [`Interner::push_unindexed`].
    fn index_rest(&mut self) {
        if self.indexed == self.ends.len() {
            return;
        }
        let Interner {
            buf,
            ends,
            table,
            indexed,
        } = self;
        table.reserve(ends.len() - *indexed, |&id| {
            hash_str(arena_get(buf, ends, id))
        });
        for id in *indexed..ends.len() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let h = hash_bytes(arena_bytes(buf, ends, id));
            table.insert_unique(h, id, |&id| hash_str(arena_get(buf, ends, id)));
        }
        *indexed = ends.len();
    }
    /// The ids of `names`, in order, adding the new ones (in order): as [`Interner::intern`]
    /// of each, with the lookups made in phases over all names (see [`find_batch`]).
    pub fn intern_all(&mut self, names: &[&str]) -> Vec<u32> {
        self.index_rest();
        let found = {
            let Interner {
                buf, ends, table, ..
            } = &*self;
            find_batch(table, names, |id| arena_bytes(buf, ends, id))
        };
        found
            .into_iter()
            .zip(names)
            .map(|(f, n)| f.unwrap_or_else(|| self.intern(n)))
            .collect()
    }
    /// The id of `s`, if interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.table
            .find(hash_str(s), |&id| str_eq(self.get(id), s))
            .copied()
            .or_else(|| {
                // Not indexed yet: the strings appended since, in order.
                (self.indexed..self.ends.len())
                    .map(|id| u32::try_from(id).unwrap_or(u32::MAX))
                    .find(|&id| str_eq(self.get(id), s))
            })
    }
    /// The string of `id` (empty for an unknown id).
    pub fn get(&self, id: u32) -> &str {
        arena_get(&self.buf, &self.ends, id)
    }
    /// How many strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    /// No strings yet.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    /// Reserves room for `n` more strings (not in the table: see
    /// [`Interner::push_unindexed`]).
    pub(crate) fn reserve(&mut self, n: usize) {
        self.ends.reserve_exact(n);
    }
    /// Releases spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
        self.ends.shrink_to_fit();
        let Interner {
            buf, ends, table, ..
        } = self;
        table.shrink_to_fit(|&id| hash_str(arena_get(buf, ends, id)));
    }
}

/// Reasonable-surfer weight of one occurrence: region weight, 0 when hidden.
pub fn occurrence_weight(weights: &RegionWeights, region: Region, visible: bool) -> f32 {
    if !visible {
        return 0.0;
    }
    weights.get(region)
}

/// Weights of the prominence model by region (documented in README.md).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegionWeights {
    /// `<main>`/`<article>`.
    pub main: f32,
    /// No landmark.
    pub other: f32,
    /// `<aside>`.
    pub aside: f32,
    /// `<header>`.
    pub header: f32,
    /// `<nav>`.
    pub nav: f32,
    /// `<footer>`.
    pub footer: f32,
}

impl Default for RegionWeights {
    fn default() -> Self {
        RegionWeights {
            main: 1.0,
            other: 0.7,
            aside: 0.4,
            header: 0.3,
            nav: 0.25,
            footer: 0.1,
        }
    }
}

impl RegionWeights {
    /// The weight of `region`.
    pub fn get(&self, region: Region) -> f32 {
        let w = match region {
            Region::Main => self.main,
            Region::Other => self.other,
            Region::Aside => self.aside,
            Region::Header => self.header,
            Region::Nav => self.nav,
            Region::Footer => self.footer,
        };
        if w.is_finite() && w > 0.0 {
            w
        } else {
            0.0
        }
    }
}

/// One page slot: the page and its out-links, sorted by target.
#[derive(Debug, Clone)]
struct Node {
    page: Page,
    links: Links,
}

/// A page's out-links: the target index of each occurrence, ascending (an edge is a run of
/// equal targets), and the occurrences, parallel (page order within a run).
#[derive(Debug, Clone)]
enum Links {
    /// In two blocks of the page's own (as a visit or an import sets them).
    Own {
        targets: Box<[u32]>,
        occs: Box<[Occurrence]>,
    },
    /// A range of the graph's shared arrays (as a restore reads them: see [`Shared`]).
    Shared { at: u32, len: u32 },
}

impl Links {
    /// No links (no allocation).
    fn none() -> Links {
        Links::Own {
            targets: Box::new([]),
            occs: Box::new([]),
        }
    }
}

/// The out-links of the pages a restore read, in two arrays for the whole site: a restore
/// fills them in two blocks instead of two blocks per page (fewer allocations and less
/// memory, which in a woken worker is memory written for the first time). A visit gives the
/// page links of its own and leaves its range dead; once half of the arrays is dead, the
/// pages still in them get their own blocks and the arrays are freed.
#[derive(Debug, Clone, Default)]
struct Shared {
    targets: Vec<u32>,
    occs: Vec<Occurrence>,
    /// Entries no page holds any more.
    dead: usize,
}

impl Shared {
    /// The targets and occurrences of `links`.
    fn get<'a>(&'a self, links: &'a Links) -> (&'a [u32], &'a [Occurrence]) {
        match links {
            Links::Own { targets, occs } => (targets, occs),
            Links::Shared { at, len } => {
                let r = *at as usize..(*at + *len) as usize;
                (
                    self.targets.get(r.clone()).unwrap_or(&[]),
                    self.occs.get(r).unwrap_or(&[]),
                )
            }
        }
    }
}

/// Out-links replaced by a visit: the page and its links before the change.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// The page whose out-links changed.
    pub(crate) page: u32,
    /// Its former targets (sorted) and occurrences.
    pub(crate) targets: Box<[u32]>,
    pub(crate) occs: Box<[Occurrence]>,
}

/// Beyond this many logged changes, the log is dropped (a structural change).
const MAX_LOG: usize = 256;

/// The log also holds at most this many former occurrences, or an eighth of the graph's
/// when that is more: a large page visited again and again with no analysis catching up
/// would otherwise keep up to [`MAX_LOG`] copies of its links alive.
const MAX_LOG_OCCS: usize = 1 << 16;

/// The inlinks of every page: a transposed index of the edges, built on demand.
#[derive(Debug, Clone, Default)]
struct InIndex {
    /// Start of each target's entries in `src`/`at` (length: index bound + 1).
    start: Vec<u32>,
    /// Source index of each (source, target) pair, ascending per target.
    src: Vec<u32>,
    /// Where the pair's run starts in the source's out-links.
    at: Vec<u32>,
    /// The graph's log position this index reflects.
    log: (u64, u64),
}

/// The link graph of one site.
#[derive(Debug, Clone)]
pub struct SiteGraph {
    nodes: Vec<Option<Node>>,
    /// Distinct sources linking to each slot (self-links included).
    in_pairs: Vec<u32>,
    /// Vacant slots, reused last-freed first.
    free: Vec<u32>,
    live: usize,
    pairs: usize,
    occurrences: usize,
    /// Page ids keyed by their page's URL (each URL is stored once, in its page).
    index: HashTable<u32>,
    inl: OnceCell<InIndex>,
    /// The index of an earlier generation, patched rather than rebuilt when only out-links
    /// changed since.
    inl_prev: RefCell<Option<InIndex>>,
    /// One page's inlinks were found by a scan since the index was last dropped: the next
    /// query builds the index (see [`SiteGraph::inlinks`]).
    scanned: Cell<bool>,
    /// Out-links replaced since the last structural change (see [`Change`]).
    log: Vec<Change>,
    /// Position of `log[0]` in the whole history of changes.
    log_base: u64,
    /// Occurrences held by `log`.
    log_occs: usize,
    /// Bumped by every change that is more than out-links of existing pages and new pages
    /// appended at the end (see [`SiteGraph::changes_since`]).
    epoch: u64,
    /// The out-links of restored pages (see [`Shared`]).
    shared: Shared,
    pub(crate) anchors: Interner,
    pub(crate) norm: Normalizer,
    /// Bumped on every change; caches compare it.
    pub(crate) generation: u64,
}

fn node_url(nodes: &[Option<Node>], i: u32) -> &str {
    nodes
        .get(i as usize)
        .and_then(Option::as_ref)
        .map_or("", |n| &n.page.url)
}

/// The edges of sorted out-links: `(target, start, end)` of each run.
pub(crate) fn runs(targets: &[u32]) -> impl Iterator<Item = (u32, usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let &t = targets.get(i)?;
        let start = i;
        i += 1;
        while targets.get(i) == Some(&t) {
            i += 1;
        }
        Some((t, start, i))
    })
}

/// Adds the edges of source `s` to the inlink index being built. One call per page:
/// V8 optimises a wasm function only for its later calls.
#[inline(never)]
fn fill_inlinks(s: u32, targets: &[u32], fill: &mut [u32], src: &mut [u32], at: &mut [u32]) {
    for (t, a, _) in runs(targets) {
        if let Some(p) = fill.get_mut(t as usize) {
            let k = *p as usize;
            if let (Some(x), Some(y)) = (src.get_mut(k), at.get_mut(k)) {
                *x = s;
                *y = a as u32;
            }
            *p += 1;
        }
    }
}

/// Distinct values of a sorted slice.
fn distinct(targets: &[u32]) -> impl Iterator<Item = u32> + '_ {
    runs(targets).map(|(t, _, _)| t)
}

fn parse_robots(s: &str) -> (bool, bool) {
    let lower = s.to_ascii_lowercase();
    let mut noindex = false;
    let mut nofollow = false;
    for tok in lower.split(|c: char| c == ',' || c.is_whitespace()) {
        match tok {
            "noindex" => noindex = true,
            "nofollow" => nofollow = true,
            "none" => {
                noindex = true;
                nofollow = true;
            }
            _ => {}
        }
    }
    (noindex, nofollow)
}

fn rel_flags(rel: Option<&str>) -> u8 {
    let mut f = 0;
    if let Some(rel) = rel {
        for tok in rel.split_ascii_whitespace() {
            if tok.eq_ignore_ascii_case("nofollow") {
                f |= flags::REL_NOFOLLOW;
            } else if tok.eq_ignore_ascii_case("ugc") {
                f |= flags::REL_UGC;
            } else if tok.eq_ignore_ascii_case("sponsored") {
                f |= flags::REL_SPONSORED;
            }
        }
    }
    f
}

/// Sums the weight of each external target in first-seen order (in f64, then rounded).
fn external_sum(order: &[String], max: &HashMap<String, f32>) -> f32 {
    // Starts from +0.0: an empty f64 sum is -0.0, which the import would turn into 0.0.
    order
        .iter()
        .map(|k| f64::from(max.get(k).copied().unwrap_or(0.0)))
        .fold(0.0f64, |a, b| a + b) as f32
}

fn opt_trim<'a>(s: &'a Option<Text<'_>>) -> Option<&'a str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SiteGraph {
    /// An empty graph for the site of `norm`.
    pub fn new(norm: Normalizer) -> Self {
        SiteGraph {
            nodes: Vec::new(),
            in_pairs: Vec::new(),
            free: Vec::new(),
            live: 0,
            pairs: 0,
            occurrences: 0,
            index: HashTable::new(),
            inl: OnceCell::new(),
            inl_prev: RefCell::new(None),
            scanned: Cell::new(false),
            log: Vec::new(),
            log_base: 0,
            log_occs: 0,
            epoch: 0,
            shared: Shared::default(),
            anchors: Interner::default(),
            norm,
            generation: 0,
        }
    }

    /// The normaliser (site root and rules).
    pub fn normalizer(&self) -> &Normalizer {
        &self.norm
    }

    /// Number of known pages.
    pub fn page_count(&self) -> usize {
        self.live
    }

    /// Number of (source, target) edges.
    pub fn edge_count(&self) -> usize {
        self.pairs
    }

    /// Number of link occurrences.
    pub fn occurrence_count(&self) -> usize {
        self.occurrences
    }

    fn node(&self, id: PageId) -> Option<&Node> {
        self.nodes.get(id.index()).and_then(Option::as_ref)
    }

    /// The page with this id.
    pub fn page(&self, id: PageId) -> Option<&Page> {
        self.node(id).map(|n| &n.page)
    }

    /// The page with this id, to change its fields (not its URL).
    pub(crate) fn page_mut(&mut self, id: PageId) -> Option<&mut Page> {
        self.structural();
        self.nodes
            .get_mut(id.index())
            .and_then(Option::as_mut)
            .map(|n| &mut n.page)
    }

    /// Is `id` a page of the graph?
    pub fn contains(&self, id: PageId) -> bool {
        self.node(id).is_some()
    }

    /// The id of a normalised URL.
    pub fn id_of(&self, normalized_url: &str) -> Option<PageId> {
        let nodes = &self.nodes;
        self.index
            .find(hash_str(normalized_url), |&i| {
                str_eq(node_url(nodes, i), normalized_url)
            })
            .map(|&i| PageId::new(i as usize))
    }

    /// Normalises `url` and looks it up.
    pub fn find(&self, url: &str) -> Result<Option<PageId>> {
        let n = self.norm.normalize(url)?;
        Ok(self.id_of(&n))
    }

    /// The text of an interned anchor.
    pub fn anchor_text(&self, id: u32) -> &str {
        self.anchors.get(id)
    }

    /// All page ids, in index order.
    pub fn page_ids(&self) -> impl Iterator<Item = PageId> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_some())
            .map(|(i, _)| PageId::new(i))
    }

    /// Outgoing edges of a page, by ascending target index: (target, edge).
    pub fn outlinks(&self, id: PageId) -> impl Iterator<Item = (PageId, LinkEdge<'_>)> + '_ {
        let (targets, occs) = self.out_slices(id);
        runs(targets).map(move |(t, a, b)| {
            (
                PageId::new(t as usize),
                LinkEdge {
                    occurrences: &occs[a..b],
                },
            )
        })
    }

    /// The raw out-links of a page: each occurrence's target index (ascending) and the
    /// occurrences, parallel.
    pub(crate) fn out_slices(&self, id: PageId) -> (&[u32], &[Occurrence]) {
        self.node(id)
            .map_or((&[], &[]), |n| self.shared.get(&n.links))
    }

    /// Number of distinct pages linking to `id` (itself included when it links to itself).
    pub fn in_degree(&self, id: PageId) -> usize {
        self.in_pairs.get(id.index()).map_or(0, |&d| d as usize)
    }

    fn in_index(&self) -> &InIndex {
        self.inl.get_or_init(|| {
            let prev = self.inl_prev.borrow_mut().take();
            if let Some(prev) = prev {
                if let Some(changes) = self.first_changes_since(prev.log) {
                    return self.patch_in_index(prev, changes);
                }
            }
            self.build_in_index()
        })
    }

    fn build_in_index(&self) -> InIndex {
        let bound = self.nodes.len();
        let mut start = vec![0u32; bound + 1];
        for (i, d) in self.in_pairs.iter().enumerate() {
            start[i + 1] = start[i] + d;
        }
        let mut fill = start.clone();
        let total = start[bound] as usize;
        let mut src = vec![0u32; total];
        let mut at = vec![0u32; total];
        for (s, n) in self.nodes.iter().enumerate() {
            if let Some(n) = n {
                let (targets, _) = self.shared.get(&n.links);
                fill_inlinks(s as u32, targets, &mut fill, &mut src, &mut at);
            }
        }
        InIndex {
            start,
            src,
            at,
            log: self.log_position(),
        }
    }

    /// The index after `changes` (out-links replaced, pages appended): the changed sources'
    /// entries are replaced, the rest copied in bulk. Equals [`SiteGraph::build_in_index`].
    fn patch_in_index(&self, prev: InIndex, changes: Vec<&Change>) -> InIndex {
        let bound = self.nodes.len();
        // (target, source, Some(run start)) adds, None removes; by (target, source).
        let mut ops: Vec<(u32, u32, Option<u32>)> = Vec::new();
        for ch in changes {
            ops.extend(distinct(&ch.targets).map(|t| (t, ch.page, None)));
            let (targets, _) = self.out_slices(PageId::new(ch.page as usize));
            ops.extend(runs(targets).map(|(t, a, _)| (t, ch.page, Some(a as u32))));
        }
        // A removal and an add of one pair: the add wins (sorted after the removal).
        ops.sort_unstable_by_key(|&(t, s, a)| (t, s, a.is_some()));
        let InIndex {
            start: old_start,
            src: old_src,
            at: old_at,
            ..
        } = prev;
        let old_bound = old_start.len() - 1;
        let last = old_start[old_bound];
        let row = |t: usize| -> (usize, usize) {
            if t < old_bound {
                (old_start[t] as usize, old_start[t + 1] as usize)
            } else {
                (last as usize, last as usize)
            }
        };
        let cap = old_src.len() + ops.len();
        let (mut start, mut src, mut at) = (
            Vec::with_capacity(bound + 1),
            Vec::with_capacity(cap),
            Vec::with_capacity(cap),
        );
        let mut k_op = 0;
        for t in 0..bound {
            start.push(src.len() as u32);
            let (a, b) = row(t);
            if ops.get(k_op).is_none_or(|o| o.0 as usize != t) {
                src.extend_from_slice(&old_src[a..b]);
                at.extend_from_slice(&old_at[a..b]);
                continue;
            }
            let mut k = a;
            while let Some(&(_, s, add)) = ops.get(k_op).filter(|o| o.0 as usize == t) {
                while k < b && old_src[k] < s {
                    src.push(old_src[k]);
                    at.push(old_at[k]);
                    k += 1;
                }
                if k < b && old_src[k] == s {
                    k += 1; // replaced or removed
                }
                if let Some(p) = add {
                    src.push(s);
                    at.push(p);
                }
                k_op += 1;
            }
            src.extend_from_slice(&old_src[k..b]);
            at.extend_from_slice(&old_at[k..b]);
        }
        start.push(src.len() as u32);
        InIndex {
            start,
            src,
            at,
            log: self.log_position(),
        }
    }

    /// Incoming edges of a page, by ascending source index: (source, edge).
    ///
    /// The first query with no inlink index to use or patch (after a restore, an import, a
    /// structural change) is answered by a binary search in every page's sorted targets
    /// (~2 ms at 100k pages, natively), so the first report after a wake does not wait for
    /// the index (~14 ms natively, more in a woken worker's baseline code); the next query
    /// builds the index, which answers in microseconds (and after visits is patched).
    pub fn inlinks(&self, id: PageId) -> impl Iterator<Item = (PageId, LinkEdge<'_>)> + '_ {
        let scan = self.inl.get().is_none()
            && self.inl_prev.borrow().is_none()
            && !self.scanned.replace(true);
        let (by_scan, by_index) = if scan {
            (Some(self.inlinks_by_scan(id)), None)
        } else {
            (None, Some(self.inlinks_by_index(id)))
        };
        by_scan
            .into_iter()
            .flatten()
            .chain(by_index.into_iter().flatten())
    }

    /// [`SiteGraph::inlinks`] from the index.
    fn inlinks_by_index(&self, id: PageId) -> impl Iterator<Item = (PageId, LinkEdge<'_>)> + '_ {
        let ix = self.in_index();
        let t = id.index();
        let (a, b) = match (ix.start.get(t), ix.start.get(t + 1)) {
            (Some(&a), Some(&b)) if self.contains(id) => (a as usize, b as usize),
            _ => (0, 0),
        };
        (a..b).filter_map(move |k| {
            let s = ix.src[k];
            let n = self.nodes.get(s as usize)?.as_ref()?;
            let (targets, occs) = self.shared.get(&n.links);
            let from = ix.at[k] as usize;
            let len = targets
                .get(from..)?
                .iter()
                .take_while(|&&x| x as usize == t)
                .count();
            Some((
                PageId::new(s as usize),
                LinkEdge {
                    occurrences: occs.get(from..from + len)?,
                },
            ))
        })
    }

    /// [`SiteGraph::inlinks`] by a binary search in every page's sorted targets.
    fn inlinks_by_scan(&self, id: PageId) -> impl Iterator<Item = (PageId, LinkEdge<'_>)> + '_ {
        let t = id.index() as u32;
        let live = self.contains(id);
        self.nodes
            .iter()
            .enumerate()
            .filter(move |_| live)
            .filter_map(move |(s, n)| {
                let (targets, occs) = self.shared.get(&n.as_ref()?.links);
                let from = targets.partition_point(|&x| x < t);
                let len = targets[from..].iter().take_while(|&&x| x == t).count();
                (len > 0).then(|| {
                    (
                        PageId::new(s),
                        LinkEdge {
                            occurrences: &occs[from..from + len],
                        },
                    )
                })
            })
    }

    /// Is the inlink index built (for tests)?
    #[cfg(test)]
    pub(crate) fn inlink_index_built(&self) -> bool {
        self.inl.get().is_some()
    }

    /// Upper bound of the node index space (for dense per-page vectors).
    pub fn index_bound(&self) -> usize {
        self.nodes.len()
    }

    /// Marks the graph changed: caches and the inlink index are stale (the index is kept to
    /// be patched).
    fn touch(&mut self) {
        self.generation += 1;
        if let Some(ix) = self.inl.take() {
            *self.inl_prev.get_mut() = Some(ix);
        }
    }

    /// Marks a change that incremental analyses cannot follow (pages removed or reused,
    /// redirects, canonicals, imports): they start over.
    pub(crate) fn structural(&mut self) {
        self.touch();
        self.inl_prev.get_mut().take();
        self.scanned.set(false);
        self.epoch += 1;
        self.log_base += self.log.len() as u64;
        self.log.clear();
        self.log_occs = 0;
    }

    /// Drops the logged changes no analysis needs any more: those before the earliest of
    /// `needed` (the log positions the caller's analyses reflect) and of the inlink index.
    /// Positions of an earlier epoch need nothing (they cannot be followed).
    pub(crate) fn release_changes(&mut self, needed: impl IntoIterator<Item = (u64, u64)>) {
        let ix = self.inl.get().map(|ix| ix.log);
        let prev = self.inl_prev.get_mut().as_ref().map(|ix| ix.log);
        let keep = needed
            .into_iter()
            .chain(ix)
            .chain(prev)
            .filter(|&(epoch, _)| epoch == self.epoch)
            .map(|(_, position)| position)
            .min()
            .unwrap_or(self.log_base + self.log.len() as u64);
        let drop = usize::try_from(keep.saturating_sub(self.log_base))
            .unwrap_or(usize::MAX)
            .min(self.log.len());
        if drop > 0 {
            self.log_occs -= self.log[..drop].iter().map(|c| c.occs.len()).sum::<usize>();
            self.log.drain(..drop);
            self.log_base += drop as u64;
        }
    }

    /// Changes and occurrences held by the change log.
    #[cfg(test)]
    pub(crate) fn log_size(&self) -> (usize, usize) {
        (self.log.len(), self.log_occs)
    }

    /// Where the change log stands: `(epoch, position)`.
    pub(crate) fn log_position(&self) -> (u64, u64) {
        (self.epoch, self.log_base + self.log.len() as u64)
    }

    /// Per page changed since `position`, its earliest logged change (its out-links as they
    /// were at `position`), in log order; `None` as for [`SiteGraph::changes_since`].
    pub(crate) fn first_changes_since(&self, at: (u64, u64)) -> Option<Vec<&Change>> {
        let mut seen = std::collections::HashSet::new();
        Some(
            self.changes_since(at)?
                .iter()
                .filter(|ch| seen.insert(ch.page))
                .collect(),
        )
    }

    /// The out-link changes since `position` (from [`SiteGraph::log_position`]), when
    /// nothing else changed since but pages appended at the end of the index space.
    /// `None` when a structural change happened since.
    pub(crate) fn changes_since(&self, (epoch, position): (u64, u64)) -> Option<&[Change]> {
        if epoch != self.epoch || position < self.log_base {
            return None;
        }
        self.log.get((position - self.log_base) as usize..)
    }

    /// Adds a page; `None` when a page with this URL exists already.
    pub(crate) fn add_page(&mut self, page: Page) -> Option<PageId> {
        let h = hash_str(&page.url);
        if self
            .index
            .find(h, |&i| node_url(&self.nodes, i) == &*page.url)
            .is_some()
        {
            return None;
        }
        let node = Node {
            page,
            links: Links::none(),
        };
        if self.free.is_empty() {
            self.touch(); // appended: incremental analyses follow it
        } else {
            self.structural();
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = Some(node);
                self.in_pairs[i as usize] = 0;
                i
            }
            None => {
                self.nodes.push(Some(node));
                self.in_pairs.push(0);
                u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.live += 1;
        let SiteGraph { index, nodes, .. } = self;
        index.insert_unique(h, i, |&j| hash_str(node_url(nodes, j)));
        Some(PageId::new(i as usize))
    }

    /// Reserves room for `pages` more pages.
    pub(crate) fn reserve_pages(&mut self, pages: usize) {
        self.nodes.reserve_exact(pages);
        self.in_pairs.reserve_exact(pages);
        let SiteGraph { index, nodes, .. } = self;
        index.reserve(pages, |&j| hash_str(node_url(nodes, j)));
    }

    /// The page's id, creating a discovered page when new.
    pub(crate) fn get_or_insert(&mut self, normalized: &str) -> PageId {
        if let Some(id) = self.id_of(normalized) {
            return id;
        }
        self.add_page(Page {
            url: normalized.into(),
            ..Page::default()
        })
        .unwrap_or_else(PageId::end)
    }

    /// [`SiteGraph::get_or_insert`] of each of `urls`, in order, with the lookups made in
    /// phases over all of them (see [`find_batch`]).
    pub(crate) fn get_or_insert_all(&mut self, urls: &[&str]) -> Vec<PageId> {
        let found = {
            let nodes = &self.nodes;
            find_batch(&self.index, urls, |i| node_url(nodes, i).as_bytes())
        };
        found
            .into_iter()
            .zip(urls)
            .map(|(f, u)| match f {
                Some(i) => PageId::new(i as usize),
                None => self.get_or_insert(u),
            })
            .collect()
    }

    /// Replaces the out-links of `id` by `links` (any order; occurrences of one target keep
    /// their relative order). Links to unknown pages are dropped. Returns the targets no
    /// longer linked.
    pub(crate) fn set_outlinks(
        &mut self,
        id: PageId,
        mut links: Vec<(u32, Occurrence)>,
    ) -> Vec<PageId> {
        links.retain(|(t, _)| self.nodes.get(*t as usize).is_some_and(Option::is_some));
        if !links.is_sorted_by_key(|(t, _)| *t) {
            links.sort_by_key(|(t, _)| *t); // stable: page order within a target
        }
        let targets: Box<[u32]> = links.iter().map(|(t, _)| *t).collect();
        let occs: Box<[Occurrence]> = links.iter().map(|(_, o)| *o).collect();
        drop(links);
        self.set_outlinks_sorted(id, targets, occs)
    }

    /// [`SiteGraph::set_outlinks`] for targets already sorted, every one a page of the graph.
    pub(crate) fn set_outlinks_sorted(
        &mut self,
        id: PageId,
        targets: Box<[u32]>,
        occs: Box<[Occurrence]>,
    ) -> Vec<PageId> {
        debug_assert!(targets.is_sorted() && targets.len() == occs.len());
        let mut former = Vec::new();
        let Some(node) = self.nodes.get_mut(id.index()).and_then(Option::as_mut) else {
            return former;
        };
        let old = std::mem::replace(&mut node.links, Links::Own { targets, occs });
        let (old_t, old_o) = self.shared.get(&old);
        let old_len = old_t.len();
        let new_t = match self.nodes.get(id.index()).and_then(Option::as_ref) {
            Some(Node {
                links: Links::Own { targets, .. },
                ..
            }) => &targets[..],
            _ => &[],
        };
        self.occurrences = self.occurrences + new_t.len() - old_len;
        // Merge the old and new distinct targets: in-degrees change only where they differ.
        {
            let mut old_d = distinct(old_t).peekable();
            let mut new_d = distinct(new_t).peekable();
            loop {
                match (old_d.peek().copied(), new_d.peek().copied()) {
                    (None, None) => break,
                    (Some(o), Some(n)) if o == n => {
                        old_d.next();
                        new_d.next();
                    }
                    (Some(o), n) if n.is_none_or(|n| o < n) => {
                        old_d.next();
                        if let Some(d) = self.in_pairs.get_mut(o as usize) {
                            *d = d.saturating_sub(1);
                        }
                        self.pairs -= 1;
                        former.push(PageId::new(o as usize));
                    }
                    (_, Some(n)) => {
                        new_d.next();
                        if let Some(d) = self.in_pairs.get_mut(n as usize) {
                            *d += 1;
                        }
                        self.pairs += 1;
                    }
                    (Some(_), None) => unreachable!("handled above"),
                }
            }
        }
        let keep = self.log.len() < MAX_LOG
            && self.log_occs + old_len <= MAX_LOG_OCCS.max(self.occurrences / 8);
        // The former links, for the log (copied out of the shared arrays, whose range is
        // then dead).
        let former_links = match old {
            Links::Own { targets, occs } => keep.then_some((targets, occs)),
            Links::Shared { .. } => {
                let copy = keep.then(|| (old_t.into(), old_o.into()));
                self.shared.dead += old_len;
                copy
            }
        };
        self.touch();
        match former_links {
            Some((targets, occs)) => {
                self.log_occs += old_len;
                self.log.push(Change {
                    page: id.index() as u32,
                    targets,
                    occs,
                });
            }
            None => self.structural(),
        }
        self.release_shared();
        former
    }

    /// The shared arrays to append a restored page's links to (see
    /// [`SiteGraph::adopt_shared`]).
    pub(crate) fn shared_mut(&mut self) -> (&mut Vec<u32>, &mut Vec<Occurrence>) {
        (&mut self.shared.targets, &mut self.shared.occs)
    }

    /// Gives page `id`, which has no out-links, the links appended to the shared arrays
    /// from `at` on (see [`Shared`]); every target must be a page of the graph, as for
    /// [`SiteGraph::set_outlinks_sorted`]. `false`, changing nothing, unless they are sorted
    /// by target, within the index space and the arrays are as long as each other.
    pub(crate) fn adopt_shared(&mut self, id: PageId, at: usize) -> bool {
        let (Some(targets), Some(occs)) =
            (self.shared.targets.get(at..), self.shared.occs.get(at..))
        else {
            return false;
        };
        let nodes = &self.nodes;
        let fits = targets.len() == occs.len()
            && targets.is_sorted()
            && targets.last().is_none_or(|&t| (t as usize) < nodes.len());
        debug_assert!(targets
            .iter()
            .all(|&t| nodes.get(t as usize).is_some_and(Option::is_some)));
        let (Ok(at32), Ok(len32)) = (u32::try_from(at), u32::try_from(targets.len())) else {
            return false;
        };
        if !fits || at32.checked_add(len32).is_none() {
            return false;
        }
        match self.nodes.get_mut(id.index()).and_then(Option::as_mut) {
            Some(n) if matches!(&n.links, Links::Own { targets, .. } if targets.is_empty()) => {
                n.links = Links::Shared {
                    at: at32,
                    len: len32,
                };
            }
            _ => return false,
        }
        for t in distinct(targets) {
            if let Some(d) = self.in_pairs.get_mut(t as usize) {
                *d += 1;
            }
            self.pairs += 1;
        }
        self.occurrences += targets.len();
        self.touch();
        true
    }

    /// Entries of the shared arrays, and how many of them are dead (for tests).
    #[cfg(test)]
    pub(crate) fn shared_size(&self) -> (usize, usize) {
        (self.shared.targets.len(), self.shared.dead)
    }

    /// Once half of the shared arrays is dead, moves the pages still in them to blocks of
    /// their own and frees the arrays (so replaced links do not hold memory for long).
    fn release_shared(&mut self) {
        let total = self.shared.targets.len();
        if total == 0 || self.shared.dead * 2 < total {
            return;
        }
        let shared = std::mem::take(&mut self.shared);
        for n in self.nodes.iter_mut().flatten() {
            if let Links::Shared { .. } = n.links {
                let (targets, occs) = shared.get(&n.links);
                n.links = Links::Own {
                    targets: targets.into(),
                    occs: occs.into(),
                };
            }
        }
    }

    /// Removes a page and its out-links (its former targets are not pruned).
    fn remove_page(&mut self, id: PageId) -> Option<Page> {
        self.node(id)?;
        self.set_outlinks_sorted(id, Box::new([]), Box::new([]));
        let node = self.nodes.get_mut(id.index())?.take()?;
        let i = id.index() as u32;
        let SiteGraph { index, nodes, .. } = self;
        if let Ok(e) = index.find_entry(hash_str(&node.page.url), |&j| j == i) {
            e.remove();
        }
        let _ = nodes;
        self.free.push(i);
        self.live -= 1;
        self.structural();
        Some(node.page)
    }

    /// Releases spare capacity (after a bulk build).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.shared.targets.shrink_to_fit();
        self.shared.occs.shrink_to_fit();
        self.in_pairs.shrink_to_fit();
        self.anchors.shrink_to_fit();
        let SiteGraph { index, nodes, .. } = self;
        index.shrink_to_fit(|&j| hash_str(node_url(nodes, j)));
    }

    /// Follows redirects (and canonicals when `canonicals`) from `id` to the page that
    /// stands for it: the end of the chain. Every page of a cycle (A → B → A) stands for
    /// the same page: the cycle's page with the smallest index stands for the whole cycle, so
    /// exactly one page of it is ranked.
    pub fn representative(&self, id: PageId, canonicals: bool) -> PageId {
        let next_of = |n: PageId| {
            self.page(n).and_then(|p| {
                p.redirect_to
                    .or(if canonicals { p.canonical } else { None })
                    .filter(|&x| x != n && self.contains(x))
            })
        };
        let Some(first) = next_of(id) else {
            return id;
        };
        let mut path = vec![id];
        // Long chains (hostile imports) switch to a set, to stay linear.
        let mut seen: Option<std::collections::HashSet<PageId>> = None;
        let mut cur = first;
        loop {
            let revisit = match &mut seen {
                Some(set) => set.contains(&cur),
                None if path.len() > 32 => {
                    seen = Some(path.iter().copied().collect());
                    path.contains(&cur)
                }
                None => path.contains(&cur),
            };
            if let Some(pos) = revisit
                .then(|| path.iter().position(|&p| p == cur))
                .flatten()
            {
                // A cycle: path[pos..] are its pages.
                return path[pos..]
                    .iter()
                    .copied()
                    .min_by_key(|p| p.index())
                    .unwrap_or(cur);
            }
            match next_of(cur) {
                Some(n) => {
                    path.push(cur);
                    if let Some(set) = &mut seen {
                        set.insert(cur);
                    }
                    cur = n;
                }
                None => return cur,
            }
        }
    }

    /// Drops discovered-only pages that nothing links to or refers to any more.
    fn prune(&mut self, candidates: Vec<PageId>, keep: PageId) {
        let stale: Vec<PageId> = candidates
            .into_iter()
            .filter(|&c| c != keep)
            .filter(|&c| {
                self.page(c)
                    .is_some_and(|p| !p.visited && p.redirect_to.is_none() && p.canonical.is_none())
                    && self.in_degree(c) == 0
            })
            .collect();
        if stale.is_empty() {
            return;
        }
        let referenced: std::collections::HashSet<PageId> = self
            .nodes
            .iter()
            .flatten()
            .flat_map(|n| [n.page.redirect_to, n.page.canonical])
            .flatten()
            .collect();
        for c in stale {
            if referenced.contains(&c) {
                continue;
            }
            self.remove_page(c);
        }
    }

    /// Replaces a page's fields and outlinks wholesale (import). Returns the former targets,
    /// to prune with [`SiteGraph::prune_stale`] once the whole import is applied.
    pub(crate) fn replace_page(
        &mut self,
        id: PageId,
        page: Page,
        links: Vec<(u32, Occurrence)>,
    ) -> Vec<PageId> {
        self.structural();
        let former = self.set_outlinks(id, links);
        if let Some(slot) = self.nodes.get_mut(id.index()).and_then(Option::as_mut) {
            // The URL is the index key: it stays.
            let url = std::mem::take(&mut slot.page.url);
            slot.page = Page { url, ..page };
        }
        former
    }

    /// Drops discovered-only pages among `candidates` that nothing links to any more.
    pub(crate) fn prune_stale(&mut self, candidates: Vec<PageId>) {
        self.prune(candidates, PageId::end());
    }

    /// [`Normalizer::classify`], refusing addresses longer than [`MAX_URL_LEN`] before and
    /// after normalisation (percent-encoding can triple a URL's length).
    fn classify_bounded(&self, href: &str, base: Option<&Url>) -> Result<Classified> {
        let too_long = || Error::InvalidUrl {
            url: crate::error::clamp_for_message(href),
            reason: format!("longer than {MAX_URL_LEN} bytes"),
        };
        if href.len() > MAX_URL_LEN {
            return Err(too_long());
        }
        match self.norm.classify(href, base)? {
            Classified::Internal { url, .. } if url.len() > MAX_URL_LEN => Err(too_long()),
            c => Ok(c),
        }
    }

    /// Adds (or replaces) one visited page, given as a [`crate::RawObservation`] or an
    /// [`ObservationRef`]. The latest visit wins: the page's outlinks are replaced, never
    /// duplicated. `weights` give external links their prominence weight.
    pub fn ingest<'a>(
        &mut self,
        obs: impl Into<ObservationRef<'a>>,
        weights: &RegionWeights,
    ) -> Result<IngestSummary> {
        self.ingest_observation(obs.into(), weights)
    }

    fn ingest_observation(
        &mut self,
        mut obs: ObservationRef<'_>,
        weights: &RegionWeights,
    ) -> Result<IngestSummary> {
        obs.clamp();
        let base = Url::parse(obs.url.trim()).map_err(|e| Error::InvalidUrl {
            url: crate::error::clamp_for_message(&obs.url),
            reason: e.to_string(),
        })?;
        let url = match self.classify_bounded(obs.url.trim(), None)? {
            Classified::Internal { url, .. } => url,
            _ => {
                return Err(Error::OutOfScope {
                    url: crate::error::clamp_for_message(&obs.url),
                    site: self.norm.root().to_string(),
                })
            }
        };
        if url.len() > MAX_URL_LEN {
            return Err(Error::InvalidObservation(format!(
                "the page address is longer than {MAX_URL_LEN} bytes"
            )));
        }
        self.generation += 1;
        let id = self.get_or_insert(&url);
        let mut former: Vec<PageId> = Vec::new();
        // Former canonical / refresh targets may be left with nothing referring to them.
        if let Some(p) = self.page(id) {
            former.extend(p.canonical);
            former.extend(p.redirect_to);
        }

        // Redirect: the requested URL becomes an alias of this page.
        if let Some(req) = obs.requested_url.as_deref() {
            if let Ok(Classified::Internal { url: r, .. }) = self.classify_bounded(req, None) {
                if r != url {
                    let rid = self.get_or_insert(&r);
                    let mut old = self.set_outlinks_sorted(rid, Box::new([]), Box::new([]));
                    if let Some(p) = self.page(rid) {
                        old.extend(p.canonical);
                        old.extend(p.redirect_to.filter(|&t| t != id));
                    }
                    if let Some(p) = self.page_mut(rid) {
                        p.redirect_to = Some(id);
                        p.meta_refresh = false;
                        p.visited = false;
                        p.canonical = None;
                        p.texts = p.texts.without_canonical_url();
                    }
                    self.prune(old, id);
                }
            }
        }

        let (noindex, nofollow) = obs
            .meta_robots
            .as_deref()
            .map_or((false, false), parse_robots);
        let canonical_target =
            obs.canonical
                .as_deref()
                .and_then(|c| match self.classify_bounded(c, Some(&base)) {
                    Ok(Classified::Internal { url: cu, .. }) if cu != url => Some(Some(cu)),
                    Ok(Classified::Internal { .. }) => None,
                    Ok(Classified::External) => Some(None),
                    _ => None,
                });
        let canonical = match &canonical_target {
            Some(Some(cu)) => Some(self.get_or_insert(cu)),
            _ => None,
        };
        let refresh =
            obs.meta_refresh
                .as_deref()
                .and_then(|m| match self.classify_bounded(m, Some(&base)) {
                    Ok(Classified::Internal { url: mu, .. }) if mu != url => Some(mu),
                    _ => None,
                });
        let refresh_id = refresh.as_deref().map(|m| self.get_or_insert(m));

        let meta_nofollow = if nofollow { flags::META_NOFOLLOW } else { 0 };
        let mut summary = IngestSummary {
            url: url.clone(),
            links: u32::try_from(obs.links.len()).unwrap_or(u32::MAX),
            ..Default::default()
        };
        let mut page_counts = Page::default();
        let mut external_max: HashMap<String, f32> = HashMap::new();
        // First-seen order of external targets, so the weight sums the same way every run.
        let mut external_order: Vec<String> = Vec::new();
        // Every internal occurrence in page order, its anchor and target still as text:
        // `names_targets` holds each link's anchor name then its target URL, one link after
        // the other, and `pending` each occurrence with the ends of its name and its URL in
        // that buffer. The lookups (anchor id, page id) come after the loop, in phases over
        // all links (`intern_all`, `get_or_insert_all`: see `find_batch`), so that the
        // processor overlaps the memory waits of different links.
        let mut pending: Vec<(Occurrence, u32, u32)> = Vec::with_capacity(obs.links.len());
        let mut names_targets = String::new();
        // One cache (repeated or relative hrefs) and one URL buffer for the whole page.
        let mut cache = ClassifyCache::new();
        let mut target = String::new();
        // The anchor rules compare a name with the href as the browser resolved it: links
        // the content script sent root-relative (`/docs/a`) get their origin back.
        let origin = base.origin().ascii_serialization();
        let mut absolute = String::new();
        for (i, link) in obs.links.iter().enumerate() {
            // As classify_bounded: hrefs and internal URLs longer than MAX_URL_LEN are invalid.
            let scope = if link.href.len() > MAX_URL_LEN {
                None
            } else {
                match self
                    .norm
                    .classify_into(&link.href, Some(&base), &mut cache, &mut target)
                {
                    Ok(Scope::Internal { .. }) if target.len() > MAX_URL_LEN => None,
                    Ok(s) => Some(s),
                    Err(_) => None,
                }
            };
            let Some(classified) = scope else {
                page_counts.invalid_links += 1;
                summary.invalid += 1;
                continue;
            };
            let rel = rel_flags(link.rel.as_deref());
            let visible = link.visible.unwrap_or(true);
            let region = link.region.unwrap_or_default();
            match classified {
                Scope::NonNavigational => {
                    page_counts.non_navigational += 1;
                    summary.non_navigational += 1;
                }
                Scope::External => {
                    page_counts.external_links += 1;
                    summary.external += 1;
                    if rel != 0 || nofollow {
                        page_counts.external_nofollow += 1;
                    }
                    let w = occurrence_weight(weights, region, visible);
                    let key = link.href.split('#').next().unwrap_or("").to_string();
                    let e = external_max.entry(key.clone()).or_insert_with(|| {
                        external_order.push(key);
                        0.0
                    });
                    if w > *e {
                        *e = w;
                    }
                }
                Scope::Internal { cross_scheme } => {
                    summary.internal += 1;
                    let parts = AnchorParts {
                        text: link.text.as_deref(),
                        alt: link.alt.as_deref(),
                        aria_label: link.aria_label.as_deref(),
                        title: link.title.as_deref(),
                        has_image: link.has_image.unwrap_or(false),
                        href: if link
                            .href
                            .strip_prefix('/')
                            .is_some_and(|r| !r.starts_with(['/', '\\']))
                        {
                            absolute.clear();
                            absolute.push_str(&origin);
                            absolute.push_str(&link.href);
                            &absolute
                        } else {
                            &link.href
                        },
                    };
                    let a = anchor::assess(
                        &parts,
                        &anchor::LighthouseContext {
                            page_url: Some(&obs.url),
                            rel: link.rel.as_deref(),
                            text_lang: obs.lang.as_deref(),
                        },
                    );
                    let name = crate::observe::clamped(&a.name, crate::observe::MAX_TEXT_LEN);
                    let quality = a.code.to_u8()
                        | if a.lighthouse_fails {
                            LIGHTHOUSE_FAILS
                        } else {
                            0
                        };
                    let mut f = rel | meta_nofollow;
                    if visible {
                        f |= flags::VISIBLE;
                    }
                    if link.in_viewport.unwrap_or(false) {
                        f |= flags::IN_VIEWPORT;
                    }
                    if cross_scheme {
                        f |= flags::CROSS_SCHEME;
                    }
                    if link.area.unwrap_or(false) {
                        f |= flags::AREA;
                    }
                    let occ = Occurrence {
                        anchor: 0, // below
                        order: link
                            .order
                            .unwrap_or_else(|| u32::try_from(i).unwrap_or(u32::MAX)),
                        region,
                        flags: f,
                        quality,
                    };
                    names_targets.push_str(name);
                    let name_end = names_targets.len();
                    names_targets.push_str(&target);
                    // Both under MAX_TEXT_LEN + MAX_URL_LEN per link, and at most
                    // MAX_LINKS links: far below u32::MAX.
                    let end = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                    pending.push((occ, end(name_end), end(names_targets.len())));
                }
            }
        }
        let (mut names, mut targets) = (
            Vec::with_capacity(pending.len()),
            Vec::with_capacity(pending.len()),
        );
        let mut start = 0;
        for &(_, name_end, target_end) in &pending {
            let (name_end, target_end) = (name_end as usize, target_end as usize);
            names.push(names_targets.get(start..name_end).unwrap_or(""));
            targets.push(names_targets.get(name_end..target_end).unwrap_or(""));
            start = target_end;
        }
        let anchor_ids = self.anchors.intern_all(&names);
        let target_ids = self.get_or_insert_all(&targets);
        let links: Vec<(u32, Occurrence)> = pending
            .into_iter()
            .zip(anchor_ids.into_iter().zip(target_ids))
            .map(|((mut occ, ..), (anchor, tid))| {
                occ.anchor = anchor;
                (tid.index() as u32, occ)
            })
            .collect();
        former.extend(self.set_outlinks(id, links));
        let before = self.page(id).map(|p| (p.redirect_to, p.canonical));
        if before != Some((refresh_id, canonical)) {
            self.structural(); // the pages ranked, or what stands for them, change
        }
        if let Some(p) = self
            .nodes
            .get_mut(id.index())
            .and_then(Option::as_mut)
            .map(|n| &mut n.page)
        {
            p.visited = true;
            p.observed_at = obs.observed_at.and_then(Timestamp::new);
            p.texts = PageTexts::new(
                opt_trim(&obs.title),
                opt_trim(&obs.h1),
                opt_trim(&obs.lang),
                canonical_target.and(opt_trim(&obs.canonical)),
            );
            p.canonical = canonical;
            p.redirect_to = refresh_id;
            p.meta_refresh = refresh_id.is_some();
            p.noindex = noindex;
            p.nofollow = nofollow;
            p.external_links = page_counts.external_links;
            p.external_nofollow = page_counts.external_nofollow;
            p.external_weight = external_sum(&external_order, &external_max);
            p.non_navigational = page_counts.non_navigational;
            p.invalid_links = page_counts.invalid_links;
            p.truncated_links = obs.truncated_links.unwrap_or(0);
        }
        self.prune(former, id);
        Ok(summary)
    }
}

/// petgraph's view of the graph: pages are nodes, (source, target) pairs are edges.
mod visit {
    use fixedbitset::FixedBitSet;
    use petgraph::visit::{
        GraphBase, IntoNeighbors, IntoNodeIdentifiers, NodeCount, NodeIndexable, Visitable,
    };

    use super::{distinct, PageId, SiteGraph};

    impl GraphBase for SiteGraph {
        type NodeId = PageId;
        type EdgeId = (PageId, PageId);
    }

    impl NodeIndexable for SiteGraph {
        fn node_bound(&self) -> usize {
            self.index_bound()
        }
        fn to_index(&self, a: PageId) -> usize {
            a.index()
        }
        fn from_index(&self, i: usize) -> PageId {
            PageId::new(i)
        }
    }

    impl NodeCount for SiteGraph {
        fn node_count(&self) -> usize {
            self.page_count()
        }
    }

    impl Visitable for SiteGraph {
        type Map = FixedBitSet;
        fn visit_map(&self) -> FixedBitSet {
            FixedBitSet::with_capacity(self.index_bound())
        }
        fn reset_map(&self, map: &mut FixedBitSet) {
            map.clear();
            map.grow(self.index_bound());
        }
    }

    /// The distinct targets of a page, ascending.
    pub struct Neighbors<'a>(Box<dyn Iterator<Item = u32> + 'a>);

    impl Iterator for Neighbors<'_> {
        type Item = PageId;
        fn next(&mut self) -> Option<PageId> {
            self.0.next().map(|t| PageId::new(t as usize))
        }
    }

    /// Every page id, in index order.
    pub struct NodeIds<'a>(Box<dyn Iterator<Item = PageId> + 'a>);

    impl Iterator for NodeIds<'_> {
        type Item = PageId;
        fn next(&mut self) -> Option<PageId> {
            self.0.next()
        }
    }

    impl<'a> IntoNodeIdentifiers for &'a SiteGraph {
        type NodeIdentifiers = NodeIds<'a>;
        fn node_identifiers(self) -> NodeIds<'a> {
            NodeIds(Box::new(self.page_ids()))
        }
    }

    impl<'a> IntoNeighbors for &'a SiteGraph {
        type Neighbors = Neighbors<'a>;
        fn neighbors(self, a: PageId) -> Neighbors<'a> {
            Neighbors(Box::new(distinct(self.out_slices(a).0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{RawLink, RawObservation};
    use crate::url_norm::NormalizeConfig;

    fn graph() -> SiteGraph {
        SiteGraph::new(
            Normalizer::new("https://s.test/", NormalizeConfig::default()).expect("root"),
        )
    }

    fn link(href: &str, text: &str) -> RawLink {
        RawLink {
            href: href.into(),
            text: Some(text.into()),
            ..Default::default()
        }
    }

    fn obs(url: &str, links: Vec<RawLink>) -> RawObservation {
        RawObservation {
            url: url.into(),
            links,
            ..Default::default()
        }
    }

    #[test]
    fn the_first_inlinks_query_scans_and_the_next_builds_the_index() {
        let s = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: 600,
            ..Default::default()
        });
        let site = s.site();
        let g = site.graph().clone();
        let collect = |id| -> Vec<(PageId, Vec<Occurrence>)> {
            g.inlinks(id)
                .map(|(s, e)| (s, e.occurrences.to_vec()))
                .collect()
        };
        let pages: Vec<PageId> = g.page_ids().collect();
        assert!(!g.inlink_index_built());
        let scanned = collect(pages[1]);
        assert!(!g.inlink_index_built(), "the first query scans");
        assert!(scanned.len() > 100, "a hub: {} inlinks", scanned.len());
        assert_eq!(collect(pages[1]), scanned, "the index gives the same");
        assert!(g.inlink_index_built(), "the second query builds the index");
        for &id in pages.iter().step_by(7) {
            let by_scan: Vec<_> = g
                .inlinks_by_scan(id)
                .map(|(s, e)| (s, e.occurrences.to_vec()))
                .collect();
            assert_eq!(by_scan, collect(id), "{id:?}");
        }
    }

    /// Every combination of present, absent and empty texts reads back as given, in one
    /// block; dropping the canonical URL keeps the rest.
    #[test]
    fn page_texts_keep_each_text_apart() {
        let values = [None, Some(""), Some("Tarte tatin — recette"), Some("x")];
        for mask in 0..4usize.pow(4) {
            let pick = |k: u32| values[(mask / 4usize.pow(k)) % 4];
            let (t, h, l, c) = (pick(0), pick(1), pick(2), pick(3));
            let texts = PageTexts::new(t, h, l, c);
            let page = Page {
                texts: texts.clone(),
                ..Page::default()
            };
            assert_eq!(
                (page.title(), page.h1(), page.lang(), page.canonical_url()),
                (t, h, l, c),
                "{texts:?}"
            );
            let dropped = texts.without_canonical_url();
            assert_eq!(dropped, PageTexts::new(t, h, l, None));
            assert_eq!(dropped.get(3), None);
            assert_eq!((dropped.get(0), dropped.get(1), dropped.get(2)), (t, h, l));
        }
        assert_eq!(PageTexts::default(), PageTexts::new(None, None, None, None));
    }

    #[test]
    fn timestamps_keep_every_finite_time_in_eight_bytes() {
        assert_eq!(std::mem::size_of::<Option<Timestamp>>(), 8);
        for ms in [
            0.0,
            1.0,
            -1.0,
            1.7e12,
            1.7e12 + 0.25,
            f64::MAX,
            f64::MIN,
            5e-324,
        ] {
            let t = Timestamp::new(ms).expect("finite");
            assert_eq!(t.ms().to_bits(), ms.to_bits(), "{ms}");
        }
        assert_eq!(Timestamp::new(-0.0).map(Timestamp::ms), Some(0.0));
        for ms in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Timestamp::new(ms), None);
        }
    }

    #[test]
    fn the_change_log_holds_a_bounded_number_of_former_links() {
        // A 20,000-link page visited again and again, no analysis following: without the
        // occurrence budget the log would keep 256 copies of its links (5.1M occurrences).
        let mut g = graph();
        let w = RegionWeights::default();
        let mut most = 0;
        let mut dropped = 0;
        for round in 0..40 {
            // The same targets each time (none is pruned), in another order.
            let links = (0..20_000)
                .map(|i| link(&format!("/p{}", (i + round) % 20_000), "Page"))
                .collect();
            let before = g.log_position();
            g.ingest(obs("https://s.test/sitemap", links), &w)
                .expect("ingest");
            let (len, occs) = g.log_size();
            assert!(occs <= MAX_LOG_OCCS.max(g.occurrences / 8), "{occs} held");
            assert!(len <= MAX_LOG);
            most = most.max(occs);
            dropped += usize::from(g.changes_since(before).is_none());
        }
        assert!(most >= 60_000, "the log was used ({most})");
        assert!(dropped > 5, "and dropped when full ({dropped})");
    }

    #[test]
    fn released_changes_leave_what_later_positions_need() {
        let mut g = graph();
        let w = RegionWeights::default();
        let mut positions = Vec::new();
        for round in 0..6 {
            positions.push(g.log_position());
            let links = (0..=round)
                .map(|i| link(&format!("/p{i}"), "A page"))
                .collect();
            g.ingest(obs("https://s.test/", links), &w).expect("ingest");
        }
        assert_eq!(g.log_size().0, 6);
        g.release_changes([positions[4], positions[2]]);
        // Round k replaced k former links.
        assert_eq!(
            g.log_size(),
            (4, 2 + 3 + 4 + 5),
            "the changes before position 2 went"
        );
        assert!(g.changes_since(positions[1]).is_none());
        assert_eq!(g.changes_since(positions[2]).map(<[Change]>::len), Some(4));
        // A position of an earlier epoch needs nothing; none given, nothing is kept.
        let old_epoch = (g.log_position().0.wrapping_sub(1), 0);
        g.release_changes([old_epoch]);
        assert_eq!(g.log_size(), (0, 0));
        assert_eq!(
            g.changes_since(g.log_position()).map(<[Change]>::len),
            Some(0)
        );
    }

    #[test]
    fn root_relative_hrefs_are_read_as_the_absolute_ones() {
        // Anchor texts that look like the href in one spelling or another, and generic ones
        // (Lighthouse compares the href with the page's address).
        let texts = [
            "s.test/docs/a",
            "https://s.test/docs/a",
            "/docs/a",
            "docs/a",
            "Read more",
            "Rye sourdough",
        ];
        let hrefs = [
            "https://s.test/docs/a",
            "https://s.test/",
            "https://s.test/p?x=1#y",
        ];
        let page = "https://s.test/docs/a";
        let mut links = Vec::new();
        for h in hrefs {
            for t in texts {
                links.push(link(h, t));
            }
        }
        let relative: Vec<RawLink> = links
            .iter()
            .map(|l| RawLink {
                href: l.href["https://s.test".len()..].to_string(),
                ..l.clone()
            })
            .collect();
        let qualities = |links: Vec<RawLink>| {
            let mut g = graph();
            g.ingest(obs(page, links), &RegionWeights::default())
                .expect("ingest");
            let id = g.id_of(page).expect("page");
            let (targets, occs) = g.out_slices(id);
            let named: Vec<(u32, u8, String)> = targets
                .iter()
                .zip(occs)
                .map(|(t, o)| (*t, o.quality, g.anchor_text(o.anchor).to_string()))
                .collect();
            named
        };
        let absolute = qualities(links);
        assert!(absolute
            .iter()
            .any(|(_, q, _)| q & 0x7f == AnchorCode::NakedUrl.to_u8()));
        assert!(absolute.iter().any(|(_, q, _)| q & LIGHTHOUSE_FAILS != 0));
        assert_eq!(absolute, qualities(relative));
    }

    #[test]
    fn str_eq_is_string_equality() {
        let base: String = "abcdefghijklmnopqrstuvwxyzé".into();
        for len in 0..base.len() {
            let Some(a) = base.get(..len) else { continue };
            assert!(str_eq(a, a), "{a:?} equals itself");
            assert!(!str_eq(a, &base), "{a:?} vs a longer string");
            // A difference at every position is seen.
            for i in 0..len {
                let mut b = a.as_bytes().to_vec();
                b[i] ^= 1;
                if let Ok(b) = std::str::from_utf8(&b) {
                    assert!(!str_eq(a, b), "{a:?} vs {b:?}");
                }
            }
        }
    }

    #[test]
    fn interner_stores_each_string_once_and_finds_it_again() {
        let mut i = Interner::default();
        let words: Vec<String> = (0..2000).map(|k| format!("anchor {k}")).collect();
        let ids: Vec<u32> = words.iter().map(|w| i.intern(w)).collect();
        assert_eq!(i.intern(""), 2000);
        i.shrink_to_fit();
        i.reserve(10);
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(i.intern(w), id);
            assert_eq!(i.lookup(w), Some(id));
            assert_eq!(i.get(id), w);
        }
        assert_eq!(i.lookup(""), Some(2000));
        assert_eq!(i.lookup("anchor 2000"), None);
        assert_eq!(i.len(), 2001);
    }

    /// Strings appended unindexed (as a restore appends a snapshot's anchors) are found
    /// by every lookup as if interned one by one, and new ones get the next ids; appended
    /// after indexed ones too.
    #[test]
    fn strings_appended_unindexed_are_found_as_if_interned() {
        let words: Vec<String> = (0..3000).map(|k| format!("anchor {k}")).collect();
        let mut interned = Interner::default();
        for w in &words {
            interned.intern(w);
        }
        for split in [0, 1, 1500, 3000] {
            let mut i = Interner::default();
            for w in &words[..split] {
                i.intern(w);
            }
            i.reserve(words.len() - split);
            for w in &words[split..] {
                i.push_unindexed(w);
            }
            assert_eq!(i.len(), words.len());
            assert_eq!(i.lookup("anchor 2999"), Some(2999), "split {split}");
            assert_eq!(i.lookup("anchor 3000"), None);
            let batch: Vec<&str> = ["anchor 7", "new", "anchor 2500", "new", "anchor 0"].into();
            assert_eq!(
                i.intern_all(&batch),
                [7, 3000, 2500, 3000, 0],
                "split {split}"
            );
            for (id, w) in words.iter().enumerate() {
                assert_eq!(i.intern(w), id as u32, "split {split}");
                assert_eq!(i.lookup(w), interned.lookup(w));
            }
            assert_eq!(i.intern("newer"), 3001);
        }
        // A repeated string (only a hand-edited snapshot holds one) keeps both ids' text,
        // and lookups find one of them.
        let mut i = Interner::default();
        for w in ["a", "b", "a"] {
            i.push_unindexed(w);
        }
        assert_eq!((i.get(0), i.get(2)), ("a", "a"));
        assert!(matches!(i.intern("a"), 0 | 2));
        assert_eq!(i.intern("c"), 3);
    }

    /// Keys for the batch lookups: known ones, new ones, the same new one twice, the empty
    /// string, and enough of them that many share a table tag (7 bits) with another.
    fn batch_keys(known: usize) -> (Vec<String>, Vec<String>) {
        let known: Vec<String> = (0..known).map(|k| format!("k{k}")).collect();
        let mut batch: Vec<String> = Vec::new();
        for k in 0..6000usize {
            batch.push(match k % 5 {
                0 | 1 => format!("k{}", (k * 7919) % known.len()),
                2 => format!("new {k}"),
                // The new key just before again, or another new key.
                3 => format!("new {}", k - 1 - (k / 5) % 2),
                _ => String::new(),
            });
        }
        (known, batch)
    }

    #[test]
    fn interning_in_a_batch_gives_the_ids_of_interning_one_by_one() {
        let (known, batch) = batch_keys(20_000);
        let mut one = Interner::default();
        for k in &known {
            one.intern(k);
        }
        let mut all = one.clone();
        let expected: Vec<u32> = batch.iter().map(|k| one.intern(k)).collect();
        let names: Vec<&str> = batch.iter().map(String::as_str).collect();
        assert_eq!(all.intern_all(&names), expected);
        assert_eq!(all.len(), one.len());
        for id in 0..one.len() as u32 {
            assert_eq!(all.get(id), one.get(id));
            assert_eq!(all.lookup(one.get(id)), Some(id));
        }
        assert_eq!(Interner::default().intern_all(&[]), Vec::<u32>::new());
    }

    #[test]
    fn page_lookups_in_a_batch_give_the_ids_of_lookups_one_by_one() {
        let (known, batch) = batch_keys(20_000);
        let url = |k: &String| format!("https://s.test/{k}");
        let mut one = graph();
        for k in &known {
            one.get_or_insert(&url(k));
        }
        // Vacant slots are reused by new pages: the batch must reuse them in the same order.
        for k in (0..known.len()).step_by(97) {
            one.remove_page(PageId::new(k));
        }
        let mut all = one.clone();
        let urls: Vec<String> = batch.iter().map(url).collect();
        let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
        let expected: Vec<PageId> = refs.iter().map(|u| one.get_or_insert(u)).collect();
        assert_eq!(all.get_or_insert_all(&refs), expected);
        assert_eq!(all.page_count(), one.page_count());
        for u in &refs {
            assert_eq!(all.id_of(u), one.id_of(u));
        }
    }

    #[test]
    fn every_link_of_a_long_page_keeps_its_place_and_anchor() {
        // 700 links, some external or invalid; an internal link's order (sent or not) is its
        // index among all the links, and its anchor and target are its own.
        let links: Vec<RawLink> = (0..700)
            .map(|i| match i % 7 {
                0 => link("https://elsewhere.test/x", "Out"),
                1 => link("http://[::1", "Broken"),
                _ => link(&format!("https://s.test/p{}", i % 300), &format!("P {i}")),
            })
            .collect();
        let mut g = graph();
        let s = g.ingest(
            obs("https://s.test/", links.clone()),
            &RegionWeights::default(),
        );
        let s = s.expect("ingests");
        assert_eq!((s.links, s.external, s.invalid), (700, 100, 100));
        assert_eq!(s.internal, 500);
        let home = g.id_of("https://s.test/").expect("home");
        let mut seen = 0;
        for (t, e) in g.outlinks(home) {
            let url = g.page(t).map(|p| p.url.to_string()).unwrap_or_default();
            for o in e.occurrences {
                let i = o.order as usize;
                assert_eq!(format!("https://s.test/p{}", i % 300), url, "link {i}");
                assert_eq!(g.anchor_text(o.anchor), format!("P {i}"));
                seen += 1;
            }
        }
        assert_eq!(seen, 500);
    }

    #[test]
    fn one_edge_per_pair_keeps_every_occurrence() {
        let mut g = graph();
        g.ingest(
            obs(
                "https://s.test/",
                vec![
                    link("https://s.test/a", "A one"),
                    link("https://s.test/a#x", "A two"),
                ],
            ),
            &RegionWeights::default(),
        )
        .expect("ingest");
        assert_eq!(g.page_count(), 2);
        assert_eq!(g.edge_count(), 1);
        assert_eq!(g.occurrence_count(), 2);
    }

    #[test]
    fn revisit_replaces_outlinks_and_prunes_stale_pages() {
        let mut g = graph();
        let w = RegionWeights::default();
        g.ingest(
            obs("https://s.test/", vec![link("https://s.test/a", "A")]),
            &w,
        )
        .expect("ingest");
        g.ingest(
            obs("https://s.test/", vec![link("https://s.test/b", "B")]),
            &w,
        )
        .expect("ingest");
        assert_eq!(g.edge_count(), 1);
        assert!(
            g.find("https://s.test/a").expect("ok").is_none(),
            "stale page pruned"
        );
        assert!(g.find("https://s.test/b").expect("ok").is_some());
        // Revisiting with the same links does not duplicate.
        g.ingest(
            obs("https://s.test/", vec![link("https://s.test/b", "B")]),
            &w,
        )
        .expect("ingest");
        assert_eq!(g.occurrence_count(), 1);
    }

    #[test]
    fn redirect_makes_alias() {
        let mut g = graph();
        let mut o = obs("https://s.test/new", vec![]);
        o.requested_url = Some("https://s.test/old".into());
        g.ingest(o, &RegionWeights::default()).expect("ingest");
        let old = g
            .find("https://s.test/old")
            .expect("ok")
            .expect("alias exists");
        let new = g
            .find("https://s.test/new")
            .expect("ok")
            .expect("page exists");
        assert_eq!(g.page(old).map(Page::state), Some(PageState::Redirect));
        assert_eq!(g.representative(old, false), new);
    }

    #[test]
    fn canonical_and_robots_recorded() {
        let mut g = graph();
        let mut o = obs(
            "https://s.test/p?print=1",
            vec![link("https://s.test/x", "x")],
        );
        o.canonical = Some("https://s.test/p".into());
        o.meta_robots = Some("NOINDEX, nofollow".into());
        g.ingest(o, &RegionWeights::default()).expect("ingest");
        let id = g
            .find("https://s.test/p?print=1")
            .expect("ok")
            .expect("page");
        let p = g.page(id).expect("page");
        assert_eq!(p.state(), PageState::Canonicalised);
        assert!(p.noindex && p.nofollow);
        assert!(g.outlinks(id).all(|(_, e)| !e.followed()));
    }

    #[test]
    fn external_and_non_navigational_counted_not_added() {
        let mut g = graph();
        let s = g
            .ingest(
                obs(
                    "https://s.test/",
                    vec![
                        link("https://other.test/", "o"),
                        link("mailto:x@y.z", "m"),
                        link("http://[bad", "b"),
                    ],
                ),
                &RegionWeights::default(),
            )
            .expect("ingest");
        assert_eq!((s.external, s.non_navigational, s.invalid), (1, 1, 1));
        assert_eq!(g.page_count(), 1);
    }

    #[test]
    fn out_of_scope_page_is_refused() {
        let mut g = graph();
        let e = g
            .ingest(
                obs("https://other.test/", vec![]),
                &RegionWeights::default(),
            )
            .unwrap_err();
        assert!(matches!(e, Error::OutOfScope { .. }));
        let e = g
            .ingest(obs("not a url", vec![]), &RegionWeights::default())
            .unwrap_err();
        assert!(matches!(e, Error::InvalidUrl { .. }));
    }

    /// Checks the derived structures against the out-links they are derived from.
    fn check_consistent(g: &SiteGraph) {
        let ids: Vec<PageId> = g.page_ids().collect();
        assert_eq!(ids.len(), g.page_count());
        let mut pairs = 0;
        let mut occs = 0;
        let mut expected_in: std::collections::BTreeMap<(usize, usize), Vec<Occurrence>> =
            Default::default();
        for &s in &ids {
            let url = &g.page(s).expect("page").url;
            assert_eq!(g.id_of(url), Some(s), "the index finds {url}");
            let mut last = None;
            for (t, e) in g.outlinks(s) {
                assert!(g.contains(t), "targets are pages");
                assert!(last < Some(t.index()), "one run per target, ascending");
                last = Some(t.index());
                assert!(!e.occurrences.is_empty());
                pairs += 1;
                occs += e.occurrences.len();
                expected_in.insert((t.index(), s.index()), e.occurrences.to_vec());
            }
        }
        assert_eq!(g.edge_count(), pairs);
        assert_eq!(g.occurrence_count(), occs);
        let mut seen = 0;
        for &t in &ids {
            let inl: Vec<(PageId, LinkEdge<'_>)> = g.inlinks(t).collect();
            assert_eq!(inl.len(), g.in_degree(t), "in-degree of {t:?}");
            for (s, e) in inl {
                assert_eq!(
                    expected_in.get(&(t.index(), s.index())).map(Vec::as_slice),
                    Some(e.occurrences),
                    "inlink {s:?} -> {t:?} is the out-link's run"
                );
                seen += 1;
            }
        }
        assert_eq!(seen, pairs);
        let (ix, fresh) = (g.in_index(), g.build_in_index());
        assert_eq!(
            (&ix.start, &ix.src, &ix.at),
            (&fresh.start, &fresh.src, &fresh.at),
            "the patched inlink index is the one a full build makes"
        );
    }

    #[test]
    fn layout_stays_consistent_under_revisits_redirects_and_pruning() {
        let mut g = graph();
        let w = RegionWeights::default();
        let mut rng = crate::synth::Rng::new(0x5eed);
        let mut next = |m: u64| rng.next_u64() % m;
        for round in 0..400 {
            let page = next(30);
            let links = (0..next(12))
                .map(|k| {
                    let t = next(40);
                    let mut l = link(
                        &format!("https://s.test/p{t}"),
                        &format!("to {t} {}", k % 3),
                    );
                    if next(5) == 0 {
                        l.rel = Some("nofollow".into());
                    }
                    l
                })
                .collect();
            let mut o = obs(&format!("https://s.test/p{page}"), links);
            if next(10) == 0 {
                o.requested_url = Some(format!("https://s.test/old{}", next(5)));
            }
            if next(15) == 0 {
                o.canonical = Some(format!("https://s.test/p{}", next(30)));
            }
            g.ingest(o, &w).expect("ingest");
            if round % 3 == 0 {
                check_consistent(&g);
            }
        }
        check_consistent(&g);
        // Pages removed by pruning leave slots that new pages reuse.
        assert!(g.index_bound() >= g.page_count());
    }

    #[test]
    fn petgraph_algorithms_run_on_the_graph() {
        let mut g = graph();
        let w = RegionWeights::default();
        for (p, ts) in [
            ("", vec!["a", "b"]),
            ("a", vec!["c"]),
            ("c", vec!["a"]),
            ("b", vec![]),
        ] {
            let links = ts
                .iter()
                .map(|t| link(&format!("https://s.test/{t}"), t))
                .collect();
            g.ingest(obs(&format!("https://s.test/{p}"), links), &w)
                .expect("ingest");
        }
        let root = g.find("https://s.test/").expect("ok").expect("root");
        let mut bfs = petgraph::visit::Bfs::new(&g, root);
        let mut reached = Vec::new();
        while let Some(n) = bfs.next(&g) {
            reached.push(g.page(n).expect("page").url.to_string());
        }
        reached.sort();
        assert_eq!(
            reached,
            [
                "https://s.test/",
                "https://s.test/a",
                "https://s.test/b",
                "https://s.test/c"
            ]
        );
        // a ⇄ c is the one cycle: Tarjan's strongly connected components find it.
        let sccs = petgraph::algo::tarjan_scc(&g);
        assert_eq!(sccs.iter().filter(|c| c.len() == 2).count(), 1);
        assert_eq!(sccs.len(), 3);
    }
}
