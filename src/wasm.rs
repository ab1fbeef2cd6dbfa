//! The only `#[wasm_bindgen]` code: an opaque handle over [`Site`] for the extension's
//! service worker. Data crosses as plain JS objects via `serde-wasm-bindgen`; every error
//! becomes a JS `Error` whose message is meant for the user.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{RawObservation, Settings, Site};

fn err(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(err)
}

/// One tracked site, living in wasm memory.
#[wasm_bindgen]
pub struct LinkflowSite {
    site: Site,
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
        Ok(LinkflowSite {
            site: Site::restore(bytes).map_err(err)?,
        })
    }

    /// A new site from an export's JSON text.
    #[wasm_bindgen(js_name = fromExportJson)]
    pub fn from_export_json(text: &str) -> Result<LinkflowSite, JsValue> {
        Ok(LinkflowSite {
            site: Site::from_export_json(text).map_err(err)?,
        })
    }

    /// Adds one page observation; returns an `IngestSummary`.
    pub fn ingest(&mut self, observation: JsValue) -> Result<JsValue, JsValue> {
        let obs: RawObservation = serde_wasm_bindgen::from_value(observation)
            .map_err(|e| err(format!("invalid page observation: {e}")))?;
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

    /// The node-link JSON export.
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(&self) -> String {
        self.site.export_json()
    }

    /// Merges an export; throws (changing nothing) when it is not a valid export of this site.
    #[wasm_bindgen(js_name = importJson)]
    pub fn import_json(&mut self, text: &str) -> Result<JsValue, JsValue> {
        to_js(&self.site.import_json(text).map_err(err)?)
    }

    /// The whole state as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        self.site.snapshot()
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
