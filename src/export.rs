//! JSON export and import in networkx's node-link form, and the compact binary snapshot
//! the extension keeps in IndexedDB.
//!
//! The export loads unchanged with `networkx.node_link_graph(data, edges="links")`. Its
//! schema is documented in `docs/EXPORT.md`. Importing merges into the existing graph (the
//! latest visit of each page wins); anything that is not a valid export of this site is
//! refused with a message, and the graph is left untouched.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::anchor::AnchorCode;
use crate::authority::{Authority, Model, Settings};
use crate::error::{clamp_for_message, Error, Result};
use crate::graph::{
    flags, Interner, Occurrence, Page, PageId, PageState, PageTexts, SiteGraph, Timestamp,
};
use crate::observe::{Region, MAX_TEXT_LEN, MAX_URL_LEN};
use crate::report::Coverage;
use crate::site::Site;
use crate::structure::Structure;
use crate::url_norm::Classified;

mod json_out;

/// The `graph.schema` value of a Linkflow export.
pub const SCHEMA: &str = "linkflow";
/// The export format version this build writes and reads.
pub const VERSION: u32 = 1;

/// Top-level node-link document.
///
/// Its URLs and anchor texts are [`Cow`]s: a document parsed by [`parse_doc`] borrows them
/// from the text where the JSON string has no escapes (one allocation fewer per page, two
/// per link and one per occurrence, which at a million links is most of what an import
/// holds), and [`Site::export_doc`] borrows them from the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDoc<'a> {
    /// Always true.
    pub directed: bool,
    /// Always false: one link per (source, target) pair, occurrences inside.
    pub multigraph: bool,
    /// Graph attributes.
    pub graph: GraphMeta,
    /// Pages.
    #[serde(borrow)]
    pub nodes: Vec<NodeOut<'a>>,
    /// Links.
    #[serde(borrow)]
    pub links: Vec<LinkOut<'a>>,
}

/// Graph-level attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphMeta {
    /// `"linkflow"`.
    pub schema: String,
    /// Format version.
    pub version: u32,
    /// The program that wrote it.
    #[serde(default)]
    pub generator: String,
    /// The site root.
    pub site: String,
    /// Settings in force.
    #[serde(default)]
    pub settings: Settings,
    /// The model of `share`.
    #[serde(default)]
    pub model: Model,
    /// Iterations of the `share` run.
    #[serde(default)]
    pub iterations: u32,
    /// Its final L1 change.
    #[serde(default)]
    pub residual: f64,
    /// Iterations of the `classicShare` run.
    #[serde(default)]
    pub classic_iterations: u32,
    /// Coverage at export time.
    #[serde(default)]
    pub coverage: Option<Coverage>,
}

/// One page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeOut<'a> {
    /// Normalised URL (networkx's node key).
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// State.
    pub state: PageState,
    /// Observed.
    pub visited: bool,
    /// Last observation time (ms since epoch).
    #[serde(default)]
    pub observed_at: Option<f64>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// First h1.
    #[serde(default)]
    pub h1: Option<String>,
    /// `<html lang>`.
    #[serde(default)]
    pub lang: Option<String>,
    /// Declared canonical, when not the page itself.
    #[serde(default)]
    pub canonical: Option<String>,
    /// Redirect target.
    #[serde(default)]
    pub redirect_to: Option<String>,
    /// The redirect is a meta refresh.
    #[serde(default)]
    pub meta_refresh: bool,
    /// Meta robots noindex.
    #[serde(default)]
    pub noindex: bool,
    /// Meta robots nofollow.
    #[serde(default)]
    pub nofollow: bool,
    /// External link occurrences.
    #[serde(default)]
    pub external_links: u32,
    /// Of which not followed.
    #[serde(default)]
    pub external_nofollow: u32,
    /// Prominence weight of the external links.
    #[serde(default)]
    pub external_weight: f32,
    /// mailto:, tel:… links.
    #[serde(default)]
    pub non_navigational: u32,
    /// Unparseable hrefs.
    #[serde(default)]
    pub invalid_links: u32,
    /// Links dropped over the size limit.
    #[serde(default)]
    pub truncated_links: u32,
    /// Click depth (computed).
    #[serde(default)]
    pub depth: Option<u32>,
    /// Share under `graph.model` (computed; null when merged into another page).
    #[serde(default)]
    pub share: Option<f64>,
    /// Rank under `graph.model` (computed).
    #[serde(default)]
    pub rank: Option<u32>,
    /// Score under `graph.model` (computed).
    #[serde(default)]
    pub score: Option<f64>,
    /// Share under the classic model (computed).
    #[serde(default)]
    pub classic_share: Option<f64>,
    /// Orphan (computed).
    #[serde(default)]
    pub orphan: bool,
}

/// One (source, target) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkOut<'a> {
    /// Source URL.
    #[serde(borrow)]
    pub source: Cow<'a, str>,
    /// Target URL.
    #[serde(borrow)]
    pub target: Cow<'a, str>,
    /// At least one occurrence is followed (the classic model's edge).
    pub followed: bool,
    /// Every occurrence.
    #[serde(borrow)]
    pub occurrences: Vec<OccurrenceOut<'a>>,
}

/// One occurrence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OccurrenceOut<'a> {
    /// Accessible name.
    #[serde(borrow)]
    pub anchor: Cow<'a, str>,
    /// Anchor quality.
    pub quality: AnchorCode,
    /// Region.
    pub region: Region,
    /// rel tokens that matter (nofollow, ugc, sponsored).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rel: Vec<String>,
    /// The page's meta robots said nofollow.
    #[serde(default, skip_serializing_if = "is_false")]
    pub meta_nofollow: bool,
    /// Visible.
    pub visible: bool,
    /// In the first viewport.
    #[serde(default, skip_serializing_if = "is_false")]
    pub in_viewport: bool,
    /// Order on the source page.
    pub order: u32,
    /// Lighthouse's `link-text` audit would fail this link.
    #[serde(default, skip_serializing_if = "is_false")]
    pub lighthouse_fails: bool,
    /// Crossed http/https.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cross_scheme: bool,
    /// `<area>`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub area: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn occ_out<'s>(site: &'s Site, o: &Occurrence) -> OccurrenceOut<'s> {
    let mut rel = Vec::new();
    if o.flags & flags::REL_NOFOLLOW != 0 {
        rel.push("nofollow".to_string());
    }
    if o.flags & flags::REL_UGC != 0 {
        rel.push("ugc".to_string());
    }
    if o.flags & flags::REL_SPONSORED != 0 {
        rel.push("sponsored".to_string());
    }
    OccurrenceOut {
        anchor: Cow::Borrowed(site.graph.anchor_text(o.anchor)),
        quality: o.quality(),
        region: o.region,
        rel,
        meta_nofollow: o.flags & flags::META_NOFOLLOW != 0,
        visible: o.visible(),
        in_viewport: o.flags & flags::IN_VIEWPORT != 0,
        order: o.order,
        lighthouse_fails: o.lighthouse_fails(),
        cross_scheme: o.flags & flags::CROSS_SCHEME != 0,
        area: o.flags & flags::AREA != 0,
    }
}

fn occ_in(site: &mut Site, o: &OccurrenceOut<'_>) -> Occurrence {
    let mut f = 0u8;
    for r in &o.rel {
        match r.to_ascii_lowercase().as_str() {
            "nofollow" => f |= flags::REL_NOFOLLOW,
            "ugc" => f |= flags::REL_UGC,
            "sponsored" => f |= flags::REL_SPONSORED,
            _ => {}
        }
    }
    if o.meta_nofollow {
        f |= flags::META_NOFOLLOW;
    }
    if o.visible {
        f |= flags::VISIBLE;
    }
    if o.in_viewport {
        f |= flags::IN_VIEWPORT;
    }
    if o.cross_scheme {
        f |= flags::CROSS_SCHEME;
    }
    if o.area {
        f |= flags::AREA;
    }
    Occurrence {
        anchor: site
            .graph
            .anchors
            .intern(clamp_text(&o.anchor, MAX_TEXT_LEN)),
        order: o.order,
        region: o.region,
        flags: f,
        quality: o.quality.to_u8()
            | if o.lighthouse_fails {
                crate::graph::LIGHTHOUSE_FAILS
            } else {
                0
            },
    }
}

fn opt_s(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

impl Site {
    /// The node-link export document as owned, typed values (what an import reads).
    ///
    /// The export itself ([`Site::export_json_bytes`], [`Site::write_export_json`]) does not
    /// build it: it writes straight from the graph. Serialising this document with
    /// `serde_json::to_string` gives the same bytes (tested); it costs a copy of every
    /// URL and anchor per link, so prefer the writers for large sites.
    pub fn export_doc(&self) -> ExportDoc<'_> {
        let model = self.settings.model;
        let auth = self.authority_exact(model);
        let classic = self.authority_exact(Model::Classic);
        let st = self.structure();
        let g = &self.graph;
        let url = |id: PageId| g.page(id).map_or("", |p| &p.url);
        let mut nodes = Vec::with_capacity(g.page_count());
        let mut links = Vec::with_capacity(g.edge_count());
        for id in g.page_ids() {
            let Some(p) = g.page(id) else { continue };
            let c = auth.compact_of(id);
            nodes.push(NodeOut {
                id: Cow::Borrowed(&p.url),
                state: p.state(),
                visited: p.visited,
                observed_at: p.observed_at.map(Timestamp::ms),
                title: opt_s(p.title()),
                h1: opt_s(p.h1()),
                lang: opt_s(p.lang()),
                canonical: opt_s(p.canonical_url()),
                redirect_to: p.redirect_to.map(|t| url(t).to_string()),
                meta_refresh: p.meta_refresh,
                noindex: p.noindex,
                nofollow: p.nofollow,
                external_links: p.external_links,
                external_nofollow: p.external_nofollow,
                external_weight: json_out::no_negative_zero(p.external_weight),
                non_navigational: p.non_navigational,
                invalid_links: p.invalid_links,
                truncated_links: p.truncated_links,
                depth: st.depth_of(id),
                share: c.map(|c| auth.share[c]),
                rank: c.map(|c| auth.rank[c]),
                score: c.map(|c| auth.score(c)),
                classic_share: classic.share_of(id),
                orphan: st.orphans.contains(&id),
            });
            for (t, e) in g.outlinks(id) {
                links.push(LinkOut {
                    source: Cow::Borrowed(&p.url),
                    target: Cow::Borrowed(url(t)),
                    followed: e.followed(),
                    occurrences: e.occurrences.iter().map(|o| occ_out(self, o)).collect(),
                });
            }
        }
        ExportDoc {
            directed: true,
            multigraph: false,
            graph: GraphMeta {
                schema: SCHEMA.into(),
                version: VERSION,
                generator: format!("linkflow {}", env!("CARGO_PKG_VERSION")),
                site: self.root().to_string(),
                settings: self.settings.clone(),
                model,
                iterations: auth.iterations,
                residual: auth.residual,
                classic_iterations: classic.iterations,
                coverage: Some(Coverage {
                    visited: st.visited,
                    discovered: st.discovered,
                    complete: st.complete(),
                }),
            },
            nodes,
            links,
        }
    }

    /// Writes the export as compact JSON (`docs/EXPORT.md`) to `w`, straight from the graph.
    ///
    /// Errors only when `w` does.
    pub fn write_export_json<W: std::io::Write>(&self, w: W) -> std::io::Result<()> {
        json_out::write(self, w)
    }

    /// The export as compact JSON, as UTF-8 bytes.
    pub fn export_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Err(e) = self.write_export_json(&mut out) {
            // Writing plain data into memory cannot fail; keep a clear message all the same.
            return format!("{{\"error\": \"{e}\"}}").into_bytes();
        }
        out
    }

    /// The export as compact JSON text (see [`Site::export_json_bytes`] to avoid the copy
    /// into a `String` where bytes will do).
    pub fn export_json(&self) -> String {
        String::from_utf8(self.export_json_bytes()).unwrap_or_else(|e| {
            // serde_json writes UTF-8 only; keep a clear message all the same.
            format!("{{\"error\": \"{e}\"}}")
        })
    }

    /// A new site from an export (its settings and pages).
    pub fn from_export_json(text: &str) -> Result<Site> {
        Site::from_export_json_bytes(text.as_bytes())
    }

    /// [`Site::from_export_json`] of the export's UTF-8 bytes.
    pub fn from_export_json_bytes(json: &[u8]) -> Result<Site> {
        let doc = parse_doc_bytes(json)?;
        let mut site = Site::new(&doc.graph.site, doc.graph.settings.clone())
            .map_err(|e| Error::Import(format!("graph.site or graph.settings: {e}")))?;
        site.import_doc(doc)?;
        Ok(site)
    }

    /// Imports an export, merging it into this site. On error nothing changes.
    pub fn import_json(&mut self, text: &str) -> Result<ImportSummary> {
        self.import_json_bytes(text.as_bytes())
    }

    /// [`Site::import_json`] of the export's UTF-8 bytes (what the worker passes: a JS
    /// string crosses into wasm memory at up to three bytes per character, its bytes at one).
    /// Bytes that are not UTF-8 are refused ("the file is not UTF-8 text").
    pub fn import_json_bytes(&mut self, json: &[u8]) -> Result<ImportSummary> {
        let doc = parse_doc_bytes(json)?;
        self.import_doc(doc)
    }

    fn import_doc(&mut self, doc: ExportDoc<'_>) -> Result<ImportSummary> {
        let plan = self.plan_import(&doc)?;
        Ok(self.apply_import(doc, plan))
    }

    /// Validates everything before any change.
    fn plan_import(&self, doc: &ExportDoc<'_>) -> Result<Vec<String>> {
        let norm = self.graph.normalizer();
        match norm.normalize(&doc.graph.site) {
            Ok(r) if r == self.root() => {}
            _ => {
                return Err(Error::Import(format!(
                    "this export is of the site {}, not of {}",
                    clamp_for_message(&doc.graph.site),
                    self.root()
                )))
            }
        }
        let mut ids = Vec::with_capacity(doc.nodes.len());
        let mut known: HashMap<&str, usize> = HashMap::new();
        for (i, n) in doc.nodes.iter().enumerate() {
            if n.id.len() > MAX_URL_LEN {
                return Err(Error::Import(format!("node {i}: the URL is too long")));
            }
            let u = norm
                .normalize(&n.id)
                .map_err(|e| Error::Import(format!("node {i}: {e}")))?;
            if n.observed_at.is_some_and(|t| !t.is_finite()) {
                return Err(Error::Import(format!(
                    "node {i}: observedAt is not a number"
                )));
            }
            known.insert(&*n.id, i);
            ids.push(u);
        }
        for (i, n) in doc.nodes.iter().enumerate() {
            if let Some(r) = &n.redirect_to {
                if !known.contains_key(r.as_str()) {
                    return Err(Error::Import(format!(
                        "node {i}: redirectTo {} is not a node of the export",
                        clamp_for_message(r)
                    )));
                }
            }
        }
        for (i, l) in doc.links.iter().enumerate() {
            for end in [&l.source, &l.target] {
                if !known.contains_key(&**end) {
                    return Err(Error::Import(format!(
                        "link {i}: {} is not a node of the export",
                        clamp_for_message(end)
                    )));
                }
            }
        }
        Ok(ids)
    }

    fn apply_import(&mut self, doc: ExportDoc<'_>, ids: Vec<String>) -> ImportSummary {
        let mut summary = ImportSummary::default();
        let before = self.graph.page_count();
        // Pass 1: every page exists, in file order (keeps the order of a round trip).
        let pids: Vec<PageId> = ids.iter().map(|u| self.graph.get_or_insert(u)).collect();
        let by_raw: HashMap<&str, PageId> = doc
            .nodes
            .iter()
            .zip(&pids)
            .map(|(n, &p)| (&*n.id, p))
            .collect();
        // Which imported visits win (newer than ours, or ours unvisited).
        let mut wins = vec![false; doc.nodes.len()];
        for (i, n) in doc.nodes.iter().enumerate() {
            let local = self.graph.page(pids[i]);
            let w = match local {
                Some(p) if p.visited => {
                    n.visited
                        && n.observed_at.unwrap_or(f64::MIN)
                            > p.observed_at.map_or(f64::MIN, Timestamp::ms)
                }
                Some(p) => n.visited || (n.redirect_to.is_some() && p.redirect_to.is_none()),
                None => true,
            };
            wins[i] = w;
        }
        let mut edges_of: HashMap<PageId, Vec<&LinkOut<'_>>> = HashMap::new();
        for l in &doc.links {
            if let Some(&s) = by_raw.get(&*l.source) {
                edges_of.entry(s).or_default().push(l);
            }
        }
        // Pass 2: page fields and outlinks of the winning pages.
        let mut formers = Vec::new();
        self.graph.structural();
        for (i, n) in doc.nodes.iter().enumerate() {
            if !wins[i] {
                if n.visited {
                    summary.kept += 1;
                }
                continue;
            }
            let id = pids[i];
            // A declared canonical too long to be an address is ignored, as ingest does.
            let declared = n.canonical.as_deref().filter(|c| c.len() <= MAX_URL_LEN);
            let canonical = declared.and_then(|c| {
                match self
                    .graph
                    .normalizer()
                    .classify(c, url::Url::parse(&ids[i]).ok().as_ref())
                {
                    Ok(Classified::Internal { url, .. }) if url != ids[i] => Some(url),
                    _ => None,
                }
            });
            let canonical = canonical.map(|c| self.graph.get_or_insert(&c));
            let redirect_to = n
                .redirect_to
                .as_deref()
                .and_then(|r| by_raw.get(r).copied());
            let mut links: Vec<(u32, Occurrence)> = Vec::new();
            for l in edges_of.get(&id).map(Vec::as_slice).unwrap_or_default() {
                let Some(&t) = by_raw.get(&*l.target) else {
                    continue;
                };
                for o in &l.occurrences {
                    links.push((t.index() as u32, occ_in(self, o)));
                }
            }
            let page = Page {
                url: ids[i].as_str().into(),
                visited: n.visited,
                observed_at: n.observed_at.and_then(Timestamp::new),
                texts: PageTexts::new(
                    n.title.as_deref().map(|s| clamp_text(s, MAX_TEXT_LEN)),
                    n.h1.as_deref().map(|s| clamp_text(s, MAX_TEXT_LEN)),
                    n.lang.as_deref().map(|s| clamp_text(s, MAX_TEXT_LEN)),
                    declared,
                ),
                canonical,
                redirect_to: redirect_to.filter(|&r| r != id),
                meta_refresh: n.meta_refresh,
                noindex: n.noindex,
                nofollow: n.nofollow,
                external_links: n.external_links,
                external_weight: if n.external_weight.is_finite() {
                    n.external_weight.max(0.0)
                } else {
                    0.0
                },
                external_nofollow: n.external_nofollow,
                non_navigational: n.non_navigational,
                invalid_links: n.invalid_links,
                truncated_links: n.truncated_links,
            };
            formers.extend(self.graph.replace_page(id, page, links));
            summary.imported += 1;
        }
        // Pages the file only mentions, that nothing links to any more, are not kept.
        formers.extend(pids.iter().copied());
        self.graph.prune_stale(formers);
        summary.pages = self.graph.page_count();
        summary.new_pages = summary.pages.saturating_sub(before);
        summary
    }
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn clamp_text(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// Pages taken from the file (newer than ours, or new).
    pub imported: usize,
    /// Pages where our own visit was newer and was kept.
    pub kept: usize,
    /// Pages that did not exist before.
    pub new_pages: usize,
    /// Pages known after the import.
    pub pages: usize,
}

/// Parses and checks the envelope of an export, with a message for each way it can be wrong.
///
/// The text is parsed once into the document; only when that fails is the envelope read
/// (a second, cheaper pass) to say why: truncated, not JSON, not a Linkflow export, another
/// version — the same messages, in the same order of precedence, as checking the envelope
/// first.
pub fn parse_doc(text: &str) -> Result<ExportDoc<'_>> {
    parse_doc_bytes(text.as_bytes())
}

/// [`parse_doc`] of UTF-8 bytes; its strings are borrowed from them as from text.
pub fn parse_doc_bytes(json: &[u8]) -> Result<ExportDoc<'_>> {
    let doc: ExportDoc<'_> = match serde_json::from_slice(json) {
        Ok(doc) => doc,
        Err(e) => {
            // (A sequence cut at the end is a truncated file, said below.)
            if let Err(u) = std::str::from_utf8(json) {
                if u.error_len().is_some() {
                    return Err(Error::Import(format!(
                        "the file is not UTF-8 text (byte {} is not)",
                        u.valid_up_to()
                    )));
                }
            }
            check_envelope(json)?;
            return Err(Error::Import(format!("invalid export: {e}")));
        }
    };
    if doc.graph.schema != SCHEMA {
        return Err(not_linkflow_schema());
    }
    if doc.graph.version != VERSION {
        return Err(unsupported_version(u64::from(doc.graph.version)));
    }
    if !doc.directed || doc.multigraph {
        return Err(Error::Import(
            "invalid export: a Linkflow graph is directed and not a multigraph".into(),
        ));
    }
    Ok(doc)
}

fn not_linkflow_schema() -> Error {
    Error::Import("not a Linkflow export: graph.schema is not \"linkflow\"".into())
}

fn unsupported_version(v: u64) -> Error {
    Error::Import(format!(
        "export format version {v} is not supported (this Linkflow reads version {VERSION})"
    ))
}

/// The envelope of an export (`graph.schema`, `graph.version`), with a message for each way
/// it can be wrong; everything else is skipped without building it.
fn check_envelope(json: &[u8]) -> Result<()> {
    use serde_json::error::Category;
    #[derive(Deserialize)]
    struct Envelope {
        graph: Option<EnvelopeGraph>,
    }
    #[derive(Deserialize)]
    struct EnvelopeGraph {
        schema: Option<serde_json::Value>,
        version: Option<serde_json::Value>,
    }
    let syntax = |e: serde_json::Error| {
        match e.classify() {
        Category::Eof => Error::Import(format!("the file is truncated ({e})")),
        Category::Syntax | Category::Io => Error::Import(format!("the file is not JSON ({e})")),
        Category::Data => Error::Import(format!(
            "the file is JSON but not a Linkflow export (not an object with a \"graph\" object: {e})"
        )),
    }
    };
    let env: Envelope = serde_json::from_slice(json).map_err(syntax)?;
    let graph = env
        .graph
        .ok_or_else(|| Error::Import("not a Linkflow export: no \"graph\" object".into()))?;
    if graph.schema.as_ref().and_then(|s| s.as_str()) != Some(SCHEMA) {
        return Err(not_linkflow_schema());
    }
    match graph.version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => Ok(()),
        Some(v) => Err(unsupported_version(v)),
        None => Err(Error::Import("graph.version is missing".into())),
    }
}

// ---------------------------------------------------------------------------------------
// Binary snapshot for the extension's storage.
//
// Version 2 (written since the benchmark work, issue 4), all integers LEB128 varints unless
// said otherwise, strings as a varint length and UTF-8 bytes:
//
// Version 3 ("LFS3") is version 2 with one change: within a page, each edge's
// target position after the first is written as the difference from the previous one (they
// ascend), which is shorter (~1 byte per edge less: a smaller snapshot and less memory in
// flight during a restore). Version 2 is still read.
//
//   "LFS2"  u64 LE checksum of everything after these 12 bytes
//   root  settings_json
//   anchors: count, strings
//   pages: count, then per page: url, field bits (varint: 0 visited, 1 meta_refresh,
//     2 noindex, 3 nofollow, 4 observed_at, 5 title, 6 h1, 7 lang, 8 canonical_url,
//     9 canonical, 10 redirect_to), the present optional fields in that order (observed_at
//     as f64 LE, canonical/redirect_to as page positions), external_links, external_weight
//     (f32 LE), external_nofollow, non_navigational, invalid_links, truncated_links
//   links: per page in page order, its out-edge count, then per edge (targets by index):
//     target position, occurrence count, then per occurrence anchor, order, region byte,
//     flags byte, quality byte
//   then, optionally (added later in version 2; older snapshots end above), sections that
//     spare the first report after a restore most of its work, each a tag byte:
//     1 / 2: the latest shares of the prominence / classic model, per page in page order as
//       f64 LE (NaN when not ranked), to warm-start the first ranking;
//     3: the click depths, per page in page order as a varint (0 unreached, else depth + 1),
//       taken only if they check out as this graph's depths (structure::from_depths);
//     4 (added later in version 3): the model in use (1 prominence, 2 classic), the
//       iterations (varint) and residual (f64 LE) of its run: its shares (section 1 or 2)
//       were computed for exactly this graph and settings, so a restore takes them as the
//       current authority (checked: exactly the ranked pages, summing to 1) instead of
//       building the CSR and ranking again
//     5 (added later in version 3, written just before section 4): the order of those
//       shares when they were ranked, a count and the compact ids (pages ranked by the
//       model, in page order) highest share first: the first report's sort then starts from
//       it and runs over sorted keys (a list that is not a permutation is ignored)
//
// Version 4 ("LFS4", written now) is version 3 with two changes: the number of link
// occurrences (a varint) just after the settings, so a restore reads every page's links
// into two arrays of that length, allocated first (see `Shared` in graph.rs); and page
// field bit 11: the URL is written without the site root it starts with (~20 bytes a page
// less to read, copy and check). Versions 2 and 3 are still read.
//
// Version 5 ("LFS5", written now) is version 4 with one change: an occurrence's region,
// flags and quality bytes are one byte, its kind, an index into a table written just after
// the occurrence count (a count of at most 255, then per kind its region, flags and
// quality bytes; the synthetic sites have 4). Kind 255 is an escape: the three bytes
// follow, as in version 4. Two bytes an occurrence less (~2 MB at 1M links), and the
// restore checks each kind's region and quality once instead of at every occurrence.
// Version 4 is still read.
//
// It is written and read in one pass without intermediate structures, and the checksum turns damaged bytes into a clear error
// before anything is built. Version 1 (postcard, "LFS1") is still read.

/// What a snapshot's bytes are written from, found once (they may be written twice).
struct SnapshotPrep {
    /// Each page's position in page order, by index.
    pos: Vec<u32>,
    /// The kinds table (version 5) and each kind's index in it.
    kinds: Vec<Kind>,
    kind_index: KindIndex,
    /// The current shares of the model in use, and the depths, for the first report after a
    /// restore (both usually cached already, or updated from the last visits); `None`
    /// without the optional sections.
    current: Option<(Rc<Authority>, Rc<Structure>)>,
}

impl SnapshotPrep {
    fn new(site: &Site, sections: bool, version: u8) -> SnapshotPrep {
        let g = &site.graph;
        let mut pos: Vec<u32> = vec![u32::MAX; g.index_bound()];
        for (i, id) in g.page_ids().enumerate() {
            pos[id.index()] = i as u32;
        }
        let (kinds, kind_index) = if version >= 5 {
            kinds_of(g)
        } else {
            (Vec::new(), KindIndex(Vec::new()))
        };
        let current = sections.then(|| (site.authority(site.settings.model), site.structure()));
        SnapshotPrep {
            pos,
            kinds,
            kind_index,
            current,
        }
    }
}

/// The section tag of a model's shares (and its byte in section 4).
fn model_tag(model: Model) -> u8 {
    match model {
        Model::Prominence => 1,
        Model::Classic => 2,
    }
}

const SNAP_MAGIC: [u8; 4] = *b"LFS1";
const SNAP_MAGIC_V2: [u8; 4] = *b"LFS2";
const SNAP_MAGIC_V3: [u8; 4] = *b"LFS3";
const SNAP_MAGIC_V4: [u8; 4] = *b"LFS4";
const SNAP_MAGIC_V5: [u8; 4] = *b"LFS5";

/// The kind byte of an occurrence whose region, flags and quality bytes follow it
/// (version 5: the kinds table is full).
const KIND_ESCAPE: u8 = 255;

/// An occurrence's region, flags and quality: its kind in a version 5 snapshot.
type Kind = (Region, u8, u8);

/// The fewest bytes an occurrence takes: its anchor, its order, and its kind (version 5,
/// `kinds`) or its three bytes. Bounds what a damaged count can make a restore reserve.
fn occurrence_min_bytes(kinds: bool) -> usize {
    if kinds {
        3
    } else {
        5
    }
}

/// Each possible kind's index in a snapshot's table, `KIND_ESCAPE` when it has none: one
/// byte for each of the 6 × 256 × 256 kinds (384 KiB while a snapshot is written), so
/// the writer finds an occurrence's kind with one load rather than a hash lookup.
struct KindIndex(Vec<u8>);

impl KindIndex {
    fn slot((region, flags, quality): Kind) -> usize {
        usize::from(region_to_u8(region)) << 16 | usize::from(flags) << 8 | usize::from(quality)
    }
    fn get(&self, k: Kind) -> u8 {
        self.0.get(Self::slot(k)).copied().unwrap_or(KIND_ESCAPE)
    }
}

/// The distinct kinds of the graph's occurrences in first-seen order, at most
/// `KIND_ESCAPE` of them (the rest are written escaped), and each kind's index.
fn kinds_of(g: &SiteGraph) -> (Vec<Kind>, KindIndex) {
    let mut table = Vec::new();
    let mut index = KindIndex(vec![KIND_ESCAPE; Region::ALL.len() << 16]);
    for id in g.page_ids() {
        let (_, occs) = g.out_slices(id);
        for o in occs {
            let k = (o.region, o.flags, o.quality);
            if let Some(x) = index.0.get_mut(KindIndex::slot(k)) {
                if *x == KIND_ESCAPE && table.len() < usize::from(KIND_ESCAPE) {
                    *x = table.len() as u8;
                    table.push(k);
                }
            }
        }
    }
    (table, index)
}

/// A fast 64-bit checksum: each 8-byte word goes through a bijective mix, so any change of
/// one word always changes the result; unrelated damage collides with odds of about 2^-64.
fn checksum(b: &[u8]) -> u64 {
    let whole = b.len() - b.len() % 8;
    let mut sum = Checksum::new(b.len());
    sum.words(&b[..whole]);
    sum.finish(&b[whole..])
}

/// [`checksum`] taken as the bytes come: the total length first, then the whole 8-byte
/// words in order (in any number of calls), then the last bytes.
struct Checksum(u64);

impl Checksum {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    fn new(len: usize) -> Checksum {
        Checksum(Self::K ^ (len as u64))
    }

    /// Takes `b`, whole words (its length a multiple of 8).
    fn words(&mut self, b: &[u8]) {
        // One call per 64 KiB (a multiple of 8, so the words are the same as in one pass):
        // V8 optimises a wasm function only for its later calls, and a woken worker checks
        // its whole snapshot once, so one long loop would run as baseline code throughout.
        for c in b.chunks(CHECKSUM_CHUNK) {
            self.0 = checksum_words(self.0, c);
        }
    }

    /// The checksum, given the last bytes (fewer than 8).
    fn finish(self, tail: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        let n = tail.len().min(8);
        w[..n].copy_from_slice(&tail[..n]);
        let mut h = (self.0 ^ u64::from_le_bytes(w))
            .wrapping_mul(Self::K)
            .rotate_left(31);
        h ^= h >> 29;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^ (h >> 32)
    }
}

const CHECKSUM_CHUNK: usize = 1 << 16;

/// [`checksum`]'s mix over the whole 8-byte words of `b` (a trailing part is left out).
#[inline(never)]
fn checksum_words(mut h: u64, b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    for c in b.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    }
    h
}

/// Where a snapshot's bytes go: a `Vec` (the whole snapshot), a count of them, or parts
/// handed out as they fill ([`Site::snapshot_parts`]).
trait Sink {
    fn byte(&mut self, b: u8);
    fn bytes(&mut self, b: &[u8]);
    /// Between two pages: where a part may end.
    fn boundary(&mut self) {}
}

impl Sink for Vec<u8> {
    #[inline]
    fn byte(&mut self, b: u8) {
        self.push(b);
    }
    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
}

/// Counts the bytes instead of keeping them: the snapshot's length, which its checksum
/// starts from, before the parts are written.
struct Counter(usize);

impl Sink for Counter {
    #[inline]
    fn byte(&mut self, _: u8) {
        self.0 += 1;
    }
    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        self.0 += b.len();
    }
}

/// Hands the bytes out in parts of at least `part` bytes (ending between pages), and
/// takes their checksum on the way.
struct Parts<F: FnMut(&[u8])> {
    buf: Vec<u8>,
    part: usize,
    sum: Checksum,
    emit: F,
}

impl<F: FnMut(&[u8])> Parts<F> {
    /// Hands out the whole words gathered so far (the checksum takes words).
    fn flush(&mut self) {
        let n = self.buf.len() - self.buf.len() % 8;
        if n == 0 {
            return;
        }
        self.sum.words(&self.buf[..n]);
        (self.emit)(&self.buf[..n]);
        self.buf.copy_within(n.., 0);
        self.buf.truncate(self.buf.len() - n);
    }

    /// Hands out the rest; the checksum.
    fn finish(mut self) -> u64 {
        let whole = self.buf.len() - self.buf.len() % 8;
        self.sum.words(&self.buf[..whole]);
        if !self.buf.is_empty() {
            (self.emit)(&self.buf);
        }
        self.sum.finish(&self.buf[whole..])
    }
}

impl<F: FnMut(&[u8])> Sink for Parts<F> {
    #[inline]
    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }
    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    fn boundary(&mut self) {
        if self.buf.len() - self.buf.len() % 8 >= self.part {
            self.flush();
        }
    }
}

struct Writer<S: Sink = Vec<u8>>(S);

impl<S: Sink> Writer<S> {
    #[inline]
    fn byte(&mut self, b: u8) {
        self.0.byte(b);
    }
    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        self.0.bytes(b);
    }
    fn var(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.byte((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.byte(v as u8);
    }
    fn u32(&mut self, v: u32) {
        self.var(u64::from(v));
    }
    fn str(&mut self, s: &str) {
        self.var(s.len() as u64);
        self.0.bytes(s.as_bytes());
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

fn damaged(why: &str) -> Error {
    Error::Import(format!("the stored snapshot is damaged: {why}"))
}

impl<'a> Reader<'a> {
    #[inline]
    fn byte(&mut self) -> Result<u8> {
        let v = *self
            .b
            .get(self.pos)
            .ok_or_else(|| damaged("it ends too early"))?;
        self.pos += 1;
        Ok(v)
    }
    /// A LEB128 varint; most are one byte (read inline), longer ones out of line.
    #[inline]
    fn var(&mut self) -> Result<u64> {
        match self.b.get(self.pos) {
            Some(&x) if x < 0x80 => {
                self.pos += 1;
                Ok(u64::from(x))
            }
            _ => self.var_long(),
        }
    }
    #[cold]
    fn var_long(&mut self) -> Result<u64> {
        // Two or three bytes (anchor ids of a large site take three) without the loop.
        if let Some(v) = var3(self.b, &mut self.pos) {
            return Ok(u64::from(v));
        }
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let x = self.byte()?;
            v |= u64::from(x & 0x7F) << shift;
            if x & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(damaged("a number is too long"))
    }
    #[inline]
    fn u32(&mut self) -> Result<u32> {
        u32::try_from(self.var()?).map_err(|_| damaged("a number is out of range"))
    }
    /// A count of items that take at least one byte each (so a damaged count cannot ask
    /// for more memory than the bytes could describe).
    #[inline]
    fn count(&mut self) -> Result<usize> {
        let n = self.var()?;
        if n > (self.b.len() - self.pos) as u64 {
            return Err(damaged("a count is larger than the data"));
        }
        Ok(n as usize)
    }
    /// A count of items that take at least `min` bytes each.
    fn count_min(&mut self, min: usize) -> Result<usize> {
        let n = self.count()?;
        if n > (self.b.len() - self.pos) / min.max(1) {
            return Err(damaged("a count is larger than the data"));
        }
        Ok(n)
    }
    #[inline]
    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self
            .b
            .get(self.pos..self.pos + N)
            .ok_or_else(|| damaged("it ends too early"))?;
        self.pos += N;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn str(&mut self) -> Result<&'a str> {
        let n = self.count()?;
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        std::str::from_utf8(s).map_err(|_| damaged("a text is not UTF-8"))
    }
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    magic: [u8; 4],
    root: String,
    settings_json: String,
    anchors: Vec<String>,
    pages: Vec<SnapPage>,
    edges: Vec<SnapEdge>,
}

#[derive(Serialize, Deserialize)]
struct SnapPage {
    url: String,
    visited: bool,
    observed_at: Option<f64>,
    title: Option<String>,
    h1: Option<String>,
    lang: Option<String>,
    canonical_url: Option<String>,
    canonical: Option<u32>,
    redirect_to: Option<u32>,
    meta_refresh: bool,
    noindex: bool,
    nofollow: bool,
    external_links: u32,
    external_weight: f32,
    external_nofollow: u32,
    non_navigational: u32,
    invalid_links: u32,
    truncated_links: u32,
}

#[derive(Serialize, Deserialize)]
struct SnapEdge {
    source: u32,
    target: u32,
    occ: Vec<(u32, u32, u8, u8, u8)>,
}

fn region_from_u8(v: u8) -> Option<Region> {
    Region::ALL.get(v as usize).copied()
}

fn region_to_u8(r: Region) -> u8 {
    Region::ALL.iter().position(|&x| x == r).unwrap_or(5) as u8
}

/// One page of a v2 snapshot: the page (without canonical/redirect ids) and the positions
/// of its canonical and redirect target.
#[inline(never)]
fn read_page(r: &mut Reader<'_>, prefix: &str) -> Result<(Page, Option<u32>, Option<u32>)> {
    let url = r.str()?;
    let bits = r.var()?;
    let bit = |k: u32| bits & (1 << k) != 0;
    let url: Box<str> = if bit(11) {
        let mut whole = String::with_capacity(prefix.len() + url.len());
        whole.push_str(prefix);
        whole.push_str(url);
        whole.into()
    } else {
        url.into()
    };
    let observed_at = if bit(4) {
        Timestamp::new(f64::from_le_bytes(r.fixed::<8>()?))
    } else {
        None
    };
    let mut opt =
        |k: u32| -> Result<Option<&str>> { Ok(if bit(k) { Some(r.str()?) } else { None }) };
    let (title, h1, lang, canonical_url) = (opt(5)?, opt(6)?, opt(7)?, opt(8)?);
    let canonical = if bit(9) { Some(r.u32()?) } else { None };
    let redirect_to = if bit(10) { Some(r.u32()?) } else { None };
    let page = Page {
        url,
        visited: bit(0),
        observed_at,
        texts: PageTexts::new(title, h1, lang, canonical_url),
        canonical: None,
        redirect_to: None,
        meta_refresh: bit(1),
        noindex: bit(2),
        nofollow: bit(3),
        external_links: r.u32()?,
        external_weight: f32::from_le_bytes(r.fixed::<4>()?),
        external_nofollow: r.u32()?,
        non_navigational: r.u32()?,
        invalid_links: r.u32()?,
        truncated_links: r.u32()?,
    };
    Ok((page, canonical, redirect_to))
}

/// A varint of one to three bytes at `pos` of `b` (advancing `pos`), or `None` for any
/// other (longer, cut short: left to [`Reader::u32`], which reads or rejects it). Kept in
/// the caller's locals, the position stays out of memory in the restore's hottest loop.
#[inline(always)]
fn var3(b: &[u8], pos: &mut usize) -> Option<u32> {
    let x = u32::from(*b.get(*pos)?);
    if x < 0x80 {
        *pos += 1;
        return Some(x);
    }
    let y = u32::from(*b.get(*pos + 1)?);
    if y < 0x80 {
        *pos += 2;
        return Some(x & 0x7F | y << 7);
    }
    let z = u32::from(*b.get(*pos + 2)?);
    if z < 0x80 {
        *pos += 3;
        return Some(x & 0x7F | (y & 0x7F) << 7 | z << 14);
    }
    None
}

/// A `u32` varint at `pos` of `r`'s bytes: [`var3`], else [`Reader::u32`].
#[inline(always)]
fn u32_at(r: &mut Reader<'_>, pos: &mut usize) -> Result<u32> {
    match var3(r.b, pos) {
        Some(v) => Ok(v),
        None => {
            r.pos = *pos;
            let v = r.u32()?;
            *pos = r.pos;
            Ok(v)
        }
    }
}

/// How a snapshot's links are laid out: page positions to ids (`ids`), the number of
/// anchors (`na`), target positions as differences within a page (`delta`), and the
/// occurrence kinds of a version 5 snapshot.
struct LinkLayout<'a> {
    ids: &'a [PageId],
    na: usize,
    delta: bool,
    kinds: Option<&'a [Kind]>,
}

/// A version 5 snapshot's occurrence kinds, each checked here once.
fn read_kinds(r: &mut Reader<'_>) -> Result<Vec<Kind>> {
    let k = r.count_min(3)?;
    if k > usize::from(KIND_ESCAPE) {
        return Err(damaged("too many occurrence kinds"));
    }
    (0..k).map(|_| kind_bytes(r.b, &mut r.pos)).collect()
}

/// An occurrence's region, flags and quality bytes at `pos` of `b` (advancing `pos`),
/// checked.
#[inline(always)]
fn kind_bytes(b: &[u8], pos: &mut usize) -> Result<Kind> {
    let Some(&[region, flags, quality]) = b.get(*pos..*pos + 3) else {
        return Err(damaged("it ends too early"));
    };
    *pos += 3;
    if AnchorCode::from_u8(quality & !crate::graph::LIGHTHOUSE_FAILS).is_none() {
        return Err(damaged("bad link occurrence"));
    }
    let region = region_from_u8(region).ok_or_else(|| damaged("bad region"))?;
    Ok((region, flags, quality))
}

/// One page's links of a snapshot appended to `targets`/`occs`; target positions
/// (differences within the page when `delta`) are mapped through `ids`, anchors checked
/// against `na` interned texts. With `KINDS` (version 5), an occurrence's region, flags
/// and quality are its kind in `layout.kinds`, or follow an escape byte.
#[inline(never)]
fn read_page_links<const KINDS: bool>(
    r: &mut Reader<'_>,
    layout: &LinkLayout<'_>,
    targets: &mut Vec<u32>,
    occs: &mut Vec<Occurrence>,
) -> Result<()> {
    let (ids, na, delta) = (layout.ids, layout.na, layout.delta);
    let kinds = layout.kinds.unwrap_or(&[]);
    let occ_min = occurrence_min_bytes(KINDS);
    let m = r.count()?;
    let b = r.b;
    let mut pos = r.pos;
    let mut prev: Option<u32> = None;
    for _ in 0..m {
        let v = u32_at(r, &mut pos)?;
        let i = match prev {
            Some(before) if delta => before
                .checked_add(v)
                .ok_or_else(|| damaged("a page index out of range"))?,
            _ => v,
        };
        prev = Some(i);
        let t = ids
            .get(i as usize)
            .ok_or_else(|| damaged(&format!("page index {i} out of range")))?
            .index() as u32;
        r.pos = pos;
        // A damaged count reserves no more than the bytes left could describe.
        let k = r.count_min(occ_min)?;
        pos = r.pos;
        targets.resize(targets.len() + k, t);
        occs.reserve(k);
        for _ in 0..k {
            let anchor = u32_at(r, &mut pos)?;
            let order = u32_at(r, &mut pos)?;
            if anchor as usize >= na {
                return Err(damaged("bad link occurrence"));
            }
            let (region, flags, quality) = if KINDS {
                let Some(&kind) = b.get(pos) else {
                    return Err(damaged("it ends too early"));
                };
                pos += 1;
                match kinds.get(usize::from(kind)) {
                    Some(&k) => k,
                    None if kind == KIND_ESCAPE => kind_bytes(b, &mut pos)?,
                    None => return Err(damaged("an unknown occurrence kind")),
                }
            } else {
                kind_bytes(b, &mut pos)?
            };
            occs.push(Occurrence {
                anchor,
                order,
                region,
                flags,
                quality,
            });
        }
    }
    r.pos = pos;
    Ok(())
}

/// `k` varints that fit in a `u32`.
fn read_u32s(r: &mut Reader<'_>, k: usize) -> Result<Vec<u32>> {
    let mut v = Vec::with_capacity(k);
    for n in chunk_sizes(k) {
        read_u32s_into(r, n, &mut v)?;
    }
    Ok(v)
}

/// [`read_u32s`] of `k` varints (one call of a chunk: see [`CHUNK`]).
#[inline(never)]
fn read_u32s_into(r: &mut Reader<'_>, k: usize, v: &mut Vec<u32>) -> Result<()> {
    for _ in 0..k {
        v.push(r.u32()?);
    }
    Ok(())
}

/// Are the pages of a restored `site` at the indexes `chunk` normalised addresses of it,
/// each with a canonical page that matches its declared canonical? Adds the pages known
/// only from links that no page links to onto `unlinked`. (`buf` is scratch.)
#[inline(never)]
fn check_pages(
    site: &Site,
    chunk: std::ops::Range<usize>,
    buf: &mut String,
    unlinked: &mut Vec<PageId>,
) -> Result<()> {
    let norm = site.graph.normalizer();
    for id in chunk.map(PageId::new) {
        let Some(p) = site.graph.page(id) else {
            continue;
        };
        if p.state() == PageState::Discovered && site.graph.in_degree(id) == 0 {
            unlinked.push(id);
        }
        let ok = p.url.len() <= MAX_URL_LEN && norm.is_normalized(&p.url, buf);
        if !ok {
            return Err(damaged(&format!(
                "the page {} is not a normalised address of {}",
                clamp_for_message(&p.url),
                site.root()
            )));
        }
        // The declared canonical and the canonical page agree, as ingest and import make
        // them (else an export → import would not give the same pages).
        if let Some(c) = p.canonical_url() {
            let base = url::Url::parse(&p.url).ok();
            let expected = match norm.classify(c, base.as_ref()) {
                Ok(Classified::Internal { url, .. }) if *url != *p.url => Some(url),
                _ => None,
            };
            let actual = p
                .canonical
                .and_then(|id| site.graph.page(id))
                .map(|c| &c.url);
            if expected.as_deref() != actual.map(|u| &**u) {
                return Err(damaged(&format!(
                    "the canonical of {} does not match its declaration",
                    clamp_for_message(&p.url)
                )));
            }
        }
    }
    Ok(())
}

/// Pages (or anchors, or links' pages) a restore reads in one call of a function. V8 runs a
/// wasm function's first calls as baseline code and switches to optimised code only for its
/// later calls (a running call never switches), so a restore in a woken worker reads in
/// calls of this many items rather than in one long loop. Within a call the loop is short
/// enough that the baseline calls cost little; over a 100,000-page snapshot, most calls run
/// optimised code.
const CHUNK: usize = 256;

/// `n` split into [`CHUNK`]s (the last one shorter).
fn chunk_sizes(n: usize) -> impl Iterator<Item = usize> {
    (0..n).step_by(CHUNK).map(move |i| CHUNK.min(n - i))
}

/// `k` anchor texts into `anchors`, as the next ids (indexed at the first lookup).
#[inline(never)]
fn read_anchors(r: &mut Reader<'_>, anchors: &mut Interner, k: usize) -> Result<()> {
    for _ in 0..k {
        anchors.push_unindexed(r.str()?);
    }
    Ok(())
}

/// `k` pages into `graph` (a URL marked so is written without `prefix`, the site's root):
/// their ids onto `ids`, and for the pages with a canonical or a redirect, their position
/// and those references (positions, resolved once every page exists) onto `refs`.
#[inline(never)]
fn read_pages(
    r: &mut Reader<'_>,
    graph: &mut SiteGraph,
    (k, prefix): (usize, &str),
    ids: &mut Vec<PageId>,
    refs: &mut Vec<(usize, Option<u32>, Option<u32>)>,
) -> Result<()> {
    for _ in 0..k {
        let (page, canonical, redirect_to) = read_page(r, prefix)?;
        if canonical.is_some() || redirect_to.is_some() {
            refs.push((ids.len(), canonical, redirect_to));
        }
        let id = graph
            .add_page(page)
            .ok_or_else(|| damaged("duplicate pages"))?;
        ids.push(id);
    }
    Ok(())
}

/// The links of the pages `sources` into `graph`'s shared arrays; `(ids, na, delta)` as
/// for [`read_page_links`].
#[inline(never)]
fn read_links(
    r: &mut Reader<'_>,
    graph: &mut SiteGraph,
    sources: &[PageId],
    layout: &LinkLayout<'_>,
) -> Result<()> {
    for &s in sources {
        let (targets, occs) = graph.shared_mut();
        let at = targets.len();
        if layout.kinds.is_some() {
            read_page_links::<true>(r, layout, targets, occs)?;
        } else {
            read_page_links::<false>(r, layout, targets, occs)?;
        }
        if !graph.adopt_shared(s, at) {
            // Written sorted; a damaged order is accepted like an import's.
            let (targets, occs) = graph.shared_mut();
            let links = targets[at..]
                .iter()
                .copied()
                .zip(occs[at..].iter().copied())
                .collect();
            targets.truncate(at);
            occs.truncate(at);
            graph.set_outlinks(s, links);
        }
    }
    Ok(())
}

/// The stored click depths of the pages `chunk` (0 unreached, else depth + 1) into
/// `depth`, by page index.
#[inline(never)]
fn read_depths(r: &mut Reader<'_>, chunk: &[PageId], depth: &mut [u32]) -> Result<()> {
    for &id in chunk {
        let d = u32::try_from(r.var()?)
            .ok()
            .filter(|&d| d != u32::MAX)
            .ok_or_else(|| damaged("a depth out of range"))?;
        if let Some(x) = depth.get_mut(id.index()) {
            *x = d;
        }
    }
    Ok(())
}

/// The stored shares of the pages `chunk` into `share`, by page index (left NaN when not
/// a finite, non-negative number).
#[inline(never)]
fn read_shares(r: &mut Reader<'_>, chunk: &[PageId], share: &mut [f64]) -> Result<()> {
    for &id in chunk {
        let v = f64::from_le_bytes(r.fixed::<8>()?);
        if let Some(x) = share
            .get_mut(id.index())
            .filter(|_| v.is_finite() && v >= 0.0)
        {
            *x = v;
        }
    }
    Ok(())
}

impl Site {
    /// The whole state as compact bytes (for IndexedDB), format version 5 (see the comment
    /// above).
    pub fn snapshot(&self) -> Vec<u8> {
        self.snapshot_with(true, 5)
    }

    /// [`Site::snapshot`] without the whole of it in memory at once: `emit` gets the bytes
    /// after the 12-byte header in order, in parts of at least `part_bytes` (a part ends
    /// between two pages, so it can be longer), and the header, which goes before them, is
    /// returned last (it holds their checksum). The header followed by the parts is exactly
    /// `snapshot()`. The bytes are written twice, first only counted: the checksum starts
    /// from their length.
    pub fn snapshot_parts(&self, part_bytes: usize, emit: impl FnMut(&[u8])) -> [u8; 12] {
        let prep = SnapshotPrep::new(self, true, 5);
        let mut count = Writer(Counter(0));
        self.write_snapshot_body(&mut count, 5, &prep);
        let mut w = Writer(Parts {
            buf: Vec::with_capacity(part_bytes.clamp(8, 1 << 22) + (64 << 10)),
            part: part_bytes.max(8),
            sum: Checksum::new(count.0 .0),
            emit,
        });
        self.write_snapshot_body(&mut w, 5, &prep);
        let sum = w.0.finish();
        let mut header = [0u8; 12];
        header[..4].copy_from_slice(&SNAP_MAGIC_V5);
        header[4..].copy_from_slice(&sum.to_le_bytes());
        header
    }

    /// [`Site::snapshot`]; without the optional sections (shares, depths) when `sections` is
    /// false, and as format `version` 2 (absolute target positions) or 3 (no occurrence
    /// count), as earlier builds wrote it, or 4.
    fn snapshot_with(&self, sections: bool, version: u8) -> Vec<u8> {
        let prep = SnapshotPrep::new(self, sections, version);
        let mut w = Writer(Vec::with_capacity(16 + self.graph.occurrence_count() * 8));
        w.bytes(match version {
            2 => &SNAP_MAGIC_V2,
            3 => &SNAP_MAGIC_V3,
            4 => &SNAP_MAGIC_V4,
            _ => &SNAP_MAGIC_V5,
        });
        w.bytes(&[0u8; 8]);
        self.write_snapshot_body(&mut w, version, &prep);
        let sum = checksum(&w.0[12..]);
        w.0[4..12].copy_from_slice(&sum.to_le_bytes());
        w.0
    }

    /// Everything after the header of a snapshot of format `version`.
    fn write_snapshot_body<S: Sink>(&self, w: &mut Writer<S>, version: u8, prep: &SnapshotPrep) {
        let v3 = version >= 3;
        let g = &self.graph;
        let p = |id: PageId| prep.pos.get(id.index()).copied().unwrap_or(u32::MAX);
        // Page URLs are written without the root they start with (version 4).
        let prefix = if version >= 4 { self.root() } else { "" };
        let sections = prep.current.is_some();
        w.str(self.root());
        w.str(&serde_json::to_string(&self.settings).unwrap_or_default());
        if version >= 4 {
            w.var(g.occurrence_count() as u64);
        }
        if version >= 5 {
            w.var(prep.kinds.len() as u64);
            for &(region, flags, quality) in &prep.kinds {
                w.bytes(&[region_to_u8(region), flags, quality]);
            }
        }
        w.var(g.anchors.len() as u64);
        for i in 0..g.anchors.len() as u32 {
            w.str(g.anchors.get(i));
        }
        w.var(g.page_count() as u64);
        for pg in g.page_ids().filter_map(|id| g.page(id)) {
            let rest = pg.url.strip_prefix(prefix).filter(|_| !prefix.is_empty());
            w.str(rest.unwrap_or(&pg.url));
            let bits = u64::from(pg.visited)
                | u64::from(pg.meta_refresh) << 1
                | u64::from(pg.noindex) << 2
                | u64::from(pg.nofollow) << 3
                | u64::from(pg.observed_at.is_some()) << 4
                | u64::from(pg.title().is_some()) << 5
                | u64::from(pg.h1().is_some()) << 6
                | u64::from(pg.lang().is_some()) << 7
                | u64::from(pg.canonical_url().is_some()) << 8
                | u64::from(pg.canonical.is_some()) << 9
                | u64::from(pg.redirect_to.is_some()) << 10
                | u64::from(rest.is_some()) << 11;
            w.var(bits);
            if let Some(t) = pg.observed_at {
                w.bytes(&t.ms().to_le_bytes());
            }
            for s in [pg.title(), pg.h1(), pg.lang(), pg.canonical_url()]
                .into_iter()
                .flatten()
            {
                w.str(s);
            }
            for id in [pg.canonical, pg.redirect_to].into_iter().flatten() {
                w.u32(p(id));
            }
            w.u32(pg.external_links);
            w.bytes(&pg.external_weight.to_le_bytes());
            w.u32(pg.external_nofollow);
            w.u32(pg.non_navigational);
            w.u32(pg.invalid_links);
            w.u32(pg.truncated_links);
            w.0.boundary();
        }
        for id in g.page_ids() {
            // Targets come sorted by index, so their positions ascend too.
            let (targets, _) = g.out_slices(id);
            w.var(crate::graph::runs(targets).count() as u64);
            let mut prev: Option<u32> = None;
            for (t, e) in g.outlinks(id) {
                let at = p(t);
                w.u32(match prev {
                    Some(before) if v3 => at - before,
                    _ => at,
                });
                prev = Some(at);
                w.var(e.occurrences.len() as u64);
                for o in e.occurrences {
                    w.u32(o.anchor);
                    w.u32(o.order);
                    if version >= 5 {
                        let k = prep.kind_index.get((o.region, o.flags, o.quality));
                        w.byte(k);
                        if k != KIND_ESCAPE {
                            continue;
                        }
                    }
                    w.byte(region_to_u8(o.region));
                    w.byte(o.flags);
                    w.byte(o.quality);
                }
            }
            w.0.boundary();
        }
        for model in [Model::Prominence, Model::Classic] {
            let tag = model_tag(model);
            if !sections {
                break;
            }
            if let Some(a) = self.last_authority(model) {
                w.byte(tag);
                for id in g.page_ids() {
                    let share = a.share_of(id).unwrap_or(f64::NAN);
                    w.bytes(&share.to_le_bytes());
                    w.0.boundary();
                }
            }
        }
        if let Some((a, st)) = &prep.current {
            w.byte(3);
            for id in g.page_ids() {
                w.var(st.depth_of(id).map_or(0, |d| u64::from(d) + 1));
                w.0.boundary();
            }
            // Their order (compact ids, highest share first): a restore need not sort them.
            w.byte(5);
            w.var(a.order.len() as u64);
            for &c in &a.order {
                w.0.boundary();
                w.var(u64::from(c));
            }
            // The shares of the model in use were computed for this very graph and these
            // settings: a restore takes them as they are.
            w.byte(4);
            w.byte(model_tag(a.model));
            w.var(u64::from(a.iterations));
            w.bytes(&a.residual.to_le_bytes());
        }
    }

    /// Rebuilds a site from [`Site::snapshot`] bytes (version 2, or version 1 as written by
    /// earlier builds); a clear error, and never a panic, if they are damaged.
    pub fn restore(bytes: &[u8]) -> Result<Site> {
        let mut site = match bytes.get(..4) {
            Some(m) if m == SNAP_MAGIC_V5 => Site::restore_v2(bytes, 5),
            Some(m) if m == SNAP_MAGIC_V4 => Site::restore_v2(bytes, 4),
            Some(m) if m == SNAP_MAGIC_V3 => Site::restore_v2(bytes, 3),
            Some(m) if m == SNAP_MAGIC_V2 => Site::restore_v2(bytes, 2),
            Some(m) if m == SNAP_MAGIC => Site::restore_v1(bytes),
            _ => Err(damaged("unknown format")),
        }?;
        // Every page must be a normalised address of the site, as ingest makes them (in
        // calls of `CHUNK` pages, as the restore reads them).
        let bound = site.graph.index_bound();
        let mut buf = String::new();
        let mut unlinked = Vec::new();
        for start in (0..bound).step_by(CHUNK) {
            check_pages(
                &site,
                start..bound.min(start + CHUNK),
                &mut buf,
                &mut unlinked,
            )?;
        }
        // A page known only from links that nothing links to (damage behind a valid
        // checksum) is dropped, as a visit or an import drops one.
        if !unlinked.is_empty() {
            site.graph.prune_stale(unlinked);
        }
        Ok(site)
    }

    /// Reads a snapshot of format `version` 2, 3 (target positions as differences within a
    /// page), 4 (and the number of occurrences before the links) or 5 (and occurrence
    /// kinds).
    fn restore_v2(bytes: &[u8], version: u8) -> Result<Site> {
        let delta = version >= 3;
        let occ_min = occurrence_min_bytes(version >= 5);
        let mut r = Reader { b: bytes, pos: 4 };
        let sum = u64::from_le_bytes(r.fixed::<8>()?);
        if checksum(&bytes[12..]) != sum {
            return Err(damaged("its checksum does not match"));
        }
        let root = r.str()?;
        let settings: Settings =
            serde_json::from_str(r.str()?).map_err(|e| damaged(&format!("settings: {e}")))?;
        let mut site = Site::new(root, settings).map_err(|e| damaged(&e.to_string()))?;
        // Version 4 writes page URLs without this root (page field bit 11).
        let prefix = if version >= 4 { root } else { "" };
        if version >= 4 {
            // The shared link arrays first: the largest blocks of the restore, placed before
            // the small ones in the heap the wasm restore reserved (`reserve_heap`).
            let total = r.count_min(occ_min)?;
            let (targets, occs) = site.graph.shared_mut();
            targets.reserve_exact(total);
            occs.reserve_exact(total);
        }
        let kinds = if version >= 5 {
            read_kinds(&mut r)?
        } else {
            Vec::new()
        };
        // An anchor takes at least one byte (its length).
        let na = r.count_min(1)?;
        site.graph.anchors.reserve(na);
        for k in chunk_sizes(na) {
            read_anchors(&mut r, &mut site.graph.anchors, k)?;
        }
        // A page takes at least 12 bytes (URL length, bits, f32, five counters, its edge
        // count): bounds what a damaged count could make us reserve.
        let n = r.count_min(12)?;
        // Exact capacities for the pages: no doubling (wasm memory never shrinks), no
        // rehashing. (Edges are not counted ahead in the format; their array still doubles.)
        site.graph.reserve_pages(n);
        let mut ids: Vec<PageId> = Vec::with_capacity(n);
        // Canonical and redirect positions, resolved once every page exists.
        let mut refs: Vec<(usize, Option<u32>, Option<u32>)> = Vec::new();
        // Every loop over pages or links runs in calls of [`CHUNK`] pages: V8 runs a wasm
        // function's first calls as baseline code and switches to optimised code only on a
        // later call, so one long loop in one call would stay slow in a woken worker.
        for k in chunk_sizes(n) {
            read_pages(&mut r, &mut site.graph, (k, prefix), &mut ids, &mut refs)?;
        }
        let get = |i: u32| -> Result<PageId> {
            ids.get(i as usize)
                .copied()
                .ok_or_else(|| damaged(&format!("page index {i} out of range")))
        };
        for (i, canonical, redirect_to) in refs {
            let canonical = canonical.map(get).transpose()?;
            let redirect_to = redirect_to.map(get).transpose()?;
            if let Some(p) = site.graph.page_mut(ids[i]) {
                p.canonical = canonical;
                p.redirect_to = redirect_to;
            }
        }
        let links = LinkLayout {
            ids: &ids,
            na,
            delta,
            kinds: (version >= 5).then_some(&kinds[..]),
        };
        for chunk in ids.chunks(CHUNK) {
            read_links(&mut r, &mut site.graph, chunk, &links)?;
        }
        // The latest shares: the first ranking after the restore starts from them, or, when
        // the snapshot says they are this graph's, takes them as they are.
        let mut warm = Vec::new();
        let mut depths = None;
        let mut converged: Option<(Model, u32, f64)> = None;
        let mut order: Option<Vec<u32>> = None;
        while r.pos < bytes.len() {
            let model = match r.byte()? {
                1 => Model::Prominence,
                2 => Model::Classic,
                4 => {
                    let model = match r.byte()? {
                        1 => Model::Prominence,
                        2 => Model::Classic,
                        _ => return Err(damaged("an unknown model")),
                    };
                    let iterations = u32::try_from(r.var()?)
                        .map_err(|_| damaged("an iteration count out of range"))?;
                    let residual = f64::from_le_bytes(r.fixed::<8>()?);
                    converged = Some((model, iterations, residual));
                    continue;
                }
                5 => {
                    // A varint takes at least one byte.
                    let k = r.count_min(1)?;
                    order = Some(read_u32s(&mut r, k)?);
                    continue;
                }
                3 => {
                    // As stored (0 unreached, else depth + 1), 4 bytes a page while the
                    // snapshot is held; checked and expanded after (`Site::seed_depths`).
                    let mut depth = vec![0u32; site.graph.index_bound()];
                    for chunk in ids.chunks(CHUNK) {
                        read_depths(&mut r, chunk, &mut depth)?;
                    }
                    depths = Some(depth);
                    continue;
                }
                _ => return Err(damaged("unexpected bytes at the end")),
            };
            // Only a seed for the warm start (never reported): shares by page index, NaN
            // when not ranked, and no page list or compact ids (less memory while the
            // snapshot is held).
            let bound = site.graph.index_bound();
            let mut share = vec![f64::NAN; bound];
            for chunk in ids.chunks(CHUNK) {
                read_shares(&mut r, chunk, &mut share)?;
            }
            // No `compact` either: the seed's shares are by graph index (see its docs).
            warm.push(crate::authority::Authority {
                model,
                pages: Vec::new(),
                compact: Vec::new(),
                share,
                rank: Vec::new(),
                share_range: (f64::NAN, f64::NAN),
                order: Vec::new(),
                iterations: 0,
                residual: f64::NAN,
                warm_started: false,
            });
        }
        site.graph.shrink_to_fit();
        site.graph.structural();
        for a in warm {
            site.seed_warm(a);
        }
        if let Some((model, iterations, residual)) = converged {
            if model == site.settings.model {
                site.seed_converged(model, (iterations, residual), order);
            }
        }
        if let Some(depth) = depths {
            site.seed_depths(depth);
        }
        Ok(site)
    }

    /// Reads a version 1 (postcard) snapshot, as written before version 2.
    fn restore_v1(bytes: &[u8]) -> Result<Site> {
        let damaged = |why: String| Error::Import(format!("the stored snapshot is damaged: {why}"));
        let snap: Snapshot = postcard::from_bytes(bytes).map_err(|e| damaged(e.to_string()))?;
        if snap.magic != SNAP_MAGIC {
            return Err(damaged("unknown format".into()));
        }
        let settings: Settings =
            serde_json::from_str(&snap.settings_json).map_err(|e| damaged(e.to_string()))?;
        let mut site = Site::new(&snap.root, settings)?;
        let n = snap.pages.len();
        let na = snap.anchors.len();
        for a in &snap.anchors {
            site.graph.anchors.intern(a);
        }
        if site.graph.anchors.len() != na {
            return Err(damaged("duplicate anchor strings".into()));
        }
        let mut ids = Vec::with_capacity(n);
        for pg in &snap.pages {
            let id = site.graph.get_or_insert(&pg.url);
            ids.push(id);
        }
        if site.graph.page_count() != n {
            return Err(damaged("duplicate pages".into()));
        }
        let get = |i: Option<u32>| -> Result<Option<PageId>> {
            match i {
                None => Ok(None),
                Some(i) => ids
                    .get(i as usize)
                    .copied()
                    .map(Some)
                    .ok_or_else(|| damaged(format!("page index {i} out of range"))),
            }
        };
        let mut pages = Vec::with_capacity(n);
        for pg in snap.pages {
            let canonical = get(pg.canonical)?;
            let redirect_to = get(pg.redirect_to)?;
            pages.push(Page {
                url: pg.url.into(),
                visited: pg.visited,
                observed_at: pg.observed_at.and_then(Timestamp::new),
                texts: PageTexts::new(
                    pg.title.as_deref(),
                    pg.h1.as_deref(),
                    pg.lang.as_deref(),
                    pg.canonical_url.as_deref(),
                ),
                canonical,
                redirect_to,
                meta_refresh: pg.meta_refresh,
                noindex: pg.noindex,
                nofollow: pg.nofollow,
                external_links: pg.external_links,
                external_weight: pg.external_weight,
                external_nofollow: pg.external_nofollow,
                non_navigational: pg.non_navigational,
                invalid_links: pg.invalid_links,
                truncated_links: pg.truncated_links,
            });
        }
        for (id, pg) in ids.iter().zip(pages) {
            if let Some(slot) = site.graph.page_mut(*id) {
                *slot = pg;
            }
        }
        let mut out: HashMap<PageId, Vec<(u32, Occurrence)>> = HashMap::new();
        for e in snap.edges {
            let (Some(Some(s)), Some(Some(t))) =
                (get(Some(e.source)).ok(), get(Some(e.target)).ok())
            else {
                return Err(damaged(format!(
                    "edge {} → {} out of range",
                    e.source, e.target
                )));
            };
            let links = out.entry(s).or_default();
            for (a, order, region, fl, q) in e.occ {
                if a as usize >= na
                    || AnchorCode::from_u8(q & !crate::graph::LIGHTHOUSE_FAILS).is_none()
                {
                    return Err(damaged("bad link occurrence".into()));
                }
                let region = region_from_u8(region).ok_or_else(|| damaged("bad region".into()))?;
                links.push((
                    t.index() as u32,
                    Occurrence {
                        anchor: a,
                        order,
                        region,
                        flags: fl,
                        quality: q,
                    },
                ));
            }
        }
        for (s, links) in out {
            site.graph.set_outlinks(s, links);
        }
        site.graph.structural();
        Ok(site)
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    fn sample() -> Site {
        let mut s = Site::new("https://s.test/", Settings::default()).expect("root");
        let obs = crate::RawObservation::from_json(
            r#"{"url": "https://s.test/", "title": "Home", "observedAt": 5,
                "links": [{"href": "https://s.test/a", "text": "A page", "region": "nav"},
                          {"href": "https://s.test/a#x", "text": "Read more", "rel": "nofollow"},
                          {"href": "https://other.test/"}]}"#,
        )
        .expect("obs");
        s.ingest(obs).expect("ingest");
        let mut o =
            crate::RawObservation::from_json(r#"{"url": "https://s.test/b"}"#).expect("obs");
        o.requested_url = Some("https://s.test/old".into());
        o.canonical = Some("https://s.test/".into());
        s.ingest(o).expect("ingest");
        s
    }

    /// An import of the export's bytes is the import of its text; bytes that are not UTF-8
    /// are refused as such, and change nothing.
    #[test]
    fn an_import_of_bytes_is_the_import_of_the_text() {
        let s = sample();
        let text = String::from_utf8(s.export_json_bytes()).expect("utf-8");
        let mut a = Site::new("https://s.test/", Settings::default()).expect("root");
        let mut b = Site::new("https://s.test/", Settings::default()).expect("root");
        let sa = a.import_json(&text).expect("text");
        let sb = b.import_json_bytes(text.as_bytes()).expect("bytes");
        assert_eq!(sa, sb);
        assert_eq!(a.export_json_bytes(), b.export_json_bytes());
        let from = Site::from_export_json_bytes(text.as_bytes()).expect("new site from bytes");
        assert_eq!(from.export_json_bytes(), a.export_json_bytes());

        let mut bad = text.clone().into_bytes();
        let at = text.find("A page").expect("an anchor");
        bad[at] = 0xFF; // not UTF-8, inside a string
        let before = b.export_json_bytes();
        let e = b.import_json_bytes(&bad).expect_err("not UTF-8");
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        assert_eq!(
            b.export_json_bytes(),
            before,
            "a refused import changed nothing"
        );
        let e = b
            .import_json_bytes(&bad[..bad.len() / 2])
            .expect_err("truncated");
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    /// An import borrows the URLs and anchors it parses from the text, except strings with
    /// escapes, which it decodes: both give the same site, and an anchor over the length
    /// limit is cut as a visit cuts it.
    #[test]
    fn an_import_borrows_what_it_can_and_decodes_escapes() {
        let s = sample();
        let text = String::from_utf8(s.export_json_bytes()).expect("utf-8");
        let doc = parse_doc(&text).expect("parse");
        assert!(doc
            .links
            .iter()
            .all(|l| matches!(l.source, Cow::Borrowed(_)) && matches!(l.target, Cow::Borrowed(_))));
        assert!(doc.nodes.iter().all(|n| matches!(n.id, Cow::Borrowed(_))));
        assert!(doc
            .links
            .iter()
            .flat_map(|l| &l.occurrences)
            .all(|o| matches!(o.anchor, Cow::Borrowed(_))));

        // The same export with an escaped anchor and an anchor far over the limit.
        let long = "é".repeat(MAX_TEXT_LEN); // two bytes each: twice the limit
        let edited = text
            .replace("\"A page\"", "\"A \\u0070age \\\"quoted\\\"\"")
            .replace("\"Read more\"", &format!("\"{long}\""));
        assert_ne!(edited, text);
        let doc = parse_doc(&edited).expect("parse the edited export");
        let anchors: Vec<&Cow<'_, str>> = doc
            .links
            .iter()
            .flat_map(|l| &l.occurrences)
            .map(|o| &o.anchor)
            .collect();
        assert!(anchors
            .iter()
            .any(|a| matches!(a, Cow::Owned(t) if t == "A page \"quoted\"")));
        let mut t = Site::new("https://s.test/", Settings::default()).expect("root");
        t.import_json(&edited).expect("import");
        let texts: Vec<String> = t
            .graph
            .page_ids()
            .flat_map(|id| t.graph.outlinks(id).collect::<Vec<_>>())
            .flat_map(|(_, e)| {
                e.occurrences
                    .iter()
                    .map(|o| t.graph.anchor_text(o.anchor).to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(texts.iter().any(|a| a == "A page \"quoted\""), "{texts:?}");
        let cut = texts
            .iter()
            .find(|a| a.starts_with('é'))
            .expect("the long anchor");
        assert_eq!(
            cut.len(),
            MAX_TEXT_LEN,
            "cut at the limit, on a character boundary"
        );
        assert!(cut.chars().all(|c| c == 'é'));
    }

    /// Version 5 writes an occurrence's region, flags and quality as its kind, an index into
    /// a table of at most 255 kinds; kinds past the table are written escaped, with their
    /// three bytes, and every one restores as it was.
    #[test]
    fn occurrence_kinds_past_the_table_are_written_escaped() {
        let mut s = Site::new("https://s.test/", Settings::default()).expect("root");
        let home = s.graph.get_or_insert("https://s.test/");
        let anchor = s.graph.anchors.intern("A page");
        let n = 600u32;
        let links: Vec<(u32, Occurrence)> = (0..n)
            .map(|i| {
                let t = s.graph.get_or_insert(&format!("https://s.test/p{}", i % 7));
                let occ = Occurrence {
                    anchor,
                    order: i,
                    region: Region::ALL[(i % 6) as usize],
                    flags: (i / 6) as u8,
                    quality: AnchorCode::Generic.to_u8() | crate::graph::LIGHTHOUSE_FAILS,
                };
                (t.index() as u32, occ)
            })
            .collect();
        s.graph.set_outlinks(home, links);
        if let Some(p) = s.graph.page_mut(home) {
            p.visited = true; // else, as nothing links to it, the restore drops it
        }
        let (table, _) = kinds_of(&s.graph);
        assert_eq!(table.len(), usize::from(KIND_ESCAPE), "a full table");
        // Ranked and explored before the snapshot, as the restored copy will be when it is
        // written again below.
        let expect = s.export_json();
        let bytes = s.snapshot();
        let v4 = s.snapshot_with(true, 4);
        // Two bytes less for each kind in the table, one more for each escaped one (its
        // escape byte); the table's count takes two bytes.
        let escaped = n as usize - table.len();
        assert_eq!(
            bytes.len() + 2 * table.len(),
            v4.len() + escaped + 2 + 3 * table.len()
        );
        let r = Site::restore(&bytes).expect("restore");
        assert!(r.export_json() == expect, "the same site");
        assert!(r.snapshot() == bytes, "the same bytes");
        let occs = |site: &Site| -> Vec<Occurrence> {
            site.graph
                .outlinks(site.graph.id_of("https://s.test/").expect("home"))
                .flat_map(|(_, e)| e.occurrences.iter().copied())
                .collect()
        };
        assert_eq!(occs(&r), occs(&s));
        assert_eq!(Site::restore(&v4).map(|r| occs(&r)).ok(), Some(occs(&s)));
    }

    /// Version 4 writes every page URL without the site's root (the root is written once,
    /// first), and they restore as they were; the bit that says so means nothing in an
    /// older version, whose URLs are whole.
    #[test]
    fn urls_are_written_without_the_root() {
        let mut s = Site::new("https://s.test/", Settings::default()).expect("root");
        let obs = crate::RawObservation::from_json(
            r#"{"url": "https://s.test/docs/", "title": "Docs",
                "links": [{"href": "/docs/guide", "text": "Guide"},
                          {"href": "/pricing", "text": "Pricing"}]}"#,
        )
        .expect("obs");
        s.ingest(obs).expect("ingest");
        assert_eq!(s.graph.page_count(), 3);
        let bytes = s.snapshot();
        let count =
            |b: &[u8], needle: &[u8]| b.windows(needle.len()).filter(|w| *w == needle).count();
        assert_eq!(count(&bytes, b"https://s.test/"), 1, "the root, once");
        assert_eq!(count(&bytes, b"docs/guide"), 1);
        let r = Site::restore(&bytes).expect("restore");
        assert_eq!(r.snapshot(), bytes);
        assert_eq!(r.export_json(), s.export_json());
        // The field bits of the page whose URL ends in `tail` (one byte without bit 11:
        // no lang here), given the URL as the snapshot writes it.
        let bits_after = |b: &[u8], tail: &[u8]| -> usize {
            let at = b.windows(tail.len()).position(|w| w == tail);
            at.expect("the URL in the snapshot") + tail.len()
        };
        let reseal = |b: &mut Vec<u8>| {
            let sum = checksum(&b[12..]);
            b[4..12].copy_from_slice(&sum.to_le_bytes());
        };
        // Version 3 writes them whole, and bit 11 set there (damage behind the checksum)
        // means nothing: the page restores as it was.
        let mut v3 = s.snapshot_with(true, 3);
        assert_eq!(count(&v3, b"https://s.test/"), 4);
        assert!(Site::restore(&v3).is_ok());
        let at = bits_after(&v3, b"https://s.test/pricing");
        assert!(v3[at] < 0x80);
        v3.splice(at..=at, [v3[at] | 0x80, 0x10]);
        reseal(&mut v3);
        assert!(
            Site::restore(&v3).is_ok(),
            "an older version ignores the bit"
        );
        // In version 4 the bit is what adds the root: without it, "pricing" is no address
        // and the URL check refuses the page.
        let mut v4 = bytes.clone();
        let at = bits_after(&v4, b"pricing");
        assert!(v4[at] >= 0x80, "bit 11 set, so two bytes");
        v4[at + 1] &= !0x10;
        reseal(&mut v4);
        assert!(Site::restore(&v4).is_err());
    }

    #[test]
    fn v2_round_trip_and_checksum() {
        let s = sample();
        // As earlier builds wrote it: without the optional sections.
        let plain = s.snapshot_with(false, 2);
        assert_eq!(&plain[..4], b"LFS2");
        let r = Site::restore(&plain).expect("restore");
        assert_eq!(r.export_json(), s.export_json());
        // With shares (the export ranked both models) and depths.
        let v2 = s.snapshot_with(true, 2);
        let r = Site::restore(&v2).expect("restore v2 with sections");
        assert_eq!(r.export_json(), s.export_json());
        let v3 = s.snapshot_with(true, 3);
        assert_eq!(&v3[..4], b"LFS3");
        assert!(v3.len() <= v2.len(), "differences are no longer");
        let r = Site::restore(&v3).expect("restore v3");
        assert_eq!(r.export_json(), s.export_json());
        let v4 = s.snapshot_with(true, 4);
        assert_eq!(&v4[..4], b"LFS4");
        // Version 4: the occurrence count in (one byte here), each URL's root out (the
        // field bits then take a second byte at most).
        let urls = s.graph.page_count();
        assert!(
            v4.len() + urls * (s.root().len() - 1) <= v3.len() + 1,
            "every URL written without the root"
        );
        let r = Site::restore(&v4).expect("restore v4");
        assert_eq!(r.export_json(), s.export_json());
        let bytes = s.snapshot();
        assert_eq!(&bytes[..4], b"LFS5");
        // Version 5: each occurrence's three bytes become its kind, after a table of the
        // kinds (its count in one byte, three bytes a kind).
        let kinds = kinds_of(&s.graph).0.len();
        assert!(kinds > 1 && kinds < 128, "{kinds} kinds");
        assert_eq!(
            bytes.len() + 2 * s.graph.occurrence_count(),
            v4.len() + 1 + 3 * kinds,
            "one byte an occurrence instead of three"
        );
        let r = Site::restore(&bytes).expect("restore");
        assert_eq!(r.export_json(), s.export_json());
        assert_eq!(r.snapshot(), bytes);
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x20;
            assert!(
                Site::restore(&bad).is_err(),
                "byte {i} changed and accepted"
            );
            assert!(Site::restore(&bytes[..i]).is_err());
        }
    }

    /// Varints read back as written, at every length (the reader takes one, two and three
    /// bytes by shortcuts), also when longer than needed or at the very end of the bytes;
    /// cut short or too long, they are refused.
    #[test]
    fn varints_read_back_at_every_length() {
        let mut values = vec![0, 1, 0x7F, u64::MAX, u64::MAX - 1];
        for bits in 1..64 {
            values.extend([(1u64 << bits) - 1, 1u64 << bits, (1u64 << bits) + 1]);
        }
        for &v in &values {
            let mut w = Writer(Vec::new());
            w.var(v);
            for tail in [&[][..], &[0x05, 0x80]] {
                let mut bytes = w.0.clone();
                bytes.extend_from_slice(tail);
                let mut r = Reader { b: &bytes, pos: 0 };
                assert_eq!(r.var().ok(), Some(v), "{v:#x} before {tail:?}");
                assert_eq!(r.pos, w.0.len(), "{v:#x}: bytes read");
            }
            let cut = &w.0[..w.0.len() - 1];
            assert!(Reader { b: cut, pos: 0 }.var().is_err() || cut.is_empty() && v < 0x80);
        }
        // Longer than needed (padding bytes of 0x80): still the value.
        for (bytes, v) in [
            (&[0x81, 0x00][..], 1),
            (&[0x80, 0x80, 0x00], 0),
            (&[0xFF, 0x80, 0x01], 0x7F | 1 << 14),
            (&[0x80, 0x80, 0x80, 0x01], 1 << 21),
        ] {
            assert_eq!(Reader { b: bytes, pos: 0 }.var().ok(), Some(v), "{bytes:?}");
        }
        let eleven = [0x80u8; 11];
        assert!(Reader { b: &eleven, pos: 0 }.var().is_err());
        assert!(Reader {
            b: &[0x80, 0x80],
            pos: 0
        }
        .var()
        .is_err());
    }

    /// The links' reader (`u32_at`: one to three bytes in locals, longer ones through the
    /// reader) reads every value and length as `Reader::u32` does, from any position, and
    /// rejects what it rejects.
    #[test]
    fn link_varints_read_as_the_reader_reads_them() {
        let mut values = vec![0u64, 1, 0x7F, u64::from(u32::MAX), u64::from(u32::MAX) + 1];
        for bits in 1..40 {
            values.extend([(1u64 << bits) - 1, 1u64 << bits, (1u64 << bits) + 1]);
        }
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![0x81, 0x00],
            vec![0x80, 0x80, 0x00],
            vec![0x80, 0x80, 0x80, 0x01],
            vec![0x80; 11],
            vec![0x80, 0x80],
            vec![],
        ];
        for &v in &values {
            let mut w = Writer(vec![0x07]);
            w.var(v);
            inputs.push(w.0.clone());
            inputs.push(w.0[..w.0.len() - 1].to_vec());
            w.0.push(0x05);
            inputs.push(w.0);
        }
        for bytes in &inputs {
            for start in 0..bytes.len().min(2) {
                let mut expected = Reader {
                    b: bytes,
                    pos: start,
                };
                let want = expected.u32().ok();
                let mut r = Reader { b: bytes, pos: 0 };
                let mut pos = start;
                let got = u32_at(&mut r, &mut pos).ok();
                assert_eq!(got, want, "{bytes:x?} from {start}");
                if want.is_some() {
                    assert_eq!(pos, expected.pos, "{bytes:x?} from {start}: bytes read");
                }
            }
        }
    }

    /// The snapshot handed out in parts is the snapshot, byte for byte, whatever the part
    /// size (parts end between pages, at whole words but for the last), and restores.
    #[test]
    fn snapshot_parts_are_the_snapshot() {
        let site = synth_site(3_000);
        let whole = site.snapshot();
        for part in [0, 1, 7, 8, 9, 4_096, 65_536, 1 << 20, usize::MAX] {
            let mut parts: Vec<Vec<u8>> = Vec::new();
            let header = site.snapshot_parts(part, |b| parts.push(b.to_vec()));
            let mut joined = header.to_vec();
            for (i, b) in parts.iter().enumerate() {
                assert!(!b.is_empty(), "part {i} of {part}");
                if i + 1 < parts.len() {
                    assert!(
                        b.len() >= part.max(8),
                        "part {i} of {part}: {} bytes",
                        b.len()
                    );
                    assert_eq!(b.len() % 8, 0, "part {i} of {part}: whole words");
                }
                joined.extend_from_slice(b);
            }
            assert_eq!(joined, whole, "parts of {part} bytes");
            if part == 4_096 {
                assert!(parts.len() > 10, "{} parts", parts.len());
            }
        }
        let mut joined = Vec::new();
        let header = site.snapshot_parts(1 << 16, |b| joined.extend_from_slice(b));
        joined.splice(0..0, header);
        let back = Site::restore(&joined).expect("restores");
        assert_eq!(back.snapshot(), whole);
    }

    /// The checksum taken in 64 KiB calls is the one-pass checksum earlier builds sealed
    /// their snapshots with, at every length around the chunk boundaries.
    #[test]
    fn chunked_checksum_equals_the_one_pass_checksum() {
        fn one_pass(b: &[u8]) -> u64 {
            const K: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut h: u64 = K ^ (b.len() as u64);
            let mut chunks = b.chunks_exact(8);
            for c in &mut chunks {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
            }
            let mut w = [0u8; 8];
            w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
            h ^= h >> 29;
            h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            h ^ (h >> 32)
        }
        let mut rng = crate::synth::Rng::new(7);
        let data: Vec<u8> = (0..3 * CHECKSUM_CHUNK + 40)
            .map(|_| rng.next_u64() as u8)
            .collect();
        let mut lengths: Vec<usize> = (0..20).collect();
        for k in 1..=3 {
            let at = k * CHECKSUM_CHUNK;
            lengths.extend(at - 9..=at + 9);
        }
        lengths.push(data.len());
        for n in lengths {
            assert_eq!(checksum(&data[..n]), one_pass(&data[..n]), "length {n}");
        }
        // A change in the last chunk and in a middle one still shows.
        let mut bad = data.clone();
        bad[CHECKSUM_CHUNK + 3] ^= 1;
        assert_ne!(checksum(&bad), checksum(&data));
    }

    /// `snap` with its last section (4: the shares are this graph's) cut off, as snapshots
    /// were written before it existed, and the checksum sealed again.
    fn without_converged_section(mut snap: Vec<u8>, residual_at: usize) -> Vec<u8> {
        assert_eq!(snap.get(residual_at - 3), Some(&4), "section 4 at the end");
        snap.truncate(residual_at - 3);
        let sum = checksum(&snap[12..]);
        snap[4..12].copy_from_slice(&sum.to_le_bytes());
        snap
    }

    fn synth_site(pages: usize) -> Site {
        crate::synth::Synth::new(crate::synth::SynthConfig {
            pages,
            ..Default::default()
        })
        .site()
    }

    #[test]
    fn restored_shares_of_this_graph_are_taken_as_they_are() {
        let site = synth_site(2_000);
        let body = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: 2_000,
            ..Default::default()
        })
        .url(500);
        let before = site.authority(Model::Prominence);
        let report = site.page_report(&body).expect("report");
        let r = Site::restore(&site.snapshot()).expect("restore");
        // The first report ranks nothing and builds no CSR.
        assert_eq!(r.page_report(&body).expect("report"), report);
        assert!(r.authority_seeded(Model::Prominence));
        let taken = r.authority(Model::Prominence);
        assert_eq!(taken.share, before.share);
        assert_eq!(taken.order, before.order);
        assert_eq!(taken.rank, before.rank);
        assert_eq!(taken.iterations, before.iterations);
        assert_eq!(taken.residual.to_bits(), before.residual.to_bits());
        // Marked warm-started: the export ranks from scratch, so its bytes do not depend on
        // the restore.
        assert!(taken.warm_started);
        assert_eq!(r.export_json(), site.export_json());
        // The next visit ranks again (CSR built, warm start), as a site that never slept.
        let woke = visit_both(site.clone(), r, 2_000, 17);
        assert!(woke.iterations >= 1);
    }

    /// Page `page` of the `pages`-page synthetic site visited again with 3 of its links, on
    /// a live site and on a woken one; returns the woken site's authority after checking it
    /// was ranked (not taken from the snapshot) and equals the live one's.
    fn visit_both(
        mut live: Site,
        mut woke: Site,
        pages: usize,
        page: usize,
    ) -> std::rc::Rc<crate::authority::Authority> {
        let s = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages,
            ..Default::default()
        });
        for site in [&mut live, &mut woke] {
            let mut o = s.observation(page);
            o.links.truncate(3);
            site.ingest(o).expect("ingest");
        }
        let (a, b) = (
            live.authority(Model::Prominence),
            woke.authority(Model::Prominence),
        );
        assert!(
            !woke.authority_seeded(Model::Prominence),
            "ranked, not taken"
        );
        let l1 = crate::authority::l1_distance(&a.share, &b.share);
        assert!(l1 < 1e-9, "L1 {l1}");
        b
    }

    /// A restore puts every page's links in the graph's shared arrays; visits give pages
    /// links of their own and leave dead entries, until half are dead and the rest move out.
    /// At every step the woken site equals one that never slept.
    #[test]
    fn restored_links_move_out_of_the_shared_arrays_as_pages_are_visited() {
        let pages = 600;
        let s = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages,
            ..Default::default()
        });
        let mut live = s.site();
        let mut woke = Site::restore(&live.snapshot()).expect("restore");
        assert_eq!(
            woke.graph.shared_size(),
            (live.graph.occurrence_count(), 0),
            "every link in the shared arrays"
        );
        let inlinks = |site: &Site, url: &str| -> Vec<(String, Vec<Occurrence>)> {
            let g = &site.graph;
            let id = g.id_of(url).expect("page");
            let mut v: Vec<_> = g
                .inlinks(id)
                .map(|(src, e)| {
                    let u = g.page(src).map(|p| p.url.to_string()).unwrap_or_default();
                    (u, e.occurrences.to_vec())
                })
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        let mut released = None;
        for k in 0..pages {
            // Pages in a scattered order, each visited with some of its links dropped (and
            // the last ones visited twice).
            let page = (k * 7) % pages;
            let mut o = s.observation(page);
            let keep = o.links.len().saturating_sub(k % 4);
            o.links.truncate(keep);
            for site in [&mut live, &mut woke] {
                site.ingest(o.clone()).expect("ingest");
            }
            assert_eq!(woke.graph.occurrence_count(), live.graph.occurrence_count());
            let (total, dead) = woke.graph.shared_size();
            if total == 0 {
                released = Some(k);
                break;
            }
            assert!(dead * 2 < total, "{dead} of {total} dead");
            if k % 40 == 0 {
                assert_eq!(woke.export_json(), live.export_json(), "after {k} visits");
                for q in [0, 1, page, (page + 1) % pages] {
                    let url = s.url(q);
                    assert_eq!(inlinks(&woke, &url), inlinks(&live, &url), "{url}");
                }
            }
        }
        assert!(released.is_some(), "the shared arrays were released");
        assert_eq!(woke.export_json(), live.export_json());
        assert_eq!(woke.snapshot(), live.snapshot());
        // Restored again: the links are shared again, and the same.
        let again = Site::restore(&woke.snapshot()).expect("restore");
        assert_eq!(again.graph.shared_size().1, 0);
        assert_eq!(again.export_json(), live.export_json());
    }

    /// The stored order (section 5) only tells the first report's sort where to start: a
    /// wrong order, or one that is not a permutation, gives the same authority.
    #[test]
    fn a_stored_order_never_changes_the_ranking() {
        let site = synth_site(2_000);
        let s = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: 2_000,
            ..Default::default()
        });
        let before = site.authority(Model::Prominence);
        let snap = site.snapshot();
        // Section 4 is last: tag, model, iterations (varint), residual (8 bytes).
        let mut iters = Writer(Vec::new());
        iters.var(u64::from(before.iterations));
        let sec4 = snap.len() - 8 - iters.0.len() - 2;
        assert_eq!(snap[sec4], 4);
        let section5 = |order: &[u32]| {
            let mut w = Writer(vec![5]);
            w.var(order.len() as u64);
            for &c in order {
                w.var(u64::from(c));
            }
            w.0
        };
        let stored = section5(&before.order);
        let sec5 = sec4 - stored.len();
        assert_eq!(snap[sec5..sec4], stored[..], "section 5 holds the order");
        let with_order = |order: &[u32]| {
            let mut s = snap[..sec5].to_vec();
            s.extend_from_slice(&section5(order));
            s.extend_from_slice(&snap[sec4..]);
            let sum = checksum(&s[12..]);
            s[4..12].copy_from_slice(&sum.to_le_bytes());
            s
        };
        let reversed: Vec<u32> = before.order.iter().rev().copied().collect();
        let mut repeated = before.order.clone();
        repeated[1] = repeated[0];
        let mut out_of_range = before.order.clone();
        out_of_range[5] = u32::MAX;
        let short = &before.order[..10];
        for (what, order) in [
            ("as stored", &before.order[..]),
            ("reversed", &reversed),
            ("a repeated id", &repeated),
            ("an id out of range", &out_of_range),
            ("too short", short),
            ("empty", &[][..]),
        ] {
            let r = Site::restore(&with_order(order)).expect("restore");
            let a = r.authority(Model::Prominence);
            assert!(r.authority_seeded(Model::Prominence), "{what}: taken");
            assert_eq!(a.order, before.order, "{what}");
            assert_eq!(a.rank, before.rank, "{what}");
            // A wake that replays a visit: the stored order is where the sort starts.
            let mut r = Site::restore(&with_order(order)).expect("restore");
            let mut o = s.observation(7);
            o.links.truncate(4);
            r.ingest(o).expect("ingest");
            let a = r.authority(Model::Prominence);
            let want = crate::authority::tests::by_share_then_url(&r.graph, &a);
            assert_eq!(a.order, want, "{what}, after a visit");
            assert_ne!(a.order, before.order, "{what}: the visit moved pages");
        }
    }

    #[test]
    fn stored_depths_are_checked_before_the_first_visit_changes_the_graph() {
        let live = synth_site(500);
        live.structure();
        let mut woke = Site::restore(&live.snapshot()).expect("restore");
        // A journaled visit replayed right after the restore, before any query.
        let s = crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: 500,
            ..Default::default()
        });
        let mut o = s.observation(40);
        o.links.truncate(3);
        woke.ingest(o).expect("ingest");
        assert!(
            woke.structure_seeded(),
            "the depths were taken for the graph they describe, and are followed from there"
        );
        assert_eq!(
            *woke.structure(),
            crate::structure::analyse(woke.graph(), None)
        );
    }

    #[test]
    fn restored_shares_are_not_taken_once_the_graph_changed() {
        let live = synth_site(500);
        live.authority(Model::Prominence);
        let woke = Site::restore(&live.snapshot()).expect("restore");
        // A visit arrives before anything asked for the authority.
        let b = visit_both(live, woke, 500, 40);
        assert!(b.iterations >= 1);
    }

    #[test]
    fn converged_shares_of_another_model_are_only_a_warm_start() {
        let site = synth_site(500);
        site.authority(Model::Prominence);
        let mut snap = site.snapshot();
        // Section 4 names the classic model, whose shares the snapshot does not hold.
        let at = snap.len() - 8 - 2;
        assert_eq!(snap[at - 1], 4);
        snap[at] = 2;
        let sum = checksum(&snap[12..]);
        snap[4..12].copy_from_slice(&sum.to_le_bytes());
        let r = Site::restore(&snap).expect("restore");
        let a = r.authority(Model::Prominence);
        assert!(!r.authority_seeded(Model::Prominence));
        assert!(
            a.warm_started && a.iterations <= 2,
            "{} iterations",
            a.iterations
        );
    }

    #[test]
    fn restored_shares_warm_start_the_first_ranking() {
        let site = synth_site(2_000);
        let cold = site.authority(Model::Prominence);
        assert!(cold.iterations > 5);
        // A snapshot written before section 4: its shares only seed the first ranking.
        let snap = site.snapshot();
        let residual_at = snap.len() - 8;
        let r = Site::restore(&without_converged_section(snap, residual_at)).expect("restore");
        assert!(r.structure_seeded(), "the stored depths checked out");
        let warm = r.authority(Model::Prominence);
        assert!(warm.warm_started);
        assert!(
            warm.iterations <= 2,
            "{} iterations after a restore of the same graph",
            warm.iterations
        );
        let l1 = crate::authority::l1_distance(&cold.share, &warm.share);
        assert!(l1 < 1e-9, "L1 {l1}");
        // Nothing ranked under the classic model yet: it starts cold.
        assert!(!r.authority(Model::Classic).warm_started);
        // The depths came along, checked, and equal a fresh analysis.
        assert_eq!(
            *r.structure(),
            crate::structure::analyse(r.graph(), None),
            "seeded structure"
        );
    }

    #[test]
    fn v1_snapshots_still_restore() {
        let s = sample();
        let g = &s.graph;
        let pos: HashMap<PageId, u32> = g.page_ids().zip(0..).collect();
        let pages = g
            .page_ids()
            .filter_map(|id| g.page(id))
            .map(|pg| SnapPage {
                url: pg.url.to_string(),
                visited: pg.visited,
                observed_at: pg.observed_at.map(Timestamp::ms),
                title: opt_s(pg.title()),
                h1: opt_s(pg.h1()),
                lang: opt_s(pg.lang()),
                canonical_url: opt_s(pg.canonical_url()),
                canonical: pg.canonical.map(|c| pos[&c]),
                redirect_to: pg.redirect_to.map(|c| pos[&c]),
                meta_refresh: pg.meta_refresh,
                noindex: pg.noindex,
                nofollow: pg.nofollow,
                external_links: pg.external_links,
                external_weight: pg.external_weight,
                external_nofollow: pg.external_nofollow,
                non_navigational: pg.non_navigational,
                invalid_links: pg.invalid_links,
                truncated_links: pg.truncated_links,
            })
            .collect();
        let mut edges = Vec::new();
        for id in g.page_ids() {
            for (t, e) in g.outlinks(id) {
                edges.push(SnapEdge {
                    source: pos[&id],
                    target: pos[&t],
                    occ: e
                        .occurrences
                        .iter()
                        .map(|o| {
                            (
                                o.anchor,
                                o.order,
                                region_to_u8(o.region),
                                o.flags,
                                o.quality,
                            )
                        })
                        .collect(),
                });
            }
        }
        let v1 = Snapshot {
            magic: SNAP_MAGIC,
            root: s.root().to_string(),
            settings_json: serde_json::to_string(&s.settings).expect("json"),
            anchors: (0..g.anchors.len() as u32)
                .map(|i| g.anchors.get(i).to_string())
                .collect(),
            pages,
            edges,
        };
        let bytes = postcard::to_allocvec(&v1).expect("postcard");
        let r = Site::restore(&bytes).expect("restore v1");
        assert_eq!(r.export_json(), s.export_json());
    }
}
