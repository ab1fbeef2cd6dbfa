//! Writing the node-link JSON straight from the graph.
//!
//! No intermediate [`ExportDoc`] with its millions of owned strings: pages go through
//! `serde_json` from borrowed views, and the links — almost all of the bytes — are written
//! from fixed key fragments and string literals escaped once per page URL and once per
//! anchor (with `serde_json`'s own escaping), however many links repeat them. The bytes
//! are exactly those of `serde_json::to_string` of [`Site::export_doc`] (tested in
//! `tests/export_json.rs`), so the format stays the one [`parse_doc`] reads.
//!
//! [`ExportDoc`]: super::ExportDoc
//! [`parse_doc`]: super::parse_doc

use std::io;
use std::rc::Rc;

use serde::Serialize;

use super::{GraphMeta, SCHEMA, VERSION};
use crate::anchor::AnchorCode;
use crate::authority::{Authority, Model};
use crate::graph::{flags, Occurrence, PageId, PageState, SiteGraph, Timestamp};
use crate::observe::Region;
use crate::report::Coverage;
use crate::site::Site;
use crate::structure::Structure;

/// Everything the export reads, computed once.
pub(super) struct Analyses {
    /// Authority under the site's model (cold, so the output does not depend on history).
    pub(super) auth: Rc<Authority>,
    /// Authority under the classic model (cold).
    pub(super) classic: Rc<Authority>,
    /// Depth, orphans, coverage.
    pub(super) st: Rc<Structure>,
}

impl Analyses {
    pub(super) fn of(site: &Site) -> Analyses {
        Analyses {
            auth: site.authority_exact(site.settings().model),
            classic: site.authority_exact(Model::Classic),
            st: site.structure(),
        }
    }

    /// The `graph` object of the export.
    pub(super) fn meta(&self, site: &Site) -> GraphMeta {
        let st = &self.st;
        GraphMeta {
            schema: SCHEMA.into(),
            version: VERSION,
            generator: format!("linkflow {}", env!("CARGO_PKG_VERSION")),
            site: site.root().to_string(),
            settings: site.settings().clone(),
            model: site.settings().model,
            iterations: self.auth.iterations,
            residual: self.auth.residual,
            classic_iterations: self.classic.iterations,
            coverage: Some(Coverage {
                visited: st.visited,
                discovered: st.discovered,
                complete: st.complete(),
            }),
        }
    }

    /// Orphan flags by `PageId::index()` (the structure lists them).
    pub(super) fn orphan_flags(&self, g: &SiteGraph) -> Vec<bool> {
        let mut orphan = vec![false; g.index_bound()];
        for id in &self.st.orphans {
            if let Some(f) = orphan.get_mut(id.index()) {
                *f = true;
            }
        }
        orphan
    }
}

/// Output buffered in memory and handed to the destination in blocks, so the inner loops
/// only append to a `Vec`.
struct Out<W: io::Write> {
    buf: Vec<u8>,
    w: W,
}

/// Bytes handed to the destination at a time.
const BLOCK: usize = 1 << 16;

impl<W: io::Write> Out<W> {
    #[inline]
    fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Passes the buffer on once it holds a block.
    #[inline]
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= BLOCK {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.w.flush()
    }

    /// Any serialisable value, as `serde_json` writes it (compact).
    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.buf, v).map_err(io::Error::from)
    }
}

/// A JSON string literal (quotes and escapes exactly as `serde_json` writes them).
fn escaped(s: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 2);
    // A string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut v, s);
    v
}

/// Decimal digits of `v` (as `serde_json`/`itoa` write an unsigned integer).
#[inline]
fn push_u32(buf: &mut Vec<u8>, mut v: u32) {
    let mut tmp = [0u8; 10];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Writes the export of `site` to `w` (compact JSON, see `docs/EXPORT.md`): the bytes of
/// `serde_json::to_string(&site.export_doc())`, written without building that document.
pub(super) fn write<W: io::Write>(site: &Site, w: W) -> io::Result<()> {
    let an = Analyses::of(site);
    let g = site.graph();
    let mut out = Out {
        buf: Vec::with_capacity(BLOCK + (BLOCK >> 2)),
        w,
    };
    // Field order and names of `ExportDoc`.
    out.raw(b"{\"directed\":true,\"multigraph\":false,\"graph\":");
    out.value(&an.meta(site))?;
    out.raw(b",\"nodes\":");
    write_nodes(&mut out, g, &an)?;
    out.raw(b",\"links\":");
    write_links(&mut out, g)?;
    out.raw(b"}");
    out.finish()
}

/// `x` with `-0.0` written as `0.0`. An empty sum of external weights is `-0.0` (Rust's
/// float `Sum` starts there), and the import reads weights clamped to `>= 0` — so an
/// export → import → export round trip changed `-0.0` into `0.0`.
pub(super) fn no_negative_zero(x: f32) -> f32 {
    x + 0.0
}

fn url_of(g: &SiteGraph, id: PageId) -> &str {
    g.page(id).map_or("", |p| &p.url)
}

/// One page, with the field names, order and types of `NodeOut`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeRef<'a> {
    id: &'a str,
    state: PageState,
    visited: bool,
    observed_at: Option<f64>,
    title: Option<&'a str>,
    h1: Option<&'a str>,
    lang: Option<&'a str>,
    canonical: Option<&'a str>,
    redirect_to: Option<&'a str>,
    meta_refresh: bool,
    noindex: bool,
    nofollow: bool,
    external_links: u32,
    external_nofollow: u32,
    external_weight: f32,
    non_navigational: u32,
    invalid_links: u32,
    truncated_links: u32,
    depth: Option<u32>,
    share: Option<f64>,
    rank: Option<u32>,
    score: Option<f64>,
    classic_share: Option<f64>,
    orphan: bool,
}

/// `nodes[]`: one object per page, in the graph's order.
fn write_nodes<W: io::Write>(out: &mut Out<W>, g: &SiteGraph, an: &Analyses) -> io::Result<()> {
    let auth = &an.auth;
    let orphan = an.orphan_flags(g);
    out.raw(b"[");
    let mut first = true;
    for id in g.page_ids() {
        let Some(p) = g.page(id) else { continue };
        if !first {
            out.raw(b",");
        }
        first = false;
        let c = auth.compact_of(id);
        out.value(&NodeRef {
            id: &p.url,
            state: p.state(),
            visited: p.visited,
            observed_at: p.observed_at.map(Timestamp::ms),
            title: p.title(),
            h1: p.h1(),
            lang: p.lang(),
            canonical: p.canonical_url(),
            redirect_to: p.redirect_to.map(|r| url_of(g, r)),
            meta_refresh: p.meta_refresh,
            noindex: p.noindex,
            nofollow: p.nofollow,
            external_links: p.external_links,
            external_nofollow: p.external_nofollow,
            external_weight: no_negative_zero(p.external_weight),
            non_navigational: p.non_navigational,
            invalid_links: p.invalid_links,
            truncated_links: p.truncated_links,
            depth: an.st.depth_of(id),
            share: c.and_then(|c| auth.share.get(c).copied()),
            rank: c.and_then(|c| auth.rank.get(c).copied()),
            score: c.filter(|&c| c < auth.share.len()).map(|c| auth.score(c)),
            classic_share: an.classic.share_of(id),
            orphan: orphan.get(id.index()).copied().unwrap_or(false),
        })?;
        out.maybe_flush()?;
    }
    out.raw(b"]");
    Ok(())
}

/// Byte fragments of the links section, each built (and escaped) once: page URLs (by
/// `PageId::index()`), anchors (by interned id) and the fixed parts of an occurrence for
/// every combination of its codes and flags.
struct Fragments {
    /// `{"source":<url>,"target":` per page; empty for an index without a page.
    link_head: Vec<Box<[u8]>>,
    /// `<url>,"followed":` per page; `"","followed":` for an index without a page.
    target: Vec<Box<[u8]>>,
    /// `,"quality":<code>,"region":<region>` by `quality * REGIONS + region`.
    quality_region: Vec<Box<[u8]>>,
    /// From `rel` to `,"order":` by the flag bits they depend on ([`mid_index`]).
    mid: Vec<Box<[u8]>>,
    /// From `lighthouseFails` to the closing brace, by [`tail_index`].
    tail: Vec<Box<[u8]>>,
}

const REGIONS: usize = Region::ALL.len();
const QUALITIES: usize = 128;

/// The flags that decide the fragment between `region` and `order`.
const MID_FLAGS: u8 = flags::REL_NOFOLLOW
    | flags::REL_UGC
    | flags::REL_SPONSORED
    | flags::META_NOFOLLOW
    | flags::VISIBLE
    | flags::IN_VIEWPORT;

fn mid_index(flag_bits: u8) -> usize {
    usize::from(flag_bits & MID_FLAGS)
}

fn tail_index(o: &Occurrence) -> usize {
    usize::from(o.lighthouse_fails())
        | usize::from(o.flags & flags::CROSS_SCHEME != 0) << 1
        | usize::from(o.flags & flags::AREA != 0) << 2
}

/// The rel tokens that matter, in the order the export lists them.
const REL_TOKENS: [(u8, &[u8]); 3] = [
    (flags::REL_NOFOLLOW, b"\"nofollow\""),
    (flags::REL_UGC, b"\"ugc\""),
    (flags::REL_SPONSORED, b"\"sponsored\""),
];

/// `[,"rel":[…]][,"metaNofollow":true],"visible":…[,"inViewport":true],"order":` for
/// these flag bits (skipped fields as `OccurrenceOut` skips them).
fn mid_fragment(f: u8) -> Box<[u8]> {
    let mut b = Vec::new();
    if f & (flags::REL_NOFOLLOW | flags::REL_UGC | flags::REL_SPONSORED) != 0 {
        b.extend_from_slice(b",\"rel\":[");
        let mut first = true;
        for (bit, name) in REL_TOKENS {
            if f & bit != 0 {
                if !first {
                    b.push(b',');
                }
                first = false;
                b.extend_from_slice(name);
            }
        }
        b.push(b']');
    }
    if f & flags::META_NOFOLLOW != 0 {
        b.extend_from_slice(b",\"metaNofollow\":true");
    }
    b.extend_from_slice(if f & flags::VISIBLE != 0 {
        b",\"visible\":true"
    } else {
        b",\"visible\":false"
    });
    if f & flags::IN_VIEWPORT != 0 {
        b.extend_from_slice(b",\"inViewport\":true");
    }
    b.extend_from_slice(b",\"order\":");
    b.into_boxed_slice()
}

/// `[,"lighthouseFails":true][,"crossScheme":true][,"area":true]}` for [`tail_index`] `i`.
fn tail_fragment(i: usize) -> Box<[u8]> {
    let mut b = Vec::new();
    if i & 1 != 0 {
        b.extend_from_slice(b",\"lighthouseFails\":true");
    }
    if i & 2 != 0 {
        b.extend_from_slice(b",\"crossScheme\":true");
    }
    if i & 4 != 0 {
        b.extend_from_slice(b",\"area\":true");
    }
    b.push(b'}');
    b.into_boxed_slice()
}

impl Fragments {
    fn new(g: &SiteGraph) -> Fragments {
        let n = g.index_bound();
        let mut target: Vec<Box<[u8]>> = vec![Box::from(&b"\"\",\"followed\":"[..]); n];
        let mut link_head: Vec<Box<[u8]>> = vec![Box::default(); n];
        for id in g.page_ids() {
            let Some(p) = g.page(id) else { continue };
            let lit = escaped(&p.url);
            if let Some(h) = link_head.get_mut(id.index()) {
                *h = [&b"{\"source\":"[..], &lit, b",\"target\":"]
                    .concat()
                    .into();
            }
            if let Some(t) = target.get_mut(id.index()) {
                *t = [&lit[..], b",\"followed\":"].concat().into();
            }
        }
        let mut quality_region: Vec<Box<[u8]>> =
            vec![Box::from(&b",\"quality\":null,\"region\":null"[..]); QUALITIES * REGIONS];
        for q in AnchorCode::ALL {
            for r in Region::ALL {
                let (Ok(ql), Ok(rl)) = (serde_json::to_vec(&q), serde_json::to_vec(&r)) else {
                    continue;
                };
                if let Some(slot) =
                    quality_region.get_mut(usize::from(q.to_u8()) * REGIONS + r as usize)
                {
                    *slot = [&b",\"quality\":"[..], &ql, b",\"region\":", &rl]
                        .concat()
                        .into();
                }
            }
        }
        Fragments {
            link_head,
            target,
            quality_region,
            mid: (0..=MID_FLAGS)
                .map(|f| mid_fragment(f & MID_FLAGS))
                .collect(),
            tail: (0..8).map(tail_fragment).collect(),
        }
    }

    /// Appends one occurrence as `OccurrenceOut` serialises.
    #[inline]
    fn occurrence(&self, buf: &mut Vec<u8>, anchors: &mut Anchors, g: &SiteGraph, o: &Occurrence) {
        buf.extend_from_slice(anchors.get(g, o.anchor));
        let qr = usize::from(o.quality().to_u8()) * REGIONS + o.region as usize;
        buf.extend_from_slice(self.quality_region.get(qr).map_or(&[][..], |b| b));
        buf.extend_from_slice(self.mid.get(mid_index(o.flags)).map_or(&[][..], |b| b));
        push_u32(buf, o.order);
        buf.extend_from_slice(self.tail.get(tail_index(o)).map_or(&b"}"[..], |b| b));
    }
}

/// `{"anchor":<text>` per interned anchor, built when first met.
#[derive(Default)]
struct Anchors(Vec<Option<Box<[u8]>>>);

impl Anchors {
    #[inline]
    fn get(&mut self, g: &SiteGraph, id: u32) -> &[u8] {
        let i = id as usize;
        if i >= self.0.len() {
            self.0.resize(i + 1, None);
        }
        self.0[i].get_or_insert_with(|| {
            [&b"{\"anchor\":"[..], &escaped(g.anchor_text(id))]
                .concat()
                .into()
        })
    }
}

/// `links[]`: grouped by source in node order, then by target index. Each link as
/// `LinkOut` serialises: `{"source","target","followed","occurrences":[…]}`, and each
/// occurrence with the field order and skipped defaults of `OccurrenceOut`.
fn write_links<W: io::Write>(out: &mut Out<W>, g: &SiteGraph) -> io::Result<()> {
    let frag = Fragments::new(g);
    let mut anchors = Anchors::default();
    out.raw(b"[");
    let mut first = true;
    let mut targets = Vec::new();
    for id in g.page_ids() {
        if g.page(id).is_none() {
            continue;
        }
        targets.clear();
        targets.extend(g.outlinks(id));
        if !targets.is_sorted_by_key(|(t, _)| t.index()) {
            targets.sort_by_key(|(t, _)| t.index());
        }
        let head = frag.link_head.get(id.index()).map_or(&[][..], |h| h);
        for (t, e) in &targets {
            if !first {
                out.buf.push(b',');
            }
            first = false;
            out.raw(head);
            out.raw(
                frag.target
                    .get(t.index())
                    .map_or(&b"\"\",\"followed\":"[..], |u| u),
            );
            out.raw(if e.followed() {
                b"true,\"occurrences\":["
            } else {
                b"false,\"occurrences\":["
            });
            for (k, o) in e.occurrences.iter().enumerate() {
                if k > 0 {
                    out.buf.push(b',');
                }
                frag.occurrence(&mut out.buf, &mut anchors, g, o);
            }
            out.raw(b"]}");
            out.maybe_flush()?;
        }
    }
    out.raw(b"]");
    Ok(())
}
