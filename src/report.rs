//! The two reports: one page (the popup) and the whole site (the Site view, the CLI).
//! Both are cheap: they read the cached analyses of [`Site`].

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::anchor::{self, AnchorCode};
use crate::authority::Model;
use crate::error::{Error, Result};
use crate::graph::{flags, PageId, PageState};
use crate::site::Site;

/// An anchor's quality, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnchorQuality {
    /// Reason code.
    pub code: AnchorCode,
    /// Why, in one sentence.
    pub message: &'static str,
}

impl From<AnchorCode> for AnchorQuality {
    fn from(code: AnchorCode) -> Self {
        AnchorQuality {
            code,
            message: code.message(),
        }
    }
}

/// A page's authority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthorityLine {
    /// Share of the site's authority (0–1).
    pub share: f64,
    /// 1-based position.
    pub rank: u32,
    /// Number of ranked pages.
    pub of: u32,
    /// 0–100 log-scale score.
    pub score: f64,
    /// Model name.
    pub model: &'static str,
}

/// Visited / discovered counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Pages visited.
    pub visited: usize,
    /// Pages known from links, not yet visited.
    pub discovered: usize,
    /// Nothing is left unvisited.
    pub complete: bool,
}

/// One link occurrence pointing at the page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InlinkOccurrence {
    /// Accessible name.
    pub anchor: String,
    /// Its quality.
    pub quality: AnchorQuality,
    /// Not followed (nofollow, ugc, sponsored or meta nofollow).
    pub nofollow: bool,
    /// Region name.
    pub region: &'static str,
    /// Rendered visibly.
    pub visible: bool,
    /// In the first viewport.
    pub in_viewport: bool,
    /// Order on the source page.
    pub order: u32,
    /// The href used the other scheme (http vs https) than the site.
    pub cross_scheme: bool,
    /// Lighthouse's `link-text` audit would fail this link.
    pub lighthouse_fails: bool,
}

/// The inlinks from one source page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InlinkGroup {
    /// Source URL.
    pub source: String,
    /// Source title.
    pub source_title: Option<String>,
    /// The link points at this redirecting URL, which forwards here.
    pub via: Option<String>,
    /// The occurrences.
    pub links: Vec<InlinkOccurrence>,
}

/// Aggregates over a page's inlinks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InlinkStats {
    /// Distinct source pages.
    pub sources: usize,
    /// Occurrences.
    pub occurrences: usize,
    /// Share of occurrences whose anchor is descriptive (0–1; 0 when none).
    pub descriptive_share: f64,
    /// Distinct anchor texts.
    pub distinct_anchors: usize,
    /// Words the anchors share with this page's title, h1 or slug.
    pub match_words: Vec<String>,
}

/// A summary of the page's outlinks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutlinkSummary {
    /// Distinct internal target pages (occurrences are in `internal`).
    pub unique: usize,
    /// Internal occurrences.
    pub internal: usize,
    /// External occurrences.
    pub external: u32,
    /// Internal occurrences not followed.
    pub nofollow: usize,
    /// mailto:, tel:… links.
    pub non_navigational: u32,
    /// Hidden internal occurrences.
    pub hidden: usize,
    /// Internal occurrences by region.
    pub by_region: BTreeMap<&'static str, usize>,
    /// Internal targets that redirect.
    pub to_redirects: Vec<String>,
}

/// One problem, with whether more browsing could change it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Stable code (`orphan`, `deep`, `unreachable`, `generic-anchors`, …).
    pub code: &'static str,
    /// Human message.
    pub message: String,
    /// `false` when visiting more pages could change it.
    #[serde(rename = "final")]
    pub is_final: bool,
}

/// Everything the popup shows for one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageReport {
    /// Normalised URL.
    pub url: String,
    /// The graph knows this page.
    pub known: bool,
    /// Its state.
    pub state: PageState,
    /// Where it redirects.
    pub redirect_to: Option<String>,
    /// Its declared canonical when not itself.
    pub canonical: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// First h1.
    pub h1: Option<String>,
    /// Authority (of the page that stands for it when merged).
    pub authority: Option<AuthorityLine>,
    /// Click depth from the start page.
    pub depth: Option<u32>,
    /// The depth cannot change with more visits.
    pub depth_final: bool,
    /// Coverage of the site.
    pub coverage: Coverage,
    /// Inlinks by source page (at most [`INLINK_GROUP_LIMIT`], the strongest sources first
    /// when there are more).
    pub inlinks: Vec<InlinkGroup>,
    /// Source groups left out of `inlinks` (see `inlinkStats` for the totals).
    pub inlinks_omitted: usize,
    /// Inlink aggregates.
    pub inlink_stats: InlinkStats,
    /// Outlink summary.
    pub outlinks: OutlinkSummary,
    /// This page's problems.
    pub problems: Vec<Problem>,
}

/// A page in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageRef {
    /// URL.
    pub url: String,
    /// Title.
    pub title: Option<String>,
}

/// A ranked page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopPage {
    /// URL.
    pub url: String,
    /// Title.
    pub title: Option<String>,
    /// Share (0–1).
    pub share: f64,
    /// Position.
    pub rank: u32,
    /// 0–100 score.
    pub score: f64,
    /// Depth.
    pub depth: Option<u32>,
}

/// A list of pages whose membership may still change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageList {
    /// No more browsing can change it.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The pages.
    pub pages: Vec<PageRef>,
}

/// A deep page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeepPage {
    /// URL.
    pub url: String,
    /// Title.
    pub title: Option<String>,
    /// Depth.
    pub depth: u32,
}

/// Pages deeper than the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeepPages {
    /// Depths can't shrink with more visits.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The threshold (deep = depth > threshold).
    pub threshold: u32,
    /// The pages, deepest first.
    pub pages: Vec<DeepPage>,
}

/// How much authority pools on the top.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pooling {
    /// The home (start) page.
    pub home: Option<String>,
    /// Its share.
    pub home_share: f64,
    /// Share held by the top 1% of pages (at least one page).
    pub top1_pct_share: f64,
    /// How many pages that is.
    pub top1_pct_count: usize,
    /// What each page would hold if authority were flat (1/n).
    pub uniform_share: f64,
}

/// A source → target pair, for examples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRef {
    /// Source URL.
    pub source: String,
    /// Target URL.
    pub target: String,
}

/// A poor anchor text used across the site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenericAnchor {
    /// The anchor text (accessible name).
    pub anchor: String,
    /// Its quality code.
    pub code: AnchorCode,
    /// Occurrences.
    pub count: usize,
    /// Distinct target pages.
    pub targets: usize,
    /// One example.
    pub example: LinkRef,
}

/// A link to a redirecting URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectLink {
    /// The linking page.
    pub source: String,
    /// The redirecting URL linked to.
    pub target: String,
    /// Where it redirects.
    pub redirect_to: String,
}

/// Site counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Known pages.
    pub pages: usize,
    /// Visited pages.
    pub visited: usize,
    /// Discovered, not visited.
    pub discovered: usize,
    /// (source, target) pairs.
    pub edges: usize,
    /// Internal link occurrences.
    pub occurrences: usize,
    /// External link occurrences.
    pub external: u64,
    /// Non-navigational links.
    pub non_navigational: u64,
}

/// The Site view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteReport {
    /// Site root.
    pub site: String,
    /// Model name.
    pub model: &'static str,
    /// Iterations used.
    pub iterations: u32,
    /// Final L1 change.
    pub residual: f64,
    /// Coverage.
    pub coverage: Coverage,
    /// Counts.
    pub counts: Counts,
    /// Top pages by share.
    pub top_pages: Vec<TopPage>,
    /// Orphans.
    pub orphans: PageList,
    /// Deep pages.
    pub deep_pages: DeepPages,
    /// Unreachable pages.
    pub unreachable: Vec<PageRef>,
    /// Pooling.
    pub pooling: Pooling,
    /// Poor anchors by text.
    pub generic_anchors: Vec<GenericAnchor>,
    /// Links to redirects.
    pub links_to_redirects: Vec<RedirectLink>,
}

/// Occurrences, distinct targets and the example (source, target) of one poor anchor.
type PoorAnchorTally = (usize, HashSet<PageId>, (PageId, PageId));

/// Most inlink groups a page report lists (a hub page can have 100,000).
pub const INLINK_GROUP_LIMIT: usize = 200;

/// How many rows of each site list.
const LIST_LIMIT: usize = 100;

fn title_of(site: &Site, id: PageId) -> Option<String> {
    site.graph
        .page(id)
        .and_then(|p| p.title().map(str::to_string))
}

fn url_of(site: &Site, id: PageId) -> String {
    site.graph
        .page(id)
        .map_or_else(String::new, |p| p.url.to_string())
}

fn page_ref(site: &Site, id: PageId) -> PageRef {
    PageRef {
        url: url_of(site, id),
        title: title_of(site, id),
    }
}

fn coverage(site: &Site) -> Coverage {
    let s = site.structure();
    Coverage {
        visited: s.visited,
        discovered: s.discovered,
        complete: s.complete(),
    }
}

impl Site {
    /// The report for one page, under the settings' model.
    pub fn page_report(&self, url: &str) -> Result<PageReport> {
        self.page_report_with(url, self.settings.model)
    }

    /// The report for one page under `model`.
    pub fn page_report_with(&self, url: &str, model: Model) -> Result<PageReport> {
        let norm = self.normalize(url)?;
        let cov = coverage(self);
        let Some(id) = self.graph.id_of(&norm) else {
            return Ok(PageReport {
                url: norm,
                known: false,
                state: PageState::Discovered,
                redirect_to: None,
                canonical: None,
                title: None,
                h1: None,
                authority: None,
                depth: None,
                depth_final: false,
                coverage: cov,
                inlinks: Vec::new(),
                inlinks_omitted: 0,
                inlink_stats: InlinkStats {
                    sources: 0,
                    occurrences: 0,
                    descriptive_share: 0.0,
                    distinct_anchors: 0,
                    match_words: Vec::new(),
                },
                outlinks: OutlinkSummary {
                    unique: 0,
                    internal: 0,
                    external: 0,
                    nofollow: 0,
                    non_navigational: 0,
                    hidden: 0,
                    by_region: BTreeMap::new(),
                    to_redirects: Vec::new(),
                },
                problems: vec![Problem {
                    code: "not-visited",
                    message: "Linkflow has not seen this page yet: reload it, or browse to it."
                        .into(),
                    is_final: false,
                }],
            });
        };
        let page = self
            .graph
            .page(id)
            .ok_or_else(|| Error::UnknownPage(norm.clone()))?;
        let auth = self.authority(model);
        let st = self.structure();
        let rep = match model {
            Model::Classic => id,
            Model::Prominence => self
                .graph
                .representative(id, self.settings.consolidate_canonicals),
        };
        let authority = auth.compact_of(rep).map(|c| AuthorityLine {
            share: auth.share[c],
            rank: auth.rank[c],
            of: u32::try_from(auth.len()).unwrap_or(u32::MAX),
            score: auth.score(c),
            model: model.as_str(),
        });

        // Inlinks: direct, and through redirect aliases of this page.
        let aliases: Vec<PageId> = self
            .graph
            .page_ids()
            .filter(|&a| a != id && self.graph.page(a).and_then(|p| p.redirect_to) == Some(id))
            .collect();
        let mut inl: Vec<(Option<PageId>, PageId, crate::graph::LinkEdge<'_>)> = Vec::new();
        for via in std::iter::once(None).chain(aliases.into_iter().map(Some)) {
            let target = via.unwrap_or(id);
            let start = inl.len();
            inl.extend(
                self.graph
                    .inlinks(target)
                    .filter(|(s, _)| *s != id)
                    .map(|(s, e)| (via, s, e)),
            );
            inl[start..].sort_by_key(|(_, s, _)| s.index());
        }
        // Aggregates over every occurrence (cheap: no strings are built here).
        let mut anchor_ids: HashSet<u32> = HashSet::new();
        let mut descriptive = 0usize;
        let mut occ_total = 0usize;
        let mut non_descriptive = 0usize;
        let mut only_nofollow = true;
        let mut any_visible = false;
        let mut sources: HashSet<PageId> = HashSet::new();
        for (_, s, e) in &inl {
            sources.insert(*s);
            for o in e.occurrences {
                anchor_ids.insert(o.anchor);
                let q = o.quality();
                occ_total += 1;
                if q.is_descriptive() {
                    descriptive += 1;
                }
                if !q.is_descriptive() || o.lighthouse_fails() {
                    non_descriptive += 1;
                }
                only_nofollow &= !o.followed();
                any_visible |= o.visible();
            }
        }
        let mut match_words: Vec<String> = anchor_ids
            .iter()
            .flat_map(|&a| {
                anchor::match_words(
                    self.graph.anchor_text(a),
                    page.title(),
                    page.h1(),
                    &page.url,
                )
            })
            .collect();
        match_words.sort();
        match_words.dedup();
        // The groups shown: the strongest sources first when there are too many to list.
        let inlinks_omitted = inl.len().saturating_sub(INLINK_GROUP_LIMIT);
        if inlinks_omitted > 0 {
            let share = |s: PageId| {
                let rep = match model {
                    Model::Classic => s,
                    Model::Prominence => self
                        .graph
                        .representative(s, self.settings.consolidate_canonicals),
                };
                auth.share_of(rep).unwrap_or(0.0)
            };
            // Each source's share once, then the strongest groups picked and sorted.
            let mut keyed: Vec<(f64, usize)> = inl
                .iter()
                .enumerate()
                .map(|(i, g)| (share(g.1), i))
                .collect();
            let cmp = |a: &(f64, usize), b: &(f64, usize)| {
                b.0.total_cmp(&a.0)
                    .then(inl[a.1].1.index().cmp(&inl[b.1].1.index()))
                    .then(a.1.cmp(&b.1))
            };
            keyed.select_nth_unstable_by(INLINK_GROUP_LIMIT - 1, cmp);
            keyed.truncate(INLINK_GROUP_LIMIT);
            keyed.sort_unstable_by(cmp);
            let mut slots: Vec<Option<_>> = inl.into_iter().map(Some).collect();
            inl = keyed.iter().filter_map(|&(_, i)| slots[i].take()).collect();
        }
        let groups: Vec<InlinkGroup> = inl
            .into_iter()
            .map(|(via, s, e)| InlinkGroup {
                source: url_of(self, s),
                source_title: title_of(self, s),
                via: via.map(|v| url_of(self, v)),
                links: e
                    .occurrences
                    .iter()
                    .map(|o| InlinkOccurrence {
                        anchor: self.graph.anchor_text(o.anchor).to_string(),
                        quality: o.quality().into(),
                        nofollow: !o.followed(),
                        region: o.region.as_str(),
                        visible: o.visible(),
                        in_viewport: o.flags & flags::IN_VIEWPORT != 0,
                        order: o.order,
                        cross_scheme: o.flags & flags::CROSS_SCHEME != 0,
                        lighthouse_fails: o.lighthouse_fails(),
                    })
                    .collect(),
            })
            .collect();

        // Outlinks.
        let mut out = OutlinkSummary {
            unique: 0,
            internal: 0,
            external: page.external_links,
            nofollow: 0,
            non_navigational: page.non_navigational,
            hidden: 0,
            by_region: BTreeMap::new(),
            to_redirects: Vec::new(),
        };
        for (t, e) in self.graph.outlinks(id) {
            out.unique += 1;
            for o in e.occurrences {
                out.internal += 1;
                if !o.followed() {
                    out.nofollow += 1;
                }
                if !o.visible() {
                    out.hidden += 1;
                }
                *out.by_region.entry(o.region.as_str()).or_insert(0) += 1;
            }
            if let Some(tp) = self.graph.page(t) {
                if tp.redirect_to.is_some() && !tp.visited {
                    out.to_redirects.push(tp.url.to_string());
                }
            }
        }
        out.to_redirects.sort();

        // Problems.
        let depth = st.depth_of(id);
        let depth_final = st.depth_final(id);
        let mut problems = Vec::new();
        let complete = st.complete();
        if !page.visited && page.redirect_to.is_none() {
            problems.push(Problem {
                code: "not-visited",
                message: "Linkflow knows this page only from links; visit it to see its outlinks."
                    .into(),
                is_final: false,
            });
        }
        if st.orphans.contains(&id) {
            problems.push(Problem {
                code: "orphan",
                message:
                    "No other page links here: search engines and visitors can hardly find it."
                        .into(),
                is_final: complete,
            });
        } else if !groups.is_empty() && only_nofollow {
            problems.push(Problem {
                code: "nofollow-only",
                message: "Every link to this page is nofollow: it receives no internal authority."
                    .into(),
                is_final: complete,
            });
        } else if !groups.is_empty() && !any_visible {
            problems.push(Problem {
                code: "hidden-only",
                message: "Every link to this page is hidden on its page.".into(),
                is_final: complete,
            });
        }
        match depth {
            Some(d) if d > self.settings.deep_threshold => problems.push(Problem {
                code: "deep",
                message: format!(
                    "{d} clicks from the start page (more than {}): pages this deep get little authority.",
                    self.settings.deep_threshold
                ),
                is_final: depth_final,
            }),
            None if st.start.is_some() && page.redirect_to.is_none() && Some(id) != st.start => {
                problems.push(Problem {
                    code: "unreachable",
                    message: "No chain of followed links leads here from the start page.".into(),
                    is_final: depth_final,
                })
            }
            _ => {}
        }
        if non_descriptive > 0 {
            problems.push(Problem {
                code: "generic-anchors",
                message: format!(
                    "{non_descriptive} of {occ_total} links pointing here have anchors that say nothing about this page."
                ),
                is_final: complete,
            });
        }
        if !out.to_redirects.is_empty() {
            problems.push(Problem {
                code: "links-to-redirects",
                message: format!(
                    "This page links to {} redirecting URL(s): link to the final address instead.",
                    out.to_redirects.len()
                ),
                is_final: true,
            });
        }
        let redirect_to = page.redirect_to.map(|t| url_of(self, t));
        if let Some(t) = &redirect_to {
            problems.push(Problem {
                code: "redirect",
                message: format!("This address redirects to {t}."),
                is_final: true,
            });
        }
        if page.canonical.is_some() || page.canonical_url().is_some() {
            problems.push(Problem {
                code: "canonicalised",
                message: format!(
                    "Its canonical is another page ({}): search engines credit that page instead.",
                    page.canonical_url().unwrap_or("")
                ),
                is_final: true,
            });
        }
        if page.truncated_links > 0 || page.invalid_links > 0 {
            problems.push(Problem {
                code: "truncated",
                message: format!(
                    "{} links on this page were not read ({} over the size limits, of 20,000 links and of what one message from the page can carry; {} with an unreadable address).",
                    page.truncated_links + page.invalid_links,
                    page.truncated_links,
                    page.invalid_links
                ),
                is_final: true,
            });
        }
        if page.noindex {
            problems.push(Problem {
                code: "noindex",
                message: "Meta robots noindex: this page will not appear in search results.".into(),
                is_final: true,
            });
        }
        Ok(PageReport {
            url: page.url.to_string(),
            known: true,
            state: page.state(),
            redirect_to,
            canonical: page.canonical_url().map(str::to_string),
            title: page.title().map(str::to_string),
            h1: page.h1().map(str::to_string),
            authority,
            depth,
            depth_final,
            coverage: Coverage {
                visited: st.visited,
                discovered: st.discovered,
                complete,
            },
            inlink_stats: InlinkStats {
                sources: sources.len(),
                occurrences: occ_total,
                descriptive_share: if occ_total > 0 {
                    descriptive as f64 / occ_total as f64
                } else {
                    0.0
                },
                distinct_anchors: anchor_ids.len(),
                match_words,
            },
            inlinks: groups,
            inlinks_omitted,
            outlinks: out,
            problems,
        })
    }

    /// The Site view, under the settings' model.
    pub fn site_report(&self) -> SiteReport {
        self.site_report_with(self.settings.model)
    }

    /// The Site view under `model`.
    pub fn site_report_with(&self, model: Model) -> SiteReport {
        let auth = self.authority(model);
        let st = self.structure();
        let g = &self.graph;
        let top_pages = auth
            .order
            .iter()
            .take(20)
            .map(|&c| {
                let id = auth.pages[c as usize];
                TopPage {
                    url: url_of(self, id),
                    title: title_of(self, id),
                    share: auth.share[c as usize],
                    rank: auth.rank[c as usize],
                    score: auth.score(c as usize),
                    depth: st.depth_of(id),
                }
            })
            .collect();
        let complete = st.complete();
        let mut deep: Vec<DeepPage> =
            g.page_ids()
                .filter_map(|id| {
                    let d = st.depth_of(id)?;
                    let p = g.page(id)?;
                    ((p.visited || p.redirect_to.is_none()) && d > self.settings.deep_threshold)
                        .then(|| DeepPage {
                            url: p.url.to_string(),
                            title: p.title().map(str::to_string),
                            depth: d,
                        })
                })
                .collect();
        deep.sort_by(|a, b| b.depth.cmp(&a.depth).then_with(|| a.url.cmp(&b.url)));
        let deep_final = g
            .page_ids()
            .filter(|&id| {
                st.depth_of(id)
                    .is_some_and(|d| d > self.settings.deep_threshold)
            })
            .all(|id| st.depth_final(id));
        deep.truncate(LIST_LIMIT);

        let n = auth.len();
        let top_n = n.div_ceil(100).max(1).min(n);
        let home_share = st.start.and_then(|s| {
            let rep = match model {
                Model::Classic => s,
                Model::Prominence => g.representative(s, self.settings.consolidate_canonicals),
            };
            auth.share_of(rep)
        });
        let pooling = Pooling {
            home: st.start.map(|s| url_of(self, s)),
            home_share: home_share.unwrap_or(0.0),
            top1_pct_share: auth
                .order
                .iter()
                .take(top_n)
                .map(|&c| auth.share[c as usize])
                .sum(),
            top1_pct_count: top_n,
            uniform_share: if n > 0 { 1.0 / n as f64 } else { 0.0 },
        };

        // Poor anchors, by (text, code).
        // The example of each is the smallest (source, target) by URL, so the report does not
        // depend on the order edges are stored in.
        let mut generic: HashMap<(u32, AnchorCode), PoorAnchorTally> = HashMap::new();
        let url_str = |id: PageId| g.page(id).map_or("", |p| &*p.url);
        let mut redirects = Vec::new();
        let mut counts = Counts {
            pages: g.page_count(),
            visited: st.visited,
            discovered: st.discovered,
            edges: g.edge_count(),
            occurrences: 0,
            external: 0,
            non_navigational: 0,
        };
        for s in g.page_ids() {
            if let Some(p) = g.page(s) {
                counts.external += u64::from(p.external_links);
                counts.non_navigational += u64::from(p.non_navigational);
            }
            for (t, e) in g.outlinks(s) {
                counts.occurrences += e.occurrences.len();
                for o in e.occurrences {
                    let q = o.quality();
                    if q.is_descriptive() {
                        continue;
                    }
                    let entry = generic
                        .entry((o.anchor, q))
                        .or_insert_with(|| (0, HashSet::new(), (s, t)));
                    let (es, et) = entry.2;
                    if (url_str(s), url_str(t)) < (url_str(es), url_str(et)) {
                        entry.2 = (s, t);
                    }
                    entry.0 += 1;
                    entry.1.insert(t);
                }
                if let Some(tp) = g.page(t) {
                    if let (Some(r), false) = (tp.redirect_to, tp.visited) {
                        {
                            redirects.push(RedirectLink {
                                source: url_of(self, s),
                                target: tp.url.to_string(),
                                redirect_to: url_of(self, r),
                            });
                        }
                    }
                }
            }
        }
        let mut generic_anchors: Vec<GenericAnchor> = generic
            .into_iter()
            .map(|((a, code), (count, targets, (es, et)))| GenericAnchor {
                anchor: g.anchor_text(a).to_string(),
                code,
                count,
                targets: targets.len(),
                example: LinkRef {
                    source: url_of(self, es),
                    target: url_of(self, et),
                },
            })
            .collect();
        generic_anchors.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.anchor.cmp(&b.anchor))
                .then_with(|| a.code.as_str().cmp(b.code.as_str()))
        });
        generic_anchors.truncate(LIST_LIMIT);
        redirects.sort_by(|a, b| (&a.source, &a.target).cmp(&(&b.source, &b.target)));
        redirects.truncate(LIST_LIMIT);

        let mut orphans: Vec<PageRef> = st.orphans.iter().map(|&id| page_ref(self, id)).collect();
        orphans.sort_by(|a, b| a.url.cmp(&b.url));
        orphans.truncate(LIST_LIMIT);
        let mut unreachable: Vec<PageRef> = st
            .unreachable
            .iter()
            .map(|&id| page_ref(self, id))
            .collect();
        unreachable.sort_by(|a, b| a.url.cmp(&b.url));
        unreachable.truncate(LIST_LIMIT);

        SiteReport {
            site: self.root().to_string(),
            model: model.as_str(),
            iterations: auth.iterations,
            residual: auth.residual,
            coverage: Coverage {
                visited: st.visited,
                discovered: st.discovered,
                complete,
            },
            counts,
            top_pages,
            orphans: PageList {
                is_final: complete,
                pages: orphans,
            },
            deep_pages: DeepPages {
                is_final: deep_final,
                threshold: self.settings.deep_threshold,
                pages: deep,
            },
            unreachable,
            pooling,
            generic_anchors,
            links_to_redirects: redirects,
        }
    }
}
