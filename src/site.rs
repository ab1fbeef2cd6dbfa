//! [`Site`]: one tracked site — its graph, settings, and the analyses cached between visits.

use std::cell::RefCell;
use std::rc::Rc;

use crate::authority::{self, Authority, Model, Settings};
use crate::error::{Error, Result};
use crate::graph::{IngestSummary, SiteGraph};
use crate::observe::ObservationRef;
use crate::structure::{self, Structure};
use crate::url_norm::Normalizer;

/// Cached analyses, valid for one graph generation.
#[derive(Debug, Default)]
struct Cache {
    generation: u64,
    structure: Option<Rc<Structure>>,
    prominence: Option<Rc<Authority>>,
    classic: Option<Rc<Authority>>,
    /// Last results of older generations, used to warm-start the next run.
    warm_prominence: Option<Rc<Authority>>,
    warm_classic: Option<Rc<Authority>>,
    /// The CSR of each model, patched after visits (reset when the settings change).
    rank_prominence: Option<authority::RankState>,
    rank_classic: Option<authority::RankState>,
    /// The latest structure and the graph's log position it reflects, to update after
    /// visits (reset when the settings change).
    structure_prev: Option<(Rc<Structure>, (u64, u64))>,
    /// After a restore: the warm seed of this model holds the converged shares of the
    /// graph generation given, with the iterations and residual of their run.
    converged: Option<Converged>,
    /// After a restore: stored click depths by graph index (0 unreached, else depth + 1)
    /// for the graph generation given, checked and expanded into the structure at the
    /// first query or visit, once the snapshot's bytes are freed.
    depth_seed: Option<(Vec<u32>, u64)>,
}

/// Shares a snapshot stored for exactly the graph it holds (see [`Site::seed_converged`]).
#[derive(Debug)]
struct Converged {
    model: Model,
    generation: u64,
    iterations: u32,
    residual: f64,
    /// Their order when they were ranked (compact ids, highest share first), if stored:
    /// only a hint that spares the sort (checked, and the sort still runs over it).
    order: Option<Vec<u32>>,
}

/// One tracked site: the facade the extension, the CLI and the tests use.
#[derive(Debug)]
pub struct Site {
    pub(crate) graph: SiteGraph,
    pub(crate) settings: Settings,
    cache: RefCell<Cache>,
}

impl Clone for Site {
    fn clone(&self) -> Self {
        Site {
            graph: self.graph.clone(),
            settings: self.settings.clone(),
            cache: RefCell::new(Cache::default()),
        }
    }
}

impl Site {
    /// A new, empty site whose root is `root` (e.g. `https://example.com/`).
    pub fn new(root: &str, settings: Settings) -> Result<Self> {
        settings.validate()?;
        let norm = Normalizer::new(root, settings.normalize.clone())?;
        if let Some(s) = &settings.start_url {
            norm.normalize(s).map_err(|e| {
                Error::InvalidConfig(format!("the start page must belong to the site: {e}"))
            })?;
        }
        Ok(Site {
            graph: SiteGraph::new(norm),
            settings,
            cache: RefCell::new(Cache::default()),
        })
    }

    /// The site's root URL.
    pub fn root(&self) -> &str {
        self.graph.normalizer().root()
    }

    /// The graph.
    pub fn graph(&self) -> &SiteGraph {
        &self.graph
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes model settings. Normalisation settings are fixed once a site is created
    /// (changing them would re-key every page); trying to change them is an error.
    pub fn set_settings(&mut self, settings: Settings) -> Result<()> {
        settings.validate()?;
        if settings.normalize != self.settings.normalize {
            return Err(Error::InvalidConfig(
                "URL normalisation settings can only be chosen when a site is first tracked".into(),
            ));
        }
        if let Some(s) = &settings.start_url {
            self.graph.normalizer().normalize(s).map_err(|e| {
                Error::InvalidConfig(format!("the start page must belong to the site: {e}"))
            })?;
        }
        self.settings = settings;
        self.invalidate();
        let mut c = self.cache.borrow_mut();
        c.rank_prominence = None;
        c.rank_classic = None;
        c.structure_prev = None;
        c.converged = None;
        c.depth_seed = None;
        Ok(())
    }

    /// Is `url` a page of this site?
    pub fn in_scope(&self, url: &str) -> bool {
        self.graph.normalizer().normalize(url).is_ok()
    }

    /// Normalises a URL of this site.
    pub fn normalize(&self, url: &str) -> Result<String> {
        self.graph.normalizer().normalize(url)
    }

    /// Adds one page observation, a [`crate::RawObservation`] or an [`ObservationRef`]
    /// (the latest visit of a page replaces the previous one).
    pub fn ingest<'a>(&mut self, obs: impl Into<ObservationRef<'a>>) -> Result<IngestSummary> {
        // Stored depths are checked against the graph they came with, before it changes.
        self.settle_depth_seed();
        // The graph logs the out-links each visit replaces for as long as an analysis kept
        // here may still follow them; older entries go.
        let c = self.cache.get_mut();
        let needed: Vec<(u64, u64)> = [&c.rank_prominence, &c.rank_classic]
            .into_iter()
            .flatten()
            .map(authority::RankState::at)
            .chain(c.structure_prev.as_ref().map(|(_, at)| *at))
            .collect();
        if !needed.is_empty() {
            self.graph.release_changes(needed);
        }
        self.graph.ingest(obs, &self.settings.weights)
    }

    fn invalidate(&self) {
        let mut c = self.cache.borrow_mut();
        if let Some(a) = c.prominence.take() {
            c.warm_prominence = Some(a);
        }
        if let Some(a) = c.classic.take() {
            c.warm_classic = Some(a);
        }
        c.structure = None;
    }

    fn sync(&self) {
        let stale = self.cache.borrow().generation != self.graph.generation;
        if stale {
            self.invalidate();
            self.cache.borrow_mut().generation = self.graph.generation;
        }
    }

    /// The authority under `model`, computed at most once per graph change (warm-started
    /// from the previous result).
    pub fn authority(&self, model: Model) -> Rc<Authority> {
        self.sync();
        let cached = {
            let c = self.cache.borrow();
            match model {
                Model::Prominence => c.prominence.clone(),
                Model::Classic => c.classic.clone(),
            }
        };
        if let Some(a) = cached {
            return a;
        }
        let (warm, mut state, converged) = {
            let mut c = self.cache.borrow_mut();
            // Once the graph changed, the stored order is still where the sort can start.
            let converged = c.converged.take_if(|cv| cv.model == model);
            let (warm, state) = match model {
                Model::Prominence => (c.warm_prominence.take(), c.rank_prominence.take()),
                Model::Classic => (c.warm_classic.take(), c.rank_classic.take()),
            };
            (warm, state, converged)
        };
        // Shares restored for exactly this graph are taken as they are: no CSR, no ranking.
        let (converged, seed_order) = match converged {
            Some(cv) if cv.generation == self.graph.generation => (Some(cv), None),
            Some(cv) => (None, cv.order),
            None => (None, None),
        };
        let taken = converged.zip(warm.as_deref()).and_then(|(cv, w)| {
            authority::from_converged(
                &self.graph,
                model,
                &self.settings,
                &w.share,
                (cv.iterations, cv.residual),
                cv.order.as_deref(),
            )
        });
        let a = Rc::new(taken.unwrap_or_else(|| {
            authority::compute_incremental(
                &self.graph,
                model,
                &self.settings,
                warm.as_deref(),
                seed_order.as_deref(),
                &mut state,
            )
        }));
        let mut c = self.cache.borrow_mut();
        match model {
            Model::Prominence => c.rank_prominence = state,
            Model::Classic => c.rank_classic = state,
        }
        match model {
            Model::Prominence => c.prominence = Some(a.clone()),
            Model::Classic => c.classic = Some(a.clone()),
        }
        a
    }

    /// The authority under `model`, independent of the graph's history: when the cached
    /// result was warm-started, it is recomputed from the teleport vector (and cached). The
    /// export uses this, so that exporting, importing and exporting again gives the same
    /// bytes.
    pub fn authority_exact(&self, model: Model) -> Rc<Authority> {
        let a = self.authority(model);
        if !a.warm_started {
            return a;
        }
        let cold = Rc::new(authority::compute(&self.graph, model, &self.settings, None));
        let mut c = self.cache.borrow_mut();
        match model {
            Model::Prominence => c.prominence = Some(cold.clone()),
            Model::Classic => c.classic = Some(cold.clone()),
        }
        cold
    }

    /// The latest authority computed under `model`, current or not (for the snapshot).
    pub(crate) fn last_authority(&self, model: Model) -> Option<Rc<Authority>> {
        let c = self.cache.borrow();
        match model {
            Model::Prominence => c.prominence.clone().or_else(|| c.warm_prominence.clone()),
            Model::Classic => c.classic.clone().or_else(|| c.warm_classic.clone()),
        }
    }

    /// Seeds the warm start of the next authority run (after a restore).
    pub(crate) fn seed_warm(&self, a: Authority) {
        let mut c = self.cache.borrow_mut();
        match a.model {
            Model::Prominence => c.warm_prominence = Some(Rc::new(a)),
            Model::Classic => c.warm_classic = Some(Rc::new(a)),
        }
    }

    /// Marks the warm seed of `model` (after a restore) as the converged shares of the graph
    /// as it is now, from a run of `iterations` with `residual`: while the graph does not
    /// change, the next [`Site::authority`] takes them as they are (checked by
    /// [`authority::from_converged`]) instead of ranking. It is done then, not in the
    /// restore, so that its memory reuses what the snapshot's bytes held.
    /// `order`, when the snapshot stored it, is their order then (compact ids, highest
    /// share first): it spares the first report the sort.
    pub(crate) fn seed_converged(
        &self,
        model: Model,
        (iterations, residual): (u32, f64),
        order: Option<Vec<u32>>,
    ) {
        self.cache.borrow_mut().converged = Some(Converged {
            model,
            generation: self.graph.generation,
            iterations,
            residual,
            order,
        });
    }

    /// Was the authority under `model` taken from a restore without ranking (and no CSR
    /// built since)?
    #[cfg(test)]
    pub(crate) fn authority_seeded(&self, model: Model) -> bool {
        let c = self.cache.borrow();
        match model {
            Model::Prominence => c.prominence.is_some() && c.rank_prominence.is_none(),
            Model::Classic => c.classic.is_some() && c.rank_classic.is_none(),
        }
    }

    /// Seeds the structure with click depths stored for the graph as it is now (after a
    /// restore; 0 unreached, else depth + 1, by graph index). They are checked
    /// ([`structure::from_depths`]) and expanded at the first structure query or visit:
    /// later, so that their memory reuses what the snapshot's bytes held.
    pub(crate) fn seed_depths(&self, depth: Vec<u32>) {
        self.cache.borrow_mut().depth_seed = Some((depth, self.graph.generation));
    }

    /// Turns the stored depths, if any, into the structure the next analysis starts from
    /// (when they check out for the graph as it is, which has not changed since).
    fn settle_depth_seed(&self) {
        let Some((depth, generation)) = self.cache.borrow_mut().depth_seed.take() else {
            return;
        };
        if generation != self.graph.generation {
            return;
        }
        let depth = depth
            .into_iter()
            .map(|d| d.checked_sub(1))
            .collect::<Vec<_>>();
        let start = self.settings.start_url.as_deref();
        if let Some(st) = structure::from_depths(&self.graph, start, depth) {
            self.cache.borrow_mut().structure_prev = Some((Rc::new(st), self.graph.log_position()));
        }
    }

    /// Was the structure seeded from stored depths that check out (and not yet recomputed)?
    #[cfg(test)]
    pub(crate) fn structure_seeded(&self) -> bool {
        self.settle_depth_seed();
        let c = self.cache.borrow();
        c.structure.is_none() && c.structure_prev.is_some()
    }

    /// Depth, orphans and coverage, computed at most once per graph change.
    pub fn structure(&self) -> Rc<Structure> {
        self.sync();
        if let Some(s) = self.cache.borrow().structure.clone() {
            return s;
        }
        self.settle_depth_seed();
        let start = self.settings.start_url.as_deref();
        let prev = self.cache.borrow_mut().structure_prev.take();
        let s = Rc::new(
            prev.and_then(|(p, at)| structure::analyse_after(&self.graph, start, &p, at))
                .unwrap_or_else(|| structure::analyse(&self.graph, start)),
        );
        let mut c = self.cache.borrow_mut();
        c.structure = Some(s.clone());
        c.structure_prev = Some((s.clone(), self.graph.log_position()));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{RawLink, RawObservation};

    #[test]
    fn the_change_log_is_released_as_the_analyses_follow() {
        let mut site = Site::new("https://s.test/", Settings::default()).expect("site");
        for round in 0..60usize {
            let links = (0..=round % 17 + 3)
                .map(|i| RawLink {
                    href: format!("/p{}", (i * 7 + round) % 30),
                    text: Some(format!("Page {i}")),
                    ..Default::default()
                })
                .collect();
            site.ingest(RawObservation {
                url: format!("https://s.test/p{}", round % 30),
                links,
                ..Default::default()
            })
            .expect("ingest");
            // The popup's analyses after each visit follow the log, which is then released.
            assert!(site.graph.log_size().0 <= 1, "round {round}");
            let a = site.authority(Model::Prominence);
            let s = site.structure();
            let cold = authority::compute(&site.graph, Model::Prominence, &site.settings, None);
            let l1 = authority::l1_distance(&a.share, &cold.share);
            assert!(l1 < 1e-8, "round {round}: {l1}");
            assert_eq!(*s, structure::analyse(&site.graph, None), "round {round}");
        }
    }
}
