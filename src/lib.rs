//! # Linkflow core
//!
//! How authority flows through one site's internal links: a link graph built from page
//! observations, internal PageRank (two models), click depth, orphans, coverage and anchor
//! quality, with a node-link JSON export. Pure Rust, no browser types; the extension reaches
//! it through the thin `wasm` module.
//!
//! ```
//! use linkflow::{RawObservation, Site, Settings};
//! let mut site = Site::new("https://example.com/", Settings::default()).unwrap();
//! let obs = RawObservation::from_json(r#"{"url": "https://example.com/",
//!     "links": [{"href": "https://example.com/about", "text": "About us"}]}"#).unwrap();
//! site.ingest(obs).unwrap();
//! let report = site.page_report("https://example.com/about").unwrap();
//! assert_eq!(report.inlinks.len(), 1);
//! ```

pub mod anchor;
pub mod authority;
pub mod error;
pub mod export;
pub mod graph;
pub mod observe;
pub mod report;
#[cfg(not(target_arch = "wasm32"))]
pub mod scan;
pub mod site;
pub mod structure;
pub mod synth;
pub mod url_norm;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use authority::{Model, Settings};
pub use error::{Error, Result};
pub use observe::{LinkRef, ObservationRef, RawLink, RawObservation, Region};
pub use site::Site;
