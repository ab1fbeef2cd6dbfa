//! The site graph: one node per normalised page, one edge per (source, target) pair, each edge
//! keeping every link occurrence.
//!
//! The graph is a petgraph [`StableDiGraph`], so node indices stay valid when stale pages are
//! pruned. Anchor texts are interned: navigation repeats the same few anchors on every page.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use url::Url;

use crate::anchor::{self, AnchorCode, AnchorParts};
use crate::error::{Error, Result};
use crate::observe::{RawObservation, Region, MAX_URL_LEN};
use crate::url_norm::{Classified, Normalizer};

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

/// The occurrences of one (source, target) pair, in page order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkEdge {
    /// Every occurrence, in the source page's order.
    pub occurrences: Vec<Occurrence>,
}

impl LinkEdge {
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
    /// When it was last observed (ms since epoch), if known.
    pub observed_at: Option<f64>,
    /// `<title>`.
    pub title: Option<Box<str>>,
    /// First `<h1>`.
    pub h1: Option<Box<str>>,
    /// `<html lang>`.
    pub lang: Option<Box<str>>,
    /// The canonical URL as declared, when it is not this page.
    pub canonical_url: Option<Box<str>>,
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

impl Page {
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

/// Interns anchor strings.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, u32>,
}

impl Interner {
    /// The id of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }
    /// The string of `id` (empty for an unknown id).
    pub fn get(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", |s| s)
    }
    /// How many strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }
    /// No strings yet.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
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

/// The link graph of one site.
#[derive(Debug, Clone)]
pub struct SiteGraph {
    pub(crate) g: StableDiGraph<Page, LinkEdge, u32>,
    pub(crate) index: FxHashMap<Box<str>, PageId>,
    pub(crate) anchors: Interner,
    pub(crate) norm: Normalizer,
    /// Bumped on every change; caches compare it.
    pub(crate) generation: u64,
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
    order
        .iter()
        .map(|k| f64::from(max.get(k).copied().unwrap_or(0.0)))
        .sum::<f64>() as f32
}

fn opt_box(s: &Option<String>) -> Option<Box<str>> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(Into::into)
}

impl SiteGraph {
    /// An empty graph for the site of `norm`.
    pub fn new(norm: Normalizer) -> Self {
        SiteGraph {
            g: StableDiGraph::default(),
            index: FxHashMap::default(),
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
        self.g.node_count()
    }

    /// Number of (source, target) edges.
    pub fn edge_count(&self) -> usize {
        self.g.edge_count()
    }

    /// Number of link occurrences.
    pub fn occurrence_count(&self) -> usize {
        self.g
            .edge_indices()
            .filter_map(|e| self.g.edge_weight(e))
            .map(|e| e.occurrences.len())
            .sum()
    }

    /// The page with this id.
    pub fn page(&self, id: PageId) -> Option<&Page> {
        self.g.node_weight(id)
    }

    /// The id of a normalised URL.
    pub fn id_of(&self, normalized_url: &str) -> Option<PageId> {
        self.index.get(normalized_url).copied()
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
        self.g.node_indices()
    }

    /// Outgoing edges of a page: (target, edge).
    pub fn outlinks(&self, id: PageId) -> impl Iterator<Item = (PageId, &LinkEdge)> + '_ {
        self.g
            .edges_directed(id, Direction::Outgoing)
            .map(|e| (e.target(), e.weight()))
    }

    /// Incoming edges of a page: (source, edge).
    pub fn inlinks(&self, id: PageId) -> impl Iterator<Item = (PageId, &LinkEdge)> + '_ {
        self.g
            .edges_directed(id, Direction::Incoming)
            .map(|e| (e.source(), e.weight()))
    }

    /// Upper bound of the node index space (for dense per-page vectors).
    pub fn index_bound(&self) -> usize {
        petgraph::visit::NodeIndexable::node_bound(&self.g)
    }

    /// The page's id, creating a discovered page when new.
    pub(crate) fn get_or_insert(&mut self, normalized: &str) -> PageId {
        if let Some(&id) = self.index.get(normalized) {
            return id;
        }
        let id = self.g.add_node(Page {
            url: normalized.into(),
            ..Page::default()
        });
        self.index.insert(normalized.into(), id);
        id
    }

    /// Follows redirects (and canonicals when `canonicals`) from `id` to the page that
    /// stands for it: the end of the chain. Every page of a cycle (A → B → A) stands for
    /// the same page: the cycle's page with the smallest index stands for the whole cycle, so
    /// exactly one page of it is ranked.
    pub fn representative(&self, id: PageId, canonicals: bool) -> PageId {
        let next_of = |n: PageId| {
            self.g.node_weight(n).and_then(|p| {
                p.redirect_to
                    .or(if canonicals { p.canonical } else { None })
                    .filter(|&x| x != n && self.g.contains_node(x))
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

    /// Removes every outgoing edge of `id`; returns the former targets.
    fn clear_outlinks(&mut self, id: PageId) -> Vec<PageId> {
        let mut former = Vec::new();
        while let Some(e) = self
            .g
            .edges_directed(id, Direction::Outgoing)
            .next()
            .map(|e| e.id())
        {
            if let Some((_, t)) = self.g.edge_endpoints(e) {
                former.push(t);
            }
            self.g.remove_edge(e);
        }
        former
    }

    /// Drops discovered-only pages that nothing links to or refers to any more.
    fn prune(&mut self, candidates: Vec<PageId>, keep: PageId) {
        let stale: Vec<PageId> = candidates
            .into_iter()
            .filter(|&c| c != keep)
            .filter(|&c| {
                self.g
                    .node_weight(c)
                    .is_some_and(|p| !p.visited && p.redirect_to.is_none() && p.canonical.is_none())
                    && self
                        .g
                        .edges_directed(c, Direction::Incoming)
                        .next()
                        .is_none()
            })
            .collect();
        if stale.is_empty() {
            return;
        }
        let referenced: std::collections::HashSet<PageId> = self
            .g
            .node_weights()
            .flat_map(|p| [p.redirect_to, p.canonical])
            .flatten()
            .collect();
        for c in stale {
            if referenced.contains(&c) {
                continue;
            }
            if let Some(p) = self.g.remove_node(c) {
                self.index.remove(&p.url);
            }
        }
    }

    /// Replaces a page's fields and outlinks wholesale (import). Returns the former targets,
    /// to prune with [`SiteGraph::prune_stale`] once the whole import is applied.
    pub(crate) fn replace_page(
        &mut self,
        id: PageId,
        page: Page,
        edges: Vec<(PageId, LinkEdge)>,
    ) -> Vec<PageId> {
        self.generation += 1;
        let former = self.clear_outlinks(id);
        if let Some(slot) = self.g.node_weight_mut(id) {
            *slot = page;
        }
        for (t, e) in edges {
            if self.g.contains_node(t) {
                self.g.add_edge(id, t, e);
            }
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

    /// Adds (or replaces) one visited page. The latest visit wins: the page's outlinks are
    /// replaced, never duplicated. `weights` give external links their prominence weight.
    pub fn ingest(
        &mut self,
        mut obs: RawObservation,
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
        // The outlinks of the previous visit, replaced in place below: a revisit that keeps
        // its navigation links never unlinks them from the hubs' long inlink lists.
        let existing: FxHashMap<PageId, petgraph::stable_graph::EdgeIndex<u32>> = self
            .g
            .edges_directed(id, Direction::Outgoing)
            .map(|e| (e.target(), e.id()))
            .collect();
        let mut former: Vec<PageId> = Vec::new();
        // Former canonical / refresh targets may be left with nothing referring to them.
        if let Some(p) = self.g.node_weight(id) {
            former.extend(p.canonical);
            former.extend(p.redirect_to);
        }

        // Redirect: the requested URL becomes an alias of this page.
        if let Some(req) = obs.requested_url.as_deref() {
            if let Ok(Classified::Internal { url: r, .. }) = self.classify_bounded(req, None) {
                if r != url {
                    let rid = self.get_or_insert(&r);
                    let mut old = self.clear_outlinks(rid);
                    if let Some(p) = self.g.node_weight(rid) {
                        old.extend(p.canonical);
                        old.extend(p.redirect_to.filter(|&t| t != id));
                    }
                    if let Some(p) = self.g.node_weight_mut(rid) {
                        p.redirect_to = Some(id);
                        p.meta_refresh = false;
                        p.visited = false;
                        p.canonical = None;
                        p.canonical_url = None;
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
        // Targets in first-seen order, with their occurrences.
        let mut order: Vec<PageId> = Vec::new();
        let mut occs: FxHashMap<PageId, Vec<Occurrence>> = FxHashMap::default();
        for (i, link) in obs.links.iter().enumerate() {
            let classified = match self.classify_bounded(&link.href, Some(&base)) {
                Ok(c) => c,
                Err(_) => {
                    page_counts.invalid_links += 1;
                    summary.invalid += 1;
                    continue;
                }
            };
            let rel = rel_flags(link.rel.as_deref());
            let visible = link.visible.unwrap_or(true);
            let region = link.region.unwrap_or_default();
            match classified {
                Classified::NonNavigational => {
                    page_counts.non_navigational += 1;
                    summary.non_navigational += 1;
                }
                Classified::External => {
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
                Classified::Internal {
                    url: t,
                    cross_scheme,
                } => {
                    summary.internal += 1;
                    let parts = AnchorParts {
                        text: link.text.as_deref(),
                        alt: link.alt.as_deref(),
                        aria_label: link.aria_label.as_deref(),
                        title: link.title.as_deref(),
                        has_image: link.has_image.unwrap_or(false),
                        href: &link.href,
                    };
                    let mut name = anchor::accessible_name(&parts);
                    crate::observe::clamp_str(&mut name, crate::observe::MAX_TEXT_LEN);
                    let lh = anchor::lighthouse_fails_in(
                        &parts,
                        &anchor::LighthouseContext {
                            page_url: Some(obs.url.as_str()),
                            rel: link.rel.as_deref(),
                            text_lang: obs.lang.as_deref(),
                        },
                    );
                    let quality =
                        anchor::classify(&parts).to_u8() | if lh { LIGHTHOUSE_FAILS } else { 0 };
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
                        anchor: self.anchors.intern(&name),
                        order: link
                            .order
                            .unwrap_or_else(|| u32::try_from(i).unwrap_or(u32::MAX)),
                        region,
                        flags: f,
                        quality,
                    };
                    let tid = self.get_or_insert(&t);
                    occs.entry(tid)
                        .or_insert_with(|| {
                            order.push(tid);
                            Vec::new()
                        })
                        .push(occ);
                }
            }
        }
        let mut kept: std::collections::HashSet<PageId> = std::collections::HashSet::new();
        for tid in order {
            if let Some(o) = occs.remove(&tid) {
                let edge = LinkEdge { occurrences: o };
                match existing.get(&tid).and_then(|&e| self.g.edge_weight_mut(e)) {
                    Some(w) => {
                        *w = edge;
                        kept.insert(tid);
                    }
                    None => {
                        self.g.add_edge(id, tid, edge);
                    }
                }
            }
        }
        for (t, e) in existing {
            if !kept.contains(&t) {
                self.g.remove_edge(e);
                former.push(t);
            }
        }
        if let Some(p) = self.g.node_weight_mut(id) {
            p.visited = true;
            p.observed_at = obs.observed_at.filter(|t| t.is_finite());
            p.title = opt_box(&obs.title);
            p.h1 = opt_box(&obs.h1);
            p.lang = opt_box(&obs.lang);
            p.canonical_url = match canonical_target {
                Some(_) => opt_box(&obs.canonical),
                None => None,
            };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::RawLink;
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
}
