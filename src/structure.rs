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

use std::collections::VecDeque;

use crate::graph::{PageId, SiteGraph};

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
            for (t, e) in graph.outlinks(u) {
                if !e.followed() {
                    continue;
                }
                if depth[t.index()].is_none_or(|dt| dt > du + 1) {
                    depth[t.index()] = Some(du + 1);
                    q.push_back(t);
                }
            }
        }
    }
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
        if p.visited && Some(id) != start && !graph.inlinks(id).any(|(s, _)| s != id) {
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
