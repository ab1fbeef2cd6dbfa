//! Click depth, reachability, orphans and coverage.
//!
//! - **Depth**: breadth-first search from the start page (the site root unless
//!   [`Settings::start_url`](crate::Settings::start_url) is set) over followed internal links
//!   of visited pages. A redirect costs no click: an alias's target gets the alias's depth.
//! - **Unreachable**: known pages (not redirect aliases) that the search does not reach.
//! - **Orphans**: visited pages other than the start page that no other page links to (any
//!   link, followed or not).
//! - **Coverage**: visited pages, and pages known from links but not yet visited.
//! - **Finality**: a depth `d` can still shrink only through an unvisited page at depth
//!   `< d − 1`; orphan and unreachable claims hold for good only once nothing is left unvisited.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet, VecDeque};

use crate::graph::{runs, Occurrence, PageId, SiteGraph};

/// Structure of the site as far as it is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Structure {
    /// The start page, if known.
    pub start: Option<PageId>,
    /// Depth by `PageId::index()`; `None` = unreachable.
    pub depth: Vec<Option<u32>>,
    /// Smallest depth of an unvisited, reachable page (`None` if there is none).
    pub min_unvisited_depth: Option<u32>,
    /// Visited pages.
    pub visited: usize,
    /// Known but not yet visited (redirect aliases excluded).
    pub discovered: usize,
    /// Orphan pages.
    pub orphans: Vec<PageId>,
    /// Unreachable pages.
    pub unreachable: Vec<PageId>,
}

impl Structure {
    /// Depth of a page.
    pub fn depth_of(&self, id: PageId) -> Option<u32> {
        self.depth.get(id.index()).copied().flatten()
    }
    /// Can no further visit change this page's depth (or its unreachability)?
    pub fn depth_final(&self, id: PageId) -> bool {
        match (self.depth_of(id), self.min_unvisited_depth) {
            (_, None) => true,
            (Some(d), Some(m)) => d <= m + 1,
            (None, Some(_)) => false,
        }
    }
    /// Nothing known is left unvisited.
    pub fn complete(&self) -> bool {
        self.discovered == 0
    }
}

/// Resolves the start page: `start_url` when set and known, else the site root.
pub fn start_page(graph: &SiteGraph, start_url: Option<&str>) -> Option<PageId> {
    let root = graph.normalizer().root().to_string();
    let url = start_url.unwrap_or(&root);
    graph.find(url).ok().flatten()
}

/// Computes depth, orphans, unreachable pages and coverage.
pub fn analyse(graph: &SiteGraph, start_url: Option<&str>) -> Structure {
    let bound = graph.index_bound();
    let mut depth: Vec<Option<u32>> = vec![None; bound];
    let start = start_page(graph, start_url);
    if let Some(s) = start {
        // 0-1 BFS: redirects are free, links cost one click.
        let mut q: VecDeque<PageId> = VecDeque::new();
        depth[s.index()] = Some(0);
        q.push_back(s);
        while let Some(u) = q.pop_front() {
            let du = depth[u.index()].unwrap_or(0);
            if let Some(t) = graph.page(u).and_then(|p| p.redirect_to) {
                if depth[t.index()].is_none_or(|dt| dt > du) {
                    depth[t.index()] = Some(du);
                    q.push_front(t);
                }
            }
            for t in followed_targets(graph, u) {
                if depth[t as usize].is_none_or(|dt| dt > du + 1) {
                    depth[t as usize] = Some(du + 1);
                    q.push_back(PageId::new(t as usize));
                }
            }
        }
    }
    summarise(graph, start, depth)
}

/// The distinct targets of `u`'s followed links.
fn followed_targets(graph: &SiteGraph, u: PageId) -> impl Iterator<Item = u32> + '_ {
    let (targets, occs) = graph.out_slices(u);
    followed_in(targets, occs)
}

fn followed_in<'a>(targets: &'a [u32], occs: &'a [Occurrence]) -> impl Iterator<Item = u32> + 'a {
    runs(targets)
        .filter(move |&(_, a, b)| occs[a..b].iter().any(Occurrence::followed))
        .map(|(t, _, _)| t)
}

/// [`analyse`] after visits, from its result before them (`prev`, at the graph's log
/// position `at`): when the visits only replaced out-links (and appended pages), and no
/// link that a shortest path could use was removed, depths can only shrink, and they are
/// lowered from the new links outwards instead of searching the whole site again. `None`
/// when that does not hold (then [`analyse`] runs).
pub(crate) fn analyse_after(
    graph: &SiteGraph,
    start_url: Option<&str>,
    prev: &Structure,
    at: (u64, u64),
) -> Option<Structure> {
    let touched = graph.first_changes_since(at)?;
    let start = start_page(graph, start_url);
    if start != prev.start {
        return None;
    }
    let mut depth = prev.depth.clone();
    depth.resize(graph.index_bound(), None);
    // A removed link whose target sat one click below its source may have carried a
    // shortest path: search again.
    for ch in &touched {
        let u = PageId::new(ch.page as usize);
        let Some(du) = depth.get(ch.page as usize).copied().flatten() else {
            continue;
        };
        let now: HashSet<u32> = followed_targets(graph, u).collect();
        for t in followed_in(&ch.targets, &ch.occs) {
            if !now.contains(&t) && depth.get(t as usize).copied().flatten() == Some(du + 1) {
                return None;
            }
        }
    }
    // New links can only shorten paths: relax from them, nearest first.
    let mut heap = BinaryHeap::new();
    for ch in &touched {
        if let Some(du) = depth.get(ch.page as usize).copied().flatten() {
            heap.push(Reverse((du, ch.page)));
        }
    }
    while let Some(Reverse((du, u))) = heap.pop() {
        if depth[u as usize] != Some(du) {
            continue; // superseded
        }
        let uid = PageId::new(u as usize);
        if let Some(t) = graph.page(uid).and_then(|p| p.redirect_to) {
            if depth[t.index()].is_none_or(|dt| dt > du) {
                depth[t.index()] = Some(du);
                heap.push(Reverse((du, t.index() as u32)));
            }
        }
        for t in followed_targets(graph, uid) {
            if depth[t as usize].is_none_or(|dt| dt > du + 1) {
                depth[t as usize] = Some(du + 1);
                heap.push(Reverse((du + 1, t)));
            }
        }
    }
    Some(summarise(graph, start, depth))
}

/// A structure from depths stored with the graph (a snapshot), after checking that they are
/// exactly the click depths of this graph — in one pass over the links in storage order,
/// much cheaper than the search: the start is at 0; no link leads more than one click
/// (no redirect more than zero) below its source, or to an unreached page; and every
/// other reached page has a source exactly one click (or a redirect zero) above it, from
/// which the start is reached in turn. `None` when they are not.
pub(crate) fn from_depths(
    graph: &SiteGraph,
    start_url: Option<&str>,
    depth: Vec<Option<u32>>,
) -> Option<Structure> {
    let bound = graph.index_bound();
    if depth.len() != bound {
        return None;
    }
    let start = start_page(graph, start_url);
    let Some(s) = start else {
        return depth
            .iter()
            .all(Option::is_none)
            .then(|| summarise(graph, start, depth));
    };
    if depth[s.index()] != Some(0) {
        return None;
    }
    let mut justified = vec![false; bound];
    justified[s.index()] = true;
    let mut redirects: Vec<(usize, usize)> = Vec::new();
    for (i, &d) in depth.iter().enumerate() {
        let u = PageId::new(i);
        let Some(page) = graph.page(u) else {
            if d.is_some() {
                return None;
            }
            continue;
        };
        let Some(du) = d else { continue };
        if let Some(t) = page.redirect_to {
            match depth.get(t.index()).copied().flatten() {
                Some(dt) if dt <= du => redirects.push((i, t.index())),
                _ => return None,
            }
        }
        if !links_fit(graph, u, du, &depth, &mut justified) {
            return None;
        }
    }
    // Redirects justify their targets only from a justified source (alias cycles don't).
    loop {
        let mut changed = false;
        for &(u, t) in &redirects {
            if justified[u] && !justified[t] && depth[u] == depth[t] {
                justified[t] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
        .iter()
        .zip(&justified)
        .all(|(d, &j)| d.is_none() || j)
        .then(|| summarise(graph, start, depth))
}

/// Do the followed links of `u` (at depth `du`) lead at most one click below it, to reached
/// pages? Marks the targets exactly one click below as justified. One call per page: V8
/// optimises a wasm function only for its later calls.
#[inline(never)]
fn links_fit(
    graph: &SiteGraph,
    u: PageId,
    du: u32,
    depth: &[Option<u32>],
    justified: &mut [bool],
) -> bool {
    // Each followed occurrence rather than each edge (the same targets, some checked more
    // than once): one straight pass over the two arrays, without finding the runs.
    let (targets, occs) = graph.out_slices(u);
    for (&t, o) in targets.iter().zip(occs) {
        if !o.followed() {
            continue;
        }
        match depth.get(t as usize).copied().flatten() {
            Some(dt) if dt <= du + 1 => {
                if dt == du + 1 {
                    if let Some(j) = justified.get_mut(t as usize) {
                        *j = true;
                    }
                }
            }
            _ => return false,
        }
    }
    true
}

/// Coverage, orphans and unreachable pages, given the depths.
fn summarise(graph: &SiteGraph, start: Option<PageId>, depth: Vec<Option<u32>>) -> Structure {
    let mut visited = 0;
    let mut discovered = 0;
    let mut min_unvisited_depth: Option<u32> = None;
    let mut orphans = Vec::new();
    let mut unreachable = Vec::new();
    for id in graph.page_ids() {
        let Some(p) = graph.page(id) else { continue };
        let alias = p.redirect_to.is_some() && !p.visited;
        if p.visited {
            visited += 1;
        } else if !alias {
            discovered += 1;
            if let Some(d) = depth[id.index()] {
                min_unvisited_depth = Some(min_unvisited_depth.map_or(d, |m| m.min(d)));
            }
        }
        if alias {
            continue;
        }
        if depth[id.index()].is_none() {
            unreachable.push(id);
        }
        if p.visited && Some(id) != start && !linked_from_elsewhere(graph, id) {
            orphans.push(id);
        }
    }
    Structure {
        start,
        depth,
        min_unvisited_depth,
        visited,
        discovered,
        orphans,
        unreachable,
    }
}

/// Does another page link to `id` (any link, followed or not)?
fn linked_from_elsewhere(graph: &SiteGraph, id: PageId) -> bool {
    match graph.in_degree(id) {
        0 => false,
        1 => graph
            .out_slices(id)
            .0
            .binary_search(&(id.index() as u32))
            .is_err(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{RawLink, RawObservation};
    use crate::{Settings, Site};

    /// Random visits (new pages, links removed and added, nofollow, redirects): the
    /// structure kept up to date after each visit is the one a full search finds.
    #[test]
    fn updated_structure_equals_a_full_analysis_after_every_visit() {
        let mut site = Site::new("https://s.test/", Settings::default()).expect("site");
        let mut rng = crate::synth::Rng::new(0xfeed);
        let mut next = |m: u64| rng.next_u64() % m;
        let mut updated = 0;
        for round in 0..400 {
            let page = if round == 0 { 0 } else { next(40) };
            let url = if page == 0 {
                "https://s.test/".to_string()
            } else {
                format!("https://s.test/p{page}")
            };
            let links: Vec<RawLink> = (0..next(6))
                .map(|_| RawLink {
                    href: format!(
                        "https://s.test/p{}",
                        next(if round < 150 { 40 } else { 80 })
                    ),
                    rel: (next(7) == 0).then(|| "nofollow".to_string()),
                    ..Default::default()
                })
                .collect();
            let mut o = RawObservation {
                url,
                links,
                ..Default::default()
            };
            if next(50) == 0 {
                o.requested_url = Some(format!("https://s.test/old{}", next(3)));
            }
            let before = site.graph.log_position();
            let prev = site.structure();
            site.ingest(o).expect("ingest");
            let incremental = analyse_after(&site.graph, None, &prev, before);
            updated += usize::from(incremental.is_some());
            let full = analyse(&site.graph, None);
            if let Some(inc) = incremental {
                assert_eq!(inc, full, "round {round}");
            }
            assert_eq!(
                *site.structure(),
                full,
                "round {round}: the cached structure"
            );
        }
        assert!(
            updated > 200,
            "most visits were followed incrementally ({updated})"
        );
    }

    /// Stored depths are taken only when they are this graph's: checked against every
    /// followed link, including an edge whose first occurrence is nofollow and a later one
    /// followed, and never against an edge that is nofollow throughout.
    #[test]
    fn stored_depths_are_taken_only_when_every_followed_link_fits() {
        let mut site = Site::new("https://s.test/", Settings::default()).expect("site");
        let link = |href: &str, nofollow: bool| RawLink {
            href: format!("https://s.test/{href}"),
            rel: nofollow.then(|| "nofollow".to_string()),
            ..Default::default()
        };
        let visit = |site: &mut Site, url: &str, links: Vec<RawLink>| {
            site.ingest(RawObservation {
                url: format!("https://s.test/{url}"),
                links,
                ..Default::default()
            })
            .expect("ingest");
        };
        // Root → a (nofollow, then followed) → b; root → c (nofollow only); b → c.
        visit(
            &mut site,
            "",
            vec![link("a", true), link("a", false), link("c", true)],
        );
        visit(&mut site, "a", vec![link("b", false)]);
        visit(&mut site, "b", vec![link("c", false)]);
        let full = analyse(&site.graph, None);
        let id = |u: &str| {
            site.graph
                .id_of(&format!("https://s.test/{u}"))
                .expect("page")
        };
        let (a, b, c) = (id("a").index(), id("b").index(), id("c").index());
        assert_eq!(
            (full.depth[a], full.depth[b], full.depth[c]),
            (Some(1), Some(2), Some(3))
        );
        assert_eq!(
            from_depths(&site.graph, None, full.depth.clone()),
            Some(full.clone())
        );
        let with = |i: usize, d: Option<u32>| {
            let mut depth = full.depth.clone();
            depth[i] = d;
            from_depths(&site.graph, None, depth)
        };
        // a two clicks down: the followed second link from the root says one.
        assert_eq!(with(a, Some(2)), None);
        // c one click down: only the nofollow link from the root says so, nothing justifies it.
        assert_eq!(with(c, Some(1)), None);
        // c unreached: b's followed link reaches it.
        assert_eq!(with(c, None), None);
        // b at a's depth: no source one click above it.
        assert_eq!(with(b, Some(1)), None);
    }
}
