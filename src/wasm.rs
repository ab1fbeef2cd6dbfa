//! The only `#[wasm_bindgen]` code: an opaque handle over [`Site`] for the extension's
//! service worker. Data crosses as plain JS objects via `serde-wasm-bindgen`; every error
//! becomes a JS `Error` whose message is meant for the user.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{ObservationRef, RawObservation, Settings, Site};

fn err(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(err)
}

/// The size of one part of [`LinkflowSite::export_json_parts`] (8 MiB).
const EXPORT_PART_BYTES: usize = 8 << 20;

/// The size of one part of [`LinkflowSite::snapshot_parts`] (1 MiB).
const SNAPSHOT_PART_BYTES: usize = 1 << 20;

/// A writer that hands its bytes to JS in parts of about [`EXPORT_PART_BYTES`], each
/// copied once into its own `Uint8Array`.
struct JsParts {
    buf: Vec<u8>,
    parts: js_sys::Array,
}

impl JsParts {
    fn new() -> JsParts {
        JsParts {
            buf: Vec::new(),
            parts: js_sys::Array::new(),
        }
    }

    fn flush_part(&mut self) {
        if !self.buf.is_empty() {
            self.parts
                .push(&js_sys::Uint8Array::from(self.buf.as_slice()));
            self.buf.clear();
        }
    }
}

impl std::io::Write for JsParts {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        if self.buf.len() + data.len() > EXPORT_PART_BYTES {
            self.flush_part();
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// JSON copied into wasm memory (a page observation or an export): text, or its UTF-8
/// bytes. As a `Uint8Array` it takes its length; as a JS string, wasm-bindgen first reserves
/// three bytes for every character after the first non-ASCII one (an export of 1M links:
/// 913 MB of wasm memory instead of 537 for the import), and copies the ASCII before it one
/// character at a time in JS.
enum JsonInput {
    Text(String),
    Bytes(Vec<u8>),
}

impl JsonInput {
    /// The JSON given as a string or as a `Uint8Array` of UTF-8; otherwise an error
    /// starting with `what` ("invalid page observation", "cannot import").
    fn from_js(json: &JsValue, what: &str) -> Result<JsonInput, JsValue> {
        if let Some(bytes) = json.dyn_ref::<js_sys::Uint8Array>() {
            Ok(JsonInput::Bytes(bytes.to_vec()))
        } else if let Some(text) = json.as_string() {
            Ok(JsonInput::Text(text))
        } else {
            Err(err(format!(
                "{what}: expected JSON text or its UTF-8 bytes"
            )))
        }
    }

    /// The UTF-8 bytes.
    fn bytes(&self) -> &[u8] {
        match self {
            JsonInput::Text(t) => t.as_bytes(),
            JsonInput::Bytes(b) => b,
        }
    }

    /// The observation, its strings borrowed from the input.
    fn parse(&self) -> Result<ObservationRef<'_>, JsValue> {
        match self {
            JsonInput::Text(t) => ObservationRef::from_js_json(t),
            JsonInput::Bytes(b) => ObservationRef::from_js_json_bytes(b),
        }
        .map_err(err)
    }
}

/// How an error about page observation JSON starts.
const OBSERVATION: &str = "invalid page observation";
/// How an error about an export to import starts.
const IMPORT: &str = "cannot import";

/// One tracked site, living in wasm memory.
#[wasm_bindgen]
pub struct LinkflowSite {
    site: Site,
}

/// Makes the allocator take `bytes` of wasm memory in one step, ahead of many small blocks.
///
/// The standard library's allocator on wasm (dlmalloc) grows memory 64 KiB at a time, and
/// each `memory.grow` is a call into the engine: a restore builds its graph (about twice its
/// snapshot's size, in some 400,000 blocks) in fresh memory, which took hundreds of grows.
/// One block of the estimate, freed at once, becomes the allocator's free top, and the
/// restore's blocks are cut from it. The estimate stays under what the restore allocates,
/// so the high-water mark of wasm memory does not rise.
fn reserve_heap(bytes: usize) {
    let block: Vec<u8> = Vec::with_capacity(bytes);
    // Without the hint the optimiser drops an allocation nothing reads.
    drop(std::hint::black_box(block));
}

#[wasm_bindgen]
impl LinkflowSite {
    /// A new site whose root is `site_url`; `settings` is optional.
    #[wasm_bindgen(constructor)]
    pub fn new(site_url: &str, settings: JsValue) -> Result<LinkflowSite, JsValue> {
        console_error_panic_hook::set_once();
        let settings: Settings = if settings.is_undefined() || settings.is_null() {
            Settings::default()
        } else {
            serde_wasm_bindgen::from_value(settings)
                .map_err(|e| err(format!("invalid settings: {e}")))?
        };
        Ok(LinkflowSite {
            site: Site::new(site_url, settings).map_err(err)?,
        })
    }

    /// Rebuilds a site from `snapshot()` bytes.
    pub fn restore(bytes: &[u8]) -> Result<LinkflowSite, JsValue> {
        console_error_panic_hook::set_once();
        reserve_heap(bytes.len().saturating_mul(2));
        Ok(LinkflowSite {
            site: Site::restore(bytes).map_err(err)?,
        })
    }

    /// A new site from an export's JSON, as text or as its UTF-8 bytes (a `Uint8Array`).
    #[wasm_bindgen(js_name = fromExportJson)]
    pub fn from_export_json(json: JsValue) -> Result<LinkflowSite, JsValue> {
        let input = JsonInput::from_js(&json, IMPORT)?;
        Ok(LinkflowSite {
            site: Site::from_export_json_bytes(input.bytes()).map_err(err)?,
        })
    }

    /// Adds one page observation; returns an `IngestSummary`.
    pub fn ingest(&mut self, observation: JsValue) -> Result<JsValue, JsValue> {
        let obs: RawObservation = serde_wasm_bindgen::from_value(observation)
            .map_err(|e| err(format!("invalid page observation: {e}")))?;
        let s = self.site.ingest(obs).map_err(err)?;
        to_js(&s)
    }

    /// Adds one page observation given as JSON — `JSON.stringify` of what `ingest` takes,
    /// or with its links as columns (docs/PROTOCOL.md, the form content.js sends), as text
    /// or as its UTF-8 bytes (a `Uint8Array`) — and returns an `IngestSummary`.
    /// Same result as `ingest`, cheaper across the boundary than converting thousands of
    /// link objects one field at a time (strings without escapes are read in place).
    /// With `url`, the observation must be of exactly that page (the worker passes the
    /// address it checked against the sending tab). Malformed or truncated JSON throws
    /// "invalid page observation: …"; escaped lone surrogates become U+FFFD, as in `ingest`.
    #[wasm_bindgen(js_name = ingestJson)]
    pub fn ingest_json(&mut self, json: JsValue, url: Option<String>) -> Result<JsValue, JsValue> {
        let input = JsonInput::from_js(&json, OBSERVATION)?;
        let obs = input.parse()?;
        if url.is_some_and(|u| *obs.url != *u) {
            return Err(err(
                "invalid page observation: it describes another page than the one that sent it",
            ));
        }
        let s = self.site.ingest(obs).map_err(err)?;
        to_js(&s)
    }

    /// The report for one page.
    #[wasm_bindgen(js_name = pageReport)]
    pub fn page_report(&self, url: &str) -> Result<JsValue, JsValue> {
        to_js(&self.site.page_report(url).map_err(err)?)
    }

    /// The site report.
    #[wasm_bindgen(js_name = siteReport)]
    pub fn site_report(&self) -> Result<JsValue, JsValue> {
        to_js(&self.site.site_report())
    }

    /// The node-link JSON export as one string (convenient for small sites and tests; a
    /// large export should be made with `exportJsonParts`).
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(&self) -> String {
        self.site.export_json()
    }

    /// The node-link JSON export as UTF-8 bytes, in `Uint8Array` parts of at most
    /// [`EXPORT_PART_BYTES`]: `new Blob(site.exportJsonParts(), {type: "application/json"})`
    /// is the file. No JS string is made (a 1M-link export is ~250 MB of text), and wasm
    /// memory grows by one part, not by the whole export.
    #[wasm_bindgen(js_name = exportJsonParts)]
    pub fn export_json_parts(&self) -> Result<js_sys::Array, JsValue> {
        let mut out = JsParts::new();
        self.site.write_export_json(&mut out).map_err(err)?;
        out.flush_part();
        Ok(out.parts)
    }

    /// Merges an export, given as text or as its UTF-8 bytes (a `Uint8Array`: what the
    /// worker passes, see [`JsonInput`]); throws (changing nothing) when it is not a valid
    /// export of this site.
    #[wasm_bindgen(js_name = importJson)]
    pub fn import_json(&mut self, json: JsValue) -> Result<JsValue, JsValue> {
        let input = JsonInput::from_js(&json, IMPORT)?;
        to_js(&self.site.import_json_bytes(input.bytes()).map_err(err)?)
    }

    /// The whole state as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        self.site.snapshot()
    }

    /// The same bytes as `snapshot()`, in `Uint8Array` parts of about
    /// [`SNAPSHOT_PART_BYTES`] (the first is the 12-byte header): `new Blob(parts)` is the
    /// snapshot. Wasm memory grows by one part, not by the whole snapshot (15 MB at 1M
    /// links), and a worker's memory stays where its graph put it.
    #[wasm_bindgen(js_name = snapshotParts)]
    pub fn snapshot_parts(&self) -> js_sys::Array {
        let parts = js_sys::Array::new();
        let header = self.site.snapshot_parts(SNAPSHOT_PART_BYTES, |b| {
            parts.push(&js_sys::Uint8Array::from(b));
        });
        parts.unshift(&js_sys::Uint8Array::from(&header[..]));
        parts
    }

    /// Does `url` belong to this site?
    #[wasm_bindgen(js_name = inScope)]
    pub fn in_scope(&self, url: &str) -> bool {
        self.site.in_scope(url)
    }

    /// Normalises a URL of this site.
    pub fn normalize(&self, url: &str) -> Result<String, JsValue> {
        self.site.normalize(url).map_err(err)
    }

    /// The site root.
    pub fn root(&self) -> String {
        self.site.root().to_string()
    }

    /// The settings.
    pub fn settings(&self) -> Result<JsValue, JsValue> {
        to_js(self.site.settings())
    }

    /// Changes model settings.
    #[wasm_bindgen(js_name = setSettings)]
    pub fn set_settings(&mut self, settings: JsValue) -> Result<(), JsValue> {
        let s: Settings = serde_wasm_bindgen::from_value(settings)
            .map_err(|e| err(format!("invalid settings: {e}")))?;
        self.site.set_settings(s).map_err(err)
    }

    /// `{pages, visited, links}`.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Stats {
            pages: usize,
            visited: usize,
            links: usize,
            edges: usize,
        }
        let g = self.site.graph();
        let visited = g
            .page_ids()
            .filter(|&id| g.page(id).is_some_and(|p| p.visited))
            .count();
        to_js(&Stats {
            pages: g.page_count(),
            visited,
            links: g.occurrence_count(),
            edges: g.edge_count(),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Benchmark entry points (scripts/bench-browser.mjs, docs/BENCHMARKS.md). They build
// synthetic sites (`crate::synth`) inside wasm memory; JavaScript does the timing.
// Built only with `--features bench`, so the shipped extension does not carry them.
#[cfg(feature = "bench")]
mod bench {
    use super::*;

    /// A synthetic site's classic-model CSR, for timing the PageRank kernel in wasm.
    #[wasm_bindgen]
    pub struct BenchGraph {
        csr: crate::authority::Csr,
        teleport: Vec<f64>,
        edges: usize,
    }

    #[wasm_bindgen]
    impl BenchGraph {
        /// Generates `pages` pages with `links_per_page` links (seeded) and builds the CSR.
        #[wasm_bindgen(constructor)]
        pub fn new(pages: u32, links_per_page: u32, seed: u32) -> BenchGraph {
            let s = bench_synth(pages, links_per_page, seed);
            let n = s.pages();
            let edges = s.classic_edges();
            BenchGraph {
                csr: crate::authority::Csr::from_unit_edges(n, &edges),
                teleport: vec![1.0 / n as f64; n],
                edges: edges.len(),
            }
        }

        /// Unique (source, target) pairs.
        pub fn edges(&self) -> u32 {
            u32::try_from(self.edges).unwrap_or(u32::MAX)
        }

        /// One PageRank run at the documented criterion (`tolerance` 1e-9); returns the sweeps.
        pub fn pagerank(&self) -> u32 {
            crate::authority::power_iteration(&self.csr, 0.85, &self.teleport, 1e-9, 1000, None)
                .iterations
        }

        /// One pass of the streaming/gather probe (the memory floor of one iteration).
        pub fn probe(&self) -> f64 {
            let csr = &self.csr;
            let x = &self.teleport;
            let mut total = 0.0;
            for t in 0..csr.len() {
                let (a, b) = (csr.off[t] as usize, csr.off[t + 1] as usize);
                let mut acc = 0.0;
                for &s in &csr.src[a..b] {
                    acc += x[s as usize];
                }
                total += acc;
            }
            total
        }
    }

    fn bench_synth(pages: u32, links_per_page: u32, seed: u32) -> crate::synth::Synth {
        crate::synth::Synth::new(crate::synth::SynthConfig {
            pages: pages as usize,
            links_per_page: links_per_page as usize,
            seed: u64::from(seed),
            ..Default::default()
        })
    }

    /// A synthetic site as a [`LinkflowSite`] (every page visited; built directly).
    #[wasm_bindgen(js_name = benchSite)]
    pub fn bench_site(pages: u32, links_per_page: u32, seed: u32) -> LinkflowSite {
        LinkflowSite {
            site: bench_synth(pages, links_per_page, seed).site(),
        }
    }

    /// The observation of page `index` of a synthetic site (a plain JS object).
    #[wasm_bindgen(js_name = benchObservation)]
    pub fn bench_observation(
        pages: u32,
        links_per_page: u32,
        seed: u32,
        index: u32,
    ) -> Result<JsValue, JsValue> {
        to_js(&bench_synth(pages, links_per_page, seed).observation(index as usize))
    }

    /// A synthetic sitemap-like observation with `links` links, as the JSON text the
    /// content script sends.
    #[wasm_bindgen(js_name = benchWideObservationJson)]
    pub fn bench_wide_observation_json(
        pages: u32,
        links_per_page: u32,
        seed: u32,
        links: u32,
    ) -> String {
        bench_synth(pages, links_per_page, seed).wide_observation_json(links as usize)
    }

    /// [`bench_wide_observation_json`] with the links as objects (the older form).
    #[wasm_bindgen(js_name = benchWideObservationRowsJson)]
    pub fn bench_wide_observation_rows_json(
        pages: u32,
        links_per_page: u32,
        seed: u32,
        links: u32,
    ) -> String {
        bench_synth(pages, links_per_page, seed).wide_observation_rows_json(links as usize)
    }

    /// The export as one `Uint8Array` (`Vec<u8>` through wasm-bindgen), to compare with
    /// `exportJsonParts` in scripts/bench-browser.mjs.
    #[wasm_bindgen(js_name = benchExportJsonBytes)]
    pub fn bench_export_json_bytes(site: &LinkflowSite) -> Vec<u8> {
        site.site.export_json_bytes()
    }

    /// Parses observation JSON as `ingestJson` does, without ingesting it (its cost alone);
    /// returns the number of links.
    #[wasm_bindgen(js_name = benchParseObservationJson)]
    pub fn bench_parse_observation_json(json: JsValue) -> Result<u32, JsValue> {
        let input = JsonInput::from_js(&json, OBSERVATION)?;
        let o = input.parse()?;
        Ok(u32::try_from(o.links.len()).unwrap_or(u32::MAX))
    }

    #[wasm_bindgen]
    impl LinkflowSite {
        /// Ranks the site under its model (the authority alone, as the popup's report
        /// would); returns the iterations used.
        #[wasm_bindgen(js_name = benchAuthority)]
        pub fn bench_authority(&self) -> u32 {
            self.site.authority(self.site.settings().model).iterations
        }

        /// Parses `json` once, then ingests `times` copies of it; returns the milliseconds
        /// spent in the ingests alone (copies made outside the timing), measured with
        /// `performance.now()`: the core's ingest in wasm without any boundary crossing.
        #[wasm_bindgen(js_name = benchIngestParsed)]
        pub fn bench_ingest_parsed(
            &mut self,
            json: JsValue,
            times: u32,
        ) -> Result<Vec<f64>, JsValue> {
            let input = JsonInput::from_js(&json, OBSERVATION)?;
            let o = input.parse()?;
            let mut out = Vec::new();
            for _ in 0..times {
                let copy = o.clone();
                let t0 = performance_now();
                self.site.ingest(copy).map_err(err)?;
                out.push(performance_now() - t0);
            }
            Ok(out)
        }
    }

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn performance_now() -> f64;
    }

    /// The URL of page `index` of a synthetic site.
    #[wasm_bindgen(js_name = benchUrl)]
    pub fn bench_url(pages: u32, links_per_page: u32, seed: u32, index: u32) -> String {
        bench_synth(pages, links_per_page, seed).url(index as usize)
    }
}
