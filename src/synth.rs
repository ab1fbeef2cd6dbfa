//! Synthetic sites for benchmarks and scale tests: 100 to 1M pages, 10–50 links per page,
//! deterministic from a seed.
//!
//! # Shape
//! A [`SynthConfig`] describes a site whose page ids are laid out as
//!
//! ```text
//! 0            home
//! 1..          hubs: the navigation targets (categories)
//! ..           footer pages (About, Contact, Privacy…, the last one "Log in", rel=nofollow)
//! ..           body pages: products, articles
//! ..           chain pages: pagination chains, each page reachable only from the previous one
//! ..n          orphans: visited pages that nothing links to
//! ```
//!
//! Every page carries, in document order:
//! - **navigation**: home and the hubs, region `nav`, identical on every page;
//! - **body links**: region `main`, their number drawn uniformly in ±50% of the mean; targets
//!   drawn from a power law over hubs and body pages (`P(rank < x) = (x/B)^(1/γ)`, γ =
//!   [`SynthConfig::skew`]), so in-degrees follow a power law; 5% of them read "Read more"
//!   (a generic anchor), the others name their target; the rank → page mapping is a
//!   pseudo-random bijection unless [`SynthConfig::scatter`] is off, so popular pages are
//!   spread over the id space (the unfavourable case for memory locality);
//! - **footer**: the footer pages, region `footer`, identical on every page (with three or
//!   more, the last one is linked `rel=nofollow`).
//!
//! A chain page's body starts with a link to the next page of its chain; each chain hangs
//! from one body page, so chains make the site deep. Orphans link out like every other page.
//!
//! With `links_per_page = L`, navigation takes `round(0.3·L)` links, the footer
//! `round(0.1·L)` and the body the rest, so a site of `n` pages holds about `n·L` link
//! occurrences; repeated targets on one page make a little fewer unique (source, target)
//! pairs.
//!
//! # Outputs
//! - [`Synth::observation`]: the [`RawObservation`] of one page, as the content script would
//!   send it (for ingest benchmarks and end-to-end checks);
//! - [`Synth::site`]: a whole [`Site`] built directly, without URL parsing (about 10× faster
//!   than ingesting every observation; same pages, same links, same occurrences);
//! - [`Synth::classic_edges`]: the unique followed (source, target) pairs, i.e. the graph of
//!   the classic model, for PageRank kernels and for peers (igraph, networkx);
//! - [`Synth::wide_observation`]: one page with many links (a sitemap page), for the ingest
//!   benchmark.
//!
//! Everything is a pure function of the config: page `i`'s links come from a generator seeded
//! with `(seed, i)`, so any page can be produced alone and in any order.
//!
//! ```
//! use linkflow::synth::{Synth, SynthConfig};
//! let s = Synth::new(SynthConfig { pages: 1_000, links_per_page: 10, ..Default::default() });
//! let site = s.site();
//! assert_eq!(site.graph().page_count(), 1_000);
//! let edges = s.classic_edges();
//! assert!(edges.len() > 8_000 && edges.len() <= 10_000);
//! ```

use crate::anchor::{self, AnchorParts};
use crate::authority::Settings;
use crate::graph::{flags, Occurrence, Page, PageId, PageTexts, Timestamp};
use crate::observe::{RawLink, RawObservation, Region};
use crate::site::Site;

/// The root of every synthetic site.
pub const ROOT: &str = "https://synth.test/";

/// Footer page names; the last one is linked `rel=nofollow`.
const FOOTER: [&str; 8] = [
    "About us",
    "Contact",
    "Delivery",
    "Returns",
    "Privacy policy",
    "Terms of sale",
    "Careers",
    "Log in",
];

/// Parameters of a synthetic site.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    /// Number of pages (at least 20).
    pub pages: usize,
    /// Mean link occurrences per page (navigation + body + footer).
    pub links_per_page: usize,
    /// Power-law skew γ ≥ 1 of body-link targets (1 = uniform; default 2.5).
    pub skew: f64,
    /// Fraction of pages in pagination chains (default 0.02).
    pub chain_fraction: f64,
    /// Length of one chain (default 40).
    pub chain_len: usize,
    /// Fraction of orphan pages (default 0.01).
    pub orphan_fraction: f64,
    /// Spread popular pages over the id space (default true).
    pub scatter: bool,
    /// Seed.
    pub seed: u64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            pages: 10_000,
            links_per_page: 10,
            skew: 2.5,
            chain_fraction: 0.02,
            chain_len: 40,
            orphan_fraction: 0.01,
            scatter: true,
            seed: 1,
        }
    }
}

/// `u^e`, the same on every platform when `2e` is a whole number up to 64 (the default
/// skew is 2.5): products and `sqrt` are exactly rounded everywhere, while `powf` comes from
/// each platform's maths library (glibc natively, a port of musl's in wasm) and may differ in
/// the last bit, which would give the native and wasm benchmarks slightly different sites.
fn portable_pow(u: f64, e: f64) -> f64 {
    let twice = e * 2.0;
    if twice.fract() != 0.0 || !(0.0..=64.0).contains(&twice) {
        return u.powf(e);
    }
    let mut v = if twice as u32 % 2 == 1 { u.sqrt() } else { 1.0 };
    for _ in 0..(twice as u32 / 2) {
        v *= u;
    }
    v
}

/// SplitMix64: a tiny, good-enough, deterministic generator.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

/// Which part of the page a link sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Navigation (home and hubs).
    Nav,
    /// Body.
    Body,
    /// Footer.
    Footer,
}

/// One generated link: its target id, part, and whether it reads "Read more".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthLink {
    /// Target page id.
    pub target: u32,
    /// Where it sits.
    pub part: Part,
    /// Anchor is the generic "Read more".
    pub generic: bool,
    /// `rel=nofollow`.
    pub nofollow: bool,
}

/// A synthetic site: its layout, and generators for its pages.
#[derive(Debug, Clone)]
pub struct Synth {
    cfg: SynthConfig,
    hubs: usize,
    footer: usize,
    first_body: usize,
    body: usize,
    chain_start: usize,
    orphan_start: usize,
    nav_links: usize,
    body_links: usize,
    mult: usize,
    add: usize,
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Synth {
    /// Lays out a site. Sizes are clamped to something that makes sense (at least 20 pages,
    /// at least 4 links per page).
    pub fn new(mut cfg: SynthConfig) -> Self {
        cfg.pages = cfg.pages.max(20);
        cfg.links_per_page = cfg.links_per_page.max(4);
        cfg.skew = if cfg.skew.is_finite() {
            cfg.skew.max(1.0)
        } else {
            1.0
        };
        cfg.chain_len = cfg.chain_len.max(2);
        let n = cfg.pages;
        let l = cfg.links_per_page as f64;
        let nav_links = ((0.3 * l).round() as usize).clamp(1, n / 10);
        let footer = ((0.1 * l).round() as usize).clamp(1, FOOTER.len());
        let body_links = cfg.links_per_page.saturating_sub(nav_links + footer).max(1);
        let hubs = nav_links - 1; // the home is the first navigation link
        let orphans = ((n as f64 * cfg.orphan_fraction.clamp(0.0, 0.2)) as usize).min(n / 5);
        let chained = ((n as f64 * cfg.chain_fraction.clamp(0.0, 0.2)) as usize).min(n / 5);
        let chained = chained / cfg.chain_len * cfg.chain_len;
        let first_body = 1 + hubs + footer;
        let orphan_start = n - orphans;
        let chain_start = orphan_start - chained;
        let body = chain_start - first_body;
        // An affine bijection of 0..body+hubs spreads popular ranks over the id space.
        let span = body + hubs;
        let mut mult = 1;
        let mut add = 0;
        if cfg.scatter && span > 2 {
            let mut r = Rng::new(cfg.seed ^ 0x5CA7_7E12);
            mult = span / 2 + 1 + r.below(span / 2);
            while gcd(mult, span) != 1 {
                mult += 1;
            }
            mult %= span;
            if mult == 0 {
                mult = 1;
            }
            add = r.below(span);
        }
        Synth {
            cfg,
            hubs,
            footer,
            first_body,
            body,
            chain_start,
            orphan_start,
            nav_links,
            body_links,
            mult,
            add,
        }
    }

    /// The config (after clamping).
    pub fn config(&self) -> &SynthConfig {
        &self.cfg
    }

    /// Number of pages.
    pub fn pages(&self) -> usize {
        self.cfg.pages
    }

    /// Ids of the orphan pages.
    pub fn orphans(&self) -> std::ops::Range<usize> {
        self.orphan_start..self.cfg.pages
    }

    /// Ids of the chain pages.
    pub fn chained(&self) -> std::ops::Range<usize> {
        self.chain_start..self.orphan_start
    }

    /// The normalised URL of page `i`.
    pub fn url(&self, i: usize) -> String {
        if i == 0 {
            return ROOT.to_string();
        }
        format!("{ROOT}{}", self.path(i))
    }

    fn path(&self, i: usize) -> String {
        if i <= self.hubs {
            format!("c/{i}")
        } else if i < self.first_body {
            let k = i - 1 - self.hubs;
            FOOTER[k].to_ascii_lowercase().replace(' ', "-")
        } else if i < self.chain_start {
            format!("p/{i}")
        } else if i < self.orphan_start {
            let k = i - self.chain_start;
            format!(
                "list/{}/page/{}",
                k / self.cfg.chain_len,
                k % self.cfg.chain_len + 2
            )
        } else {
            format!("old/{i}")
        }
    }

    /// The title (and the descriptive anchor text) of page `i`.
    pub fn title(&self, i: usize) -> String {
        if i == 0 {
            "Home".to_string()
        } else if i <= self.hubs {
            format!("Category {i}")
        } else if i < self.first_body {
            FOOTER[i - 1 - self.hubs].to_string()
        } else if i < self.chain_start {
            format!("Product {i}")
        } else if i < self.orphan_start {
            let k = i - self.chain_start;
            format!(
                "List {} page {}",
                k / self.cfg.chain_len,
                k % self.cfg.chain_len + 2
            )
        } else {
            format!("Old page {i}")
        }
    }

    /// A body target: hubs and body pages, power-law by rank.
    fn body_target(&self, r: &mut Rng) -> usize {
        let span = self.body + self.hubs;
        let u = r.unit();
        let rank = ((span as f64) * portable_pow(u, self.cfg.skew)) as usize;
        let rank = rank.min(span - 1);
        // In u64: `rank · mult` passes 2^32 on wasm32 from ~65k pages.
        let x = ((rank as u64 * self.mult as u64 + self.add as u64) % span as u64) as usize;
        if x < self.hubs {
            1 + x
        } else {
            self.first_body + (x - self.hubs)
        }
    }

    /// The links of page `i`, in document order.
    pub fn links(&self, i: usize) -> Vec<SynthLink> {
        let mut r = Rng::new(self.cfg.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (i as u64));
        r.next_u64();
        let mut out = Vec::with_capacity(self.cfg.links_per_page + 2);
        for t in 0..self.nav_links {
            out.push(SynthLink {
                target: t as u32,
                part: Part::Nav,
                generic: false,
                nofollow: false,
            });
        }
        let lo = self.body_links.div_ceil(2);
        let count = lo + r.below(self.body_links + 1);
        let mut body = 0;
        // A chain page links to the next one; a chain's head hangs from one body page.
        if (self.chain_start..self.orphan_start).contains(&i) {
            let k = i - self.chain_start;
            if k % self.cfg.chain_len + 1 < self.cfg.chain_len {
                out.push(SynthLink {
                    target: (i + 1) as u32,
                    part: Part::Body,
                    generic: false,
                    nofollow: false,
                });
                body += 1;
            }
        } else if i >= self.first_body
            && i < self.chain_start
            && self.chain_start < self.orphan_start
        {
            let chains = (self.orphan_start - self.chain_start) / self.cfg.chain_len;
            let j = i - self.first_body;
            if j < chains {
                out.push(SynthLink {
                    target: (self.chain_start + j * self.cfg.chain_len) as u32,
                    part: Part::Body,
                    generic: false,
                    nofollow: false,
                });
                body += 1;
            }
        }
        while body < count {
            let mut t = self.body_target(&mut r);
            if t == i {
                t = self.body_target(&mut r);
                if t == i {
                    continue;
                }
            }
            out.push(SynthLink {
                target: t as u32,
                part: Part::Body,
                generic: r.below(20) == 0,
                nofollow: false,
            });
            body += 1;
        }
        for k in 0..self.footer {
            let last = k + 1 == self.footer && self.footer >= 3;
            out.push(SynthLink {
                target: (1 + self.hubs + k) as u32,
                part: Part::Footer,
                generic: false,
                nofollow: last,
            });
        }
        out
    }

    fn anchor_of(&self, l: &SynthLink) -> String {
        if l.generic {
            "Read more".to_string()
        } else {
            self.title(l.target as usize)
        }
    }

    /// The observation the content script would send for page `i`.
    pub fn observation(&self, i: usize) -> RawObservation {
        let links = self
            .links(i)
            .iter()
            .enumerate()
            .map(|(k, l)| RawLink {
                href: self.url(l.target as usize),
                text: Some(self.anchor_of(l)),
                rel: l.nofollow.then(|| "nofollow".to_string()),
                region: Some(region(l.part)),
                visible: Some(true),
                in_viewport: Some(l.part == Part::Nav),
                order: Some(k as u32),
                ..Default::default()
            })
            .collect();
        RawObservation {
            url: self.url(i),
            title: Some(self.title(i)),
            h1: Some(self.title(i)),
            lang: Some("en".into()),
            links,
            observed_at: Some(1.7e12 + i as f64),
            ..Default::default()
        }
    }

    /// One page (the home's id space) with `count` body links to distinct pages, like a
    /// sitemap page: for the ingest benchmark. As the content script sends it: hrefs
    /// root-relative (`/p/12`), fields at their default left out (`visible`, `order`).
    pub fn wide_observation(&self, count: usize) -> RawObservation {
        let mut obs = self.observation(0);
        obs.url = format!("{ROOT}sitemap");
        let n = self.cfg.pages;
        obs.links = (0..count)
            .map(|k| {
                let t = (k * 7919) % n;
                let url = self.url(t);
                RawLink {
                    href: url.get(ROOT.len() - 1..).unwrap_or("/").to_string(),
                    text: Some(self.title(t)),
                    region: Some(Region::Main),
                    ..Default::default()
                }
            })
            .collect();
        obs
    }

    /// [`Synth::wide_observation`] as the JSON text the content script sends (links as
    /// columns, defaults left out): what the worker's `ingestJson` reads.
    pub fn wide_observation_json(&self, count: usize) -> String {
        self.wide_observation(count).to_json()
    }

    /// [`Synth::wide_observation`] as JSON with its links as objects (absent fields left
    /// out, not `null`): the form earlier builds of the content script sent, which journals
    /// may still hold.
    pub fn wide_observation_rows_json(&self, count: usize) -> String {
        fn drop_nulls(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(m) => {
                    m.retain(|_, x| !x.is_null());
                    m.values_mut().for_each(drop_nulls);
                }
                serde_json::Value::Array(a) => a.iter_mut().for_each(drop_nulls),
                _ => {}
            }
        }
        let mut v = serde_json::to_value(self.wide_observation(count)).unwrap_or_default();
        drop_nulls(&mut v);
        v.to_string()
    }

    /// Unique followed (source, target) pairs: the classic model's graph, sorted by source
    /// then target.
    pub fn classic_edges(&self) -> Vec<(u32, u32)> {
        let mut edges = Vec::with_capacity(self.cfg.pages * self.cfg.links_per_page);
        let mut row: Vec<u32> = Vec::new();
        for i in 0..self.cfg.pages {
            row.clear();
            row.extend(
                self.links(i)
                    .iter()
                    .filter(|l| !l.nofollow)
                    .map(|l| l.target),
            );
            row.sort_unstable();
            row.dedup();
            edges.extend(row.iter().map(|&t| (i as u32, t)));
        }
        edges
    }

    /// The whole site, built directly (no URL parsing): every page visited, with the same
    /// pages, links and occurrences as ingesting [`Synth::observation`] of every page.
    pub fn site(&self) -> Site {
        let mut site = match Site::new(ROOT, Settings::default()) {
            Ok(s) => s,
            Err(e) => unreachable!("the synthetic root is valid: {e}"),
        };
        let n = self.cfg.pages;
        let g = &mut site.graph;
        // Exact capacities, as `Site::restore` does: no doubling slack in the measurements.
        g.reserve_pages(n);
        let mut ids: Vec<PageId> = Vec::with_capacity(n);
        for i in 0..n {
            let url = self.url(i);
            let title = self.title(i);
            let page = Page {
                url: url.as_str().into(),
                visited: true,
                observed_at: Timestamp::new(1.7e12 + i as f64),
                texts: PageTexts::new(Some(&title), Some(&title), Some("en"), None),
                ..Page::default()
            };
            match g.add_page(page) {
                Some(id) => ids.push(id),
                None => unreachable!("synthetic URLs are distinct"),
            }
        }
        // Anchor id → quality, computed once per distinct anchor.
        let mut quality: Vec<u8> = Vec::new();
        let mut links: Vec<(u32, Occurrence)> = Vec::new();
        for i in 0..n {
            links.clear();
            for (k, l) in self.links(i).iter().enumerate() {
                let text = self.anchor_of(l);
                let a = g.anchors.intern(&text);
                if a as usize >= quality.len() {
                    let parts = AnchorParts {
                        text: Some(&text),
                        alt: None,
                        aria_label: None,
                        title: None,
                        has_image: false,
                        href: "",
                    };
                    quality.resize(a as usize + 1, 0);
                    quality[a as usize] = anchor::classify(&parts).to_u8();
                }
                let mut f = flags::VISIBLE;
                if l.part == Part::Nav {
                    f |= flags::IN_VIEWPORT;
                }
                if l.nofollow {
                    f |= flags::REL_NOFOLLOW;
                }
                let occ = Occurrence {
                    anchor: a,
                    order: k as u32,
                    region: region(l.part),
                    flags: f,
                    quality: quality[a as usize],
                };
                links.push((ids[l.target as usize].index() as u32, occ));
            }
            // Sorted by target, page order within a target (a stable sort).
            links.sort_by_key(|(t, _)| *t);
            let targets: Box<[u32]> = links.iter().map(|(t, _)| *t).collect();
            let occs: Box<[Occurrence]> = links.iter().map(|(_, o)| *o).collect();
            g.set_outlinks_sorted(ids[i], targets, occs);
        }
        g.shrink_to_fit();
        g.structural();
        site
    }
}

fn region(p: Part) -> Region {
    match p {
        Part::Nav => Region::Nav,
        Part::Body => Region::Main,
        Part::Footer => Region::Footer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::Model;

    #[test]
    fn portable_pow_is_products_and_sqrt_and_close_to_powf() {
        for k in 0..1000 {
            let u = f64::from(k) / 1000.0;
            assert_eq!(portable_pow(u, 2.5).to_bits(), (u.sqrt() * u * u).to_bits());
            assert_eq!(portable_pow(u, 3.0).to_bits(), (1.0 * u * u * u).to_bits());
            for e in [1.0, 1.5, 2.5, 3.7] {
                let (a, b) = (portable_pow(u, e), u.powf(e));
                assert!(
                    (a - b).abs() <= 4.0 * f64::EPSILON * b,
                    "{u}^{e}: {a} vs {b}"
                );
            }
        }
    }

    fn small() -> Synth {
        Synth::new(SynthConfig {
            pages: 400,
            links_per_page: 12,
            chain_len: 5,
            chain_fraction: 0.05,
            orphan_fraction: 0.02,
            ..Default::default()
        })
    }

    #[test]
    fn deterministic_and_sized() {
        let a = small();
        let b = small();
        assert_eq!(a.classic_edges(), b.classic_edges());
        let occ: usize = (0..a.pages()).map(|i| a.links(i).len()).sum();
        let mean = occ as f64 / a.pages() as f64;
        assert!((10.0..=14.0).contains(&mean), "{mean}");
    }

    #[test]
    fn urls_are_normalised_already() {
        let s = small();
        let site = s.site();
        for i in [0, 1, 5, 20, 200, 385, 399] {
            assert_eq!(site.normalize(&s.url(i)).expect("in scope"), s.url(i));
        }
    }

    #[test]
    fn fast_builder_equals_ingesting_observations() {
        let s = small();
        let built = s.site();
        let mut ingested = Site::new(ROOT, Settings::default()).expect("root");
        for i in 0..s.pages() {
            ingested.ingest(s.observation(i)).expect("ingest");
        }
        let (gb, gi) = (built.graph(), ingested.graph());
        assert_eq!(gb.page_count(), gi.page_count());
        assert_eq!(gb.edge_count(), gi.edge_count());
        assert_eq!(gb.occurrence_count(), gi.occurrence_count());
        for model in [Model::Classic, Model::Prominence] {
            let (ab, ai) = (built.authority(model), ingested.authority(model));
            for i in 0..s.pages() {
                let u = s.url(i);
                let sb = ab.share_of(gb.id_of(&u).expect("page")).expect("ranked");
                let si = ai.share_of(gi.id_of(&u).expect("page")).expect("ranked");
                assert!((sb - si).abs() < 1e-9, "{u}: {sb} vs {si}");
            }
        }
        let followed = gb
            .page_ids()
            .flat_map(|id| gb.outlinks(id))
            .filter(|(_, e)| e.followed())
            .count();
        assert_eq!(s.classic_edges().len(), followed);
    }

    #[test]
    fn orphans_have_no_inlinks_and_chains_are_deep() {
        let s = small();
        let site = s.site();
        let g = site.graph();
        for i in s.orphans() {
            let id = g.id_of(&s.url(i)).expect("page");
            assert_eq!(g.inlinks(id).count(), 0);
        }
        let st = site.structure();
        let last_of_chain = s.chained().start + s.config().chain_len - 1;
        let id = g.id_of(&s.url(last_of_chain)).expect("page");
        assert!(st.depth_of(id).is_some_and(|d| d >= 5));
    }
}
