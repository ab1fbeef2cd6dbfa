//! URL normalisation and site scope.
//!
//! Every URL that enters the graph passes through [`Normalizer::normalize`]. The rules, in
//! the order they apply (each has a named test below):
//!
//! | # | rule | example |
//! |---|------|---------|
//! | 1 | parse with the `url` crate (WHATWG): scheme and host lowercased, host converted to IDNA (punycode), default port dropped, dot-segments resolved | `HTTP://Exämple.COM:80/a/../b` → `http://xn--exmple-cua.com/b` |
//! | 2 | only `http`/`https` are pages; `mailto:`, `tel:`, `javascript:`, `data:`, `blob:`… are [`Classified::NonNavigational`] (counted, not in the graph) | `mailto:a@b` |
//! | 3 | the fragment is dropped | `/a#top` → `/a` |
//! | 4 | percent-encoding normalised: escapes of unreserved characters decoded, other escapes uppercased | `/%7euser/%e2%82%ac` → `/~user/%E2%82%AC` |
//! | 5 | tracking parameters removed (`utm_*`, `gclid`, `fbclid`, `msclkid`, plus [`NormalizeConfig::strip_params`]); other parameters kept in order; an empty query is dropped | `/?utm_source=x&id=2` → `/?id=2` |
//! | 6 | a last segment `index.html`/`index.htm` is dropped (when [`NormalizeConfig::strip_index`], default on) | `/docs/index.html` → `/docs/` |
//! | 7 | trailing slash per [`TrailingSlash`] (default `Keep`: `/a` and `/a/` stay different, as servers may treat them differently) | |
//! | 8 | inside the site, `www.` and the bare host are one host (default), and `http`/`https` are one site (default): the URL is rewritten to the site root's scheme and host, and the link is flagged as crossing schemes | `https://www.a.test/x` on site `http://a.test/` → `http://a.test/x` |
//!
//! Subdomains are separate sites by default ([`NormalizeConfig::subdomains_separate`]).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{clamp_for_message, Error, Result};

/// Query parameters always removed (rule 5), besides any starting with `utm_`.
pub const TRACKING_PARAMS: &[&str] = &["gclid", "fbclid", "msclkid", "dclid", "gbraid", "wbraid"];

/// What to do with a trailing slash on the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TrailingSlash {
    /// Leave paths as written (the default).
    #[default]
    Keep,
    /// Remove a trailing slash from any path but `/`.
    Strip,
    /// Add a trailing slash to paths whose last segment has no dot.
    Add,
}

/// Normalisation and scope settings. All have sensible defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NormalizeConfig {
    /// Extra query parameters to remove (exact names, case-sensitive).
    pub strip_params: Vec<String>,
    /// Drop a last segment `index.html` / `index.htm`.
    pub strip_index: bool,
    /// Trailing-slash policy.
    pub trailing_slash: TrailingSlash,
    /// Treat `www.host` and `host` as one site.
    pub www_alias: bool,
    /// Treat `http` and `https` as one site.
    pub http_https_same: bool,
    /// Treat subdomains as separate sites (`false`: `*.host` belongs to the site).
    pub subdomains_separate: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            strip_params: Vec::new(),
            strip_index: true,
            trailing_slash: TrailingSlash::Keep,
            www_alias: true,
            http_https_same: true,
            subdomains_separate: true,
        }
    }
}

/// The outcome of classifying one href against the site.
#[derive(Debug, Clone, PartialEq)]
pub enum Classified {
    /// A page of the site, normalised.
    Internal {
        /// The normalised URL.
        url: String,
        /// The href used the other scheme (http vs https) than the site root.
        cross_scheme: bool,
    },
    /// An http(s) page of another site.
    External,
    /// A non-navigational scheme (mailto, tel, javascript, data, blob, …).
    NonNavigational,
}

/// Normalises URLs for one site.
#[derive(Debug, Clone)]
pub struct Normalizer {
    config: NormalizeConfig,
    root: Url,
    /// The root's host with any `www.` removed (when aliasing), lowercase.
    bare_host: String,
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Rule 4: decode escapes of unreserved characters, uppercase the rest.
fn normalize_percent(s: &str) -> String {
    let b = s.as_bytes();
    if !b.contains(&b'%') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                let v = h * 16 + l;
                if is_unreserved(v) {
                    out.push(v as char);
                } else {
                    out.push('%');
                    out.push(b[i + 1].to_ascii_uppercase() as char);
                    out.push(b[i + 2].to_ascii_uppercase() as char);
                }
                i += 3;
                continue;
            }
        }
        if b[i] == b'%' {
            // A lone `%` is escaped, so that decoding never forms a new escape.
            out.push_str("%25");
            i += 1;
            continue;
        }
        // Push the whole (possibly multi-byte) char starting here.
        let ch_len = s[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    out
}

impl Normalizer {
    /// A normaliser for the site whose root is `root` (e.g. `https://example.com/`).
    pub fn new(root: &str, config: NormalizeConfig) -> Result<Self> {
        let url = Url::parse(root.trim()).map_err(|e| Error::InvalidUrl {
            url: clamp_for_message(root),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::InvalidUrl {
                url: clamp_for_message(root),
                reason: "a site must be an http or https address".into(),
            });
        }
        let host = url.host_str().unwrap_or_default().to_string();
        if host.is_empty() {
            return Err(Error::InvalidUrl {
                url: clamp_for_message(root),
                reason: "the address has no host".into(),
            });
        }
        let bare_host = if config.www_alias {
            host.strip_prefix("www.").unwrap_or(&host).to_string()
        } else {
            host.clone()
        };
        let mut root_url = url;
        root_url.set_fragment(None);
        root_url.set_query(None);
        root_url.set_path("/");
        Ok(Normalizer {
            config,
            root: root_url,
            bare_host,
        })
    }

    /// The site's root URL (scheme, host, port, path `/`).
    pub fn root(&self) -> &str {
        self.root.as_str()
    }

    /// The settings in force.
    pub fn config(&self) -> &NormalizeConfig {
        &self.config
    }

    /// Is `host:port` (of an http(s) URL) inside the site?
    fn host_in_scope(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host_bare = if self.config.www_alias {
            host.strip_prefix("www.").unwrap_or(host)
        } else {
            host
        };
        let host_ok = host_bare == self.bare_host
            || (!self.config.subdomains_separate
                && host_bare.ends_with(&self.bare_host)
                && host_bare
                    .as_bytes()
                    .get(host_bare.len() - self.bare_host.len() - 1)
                    == Some(&b'.'));
        if !host_ok {
            return false;
        }
        let same_scheme = url.scheme() == self.root.scheme();
        if !same_scheme && !self.config.http_https_same {
            return false;
        }
        // Ports: compare explicit ports; with the scheme swapped, default ports match.
        match (url.port(), self.root.port()) {
            (None, None) => true,
            (a, b) => a == b,
        }
    }

    /// Parses, normalises and classifies an href (already absolute, or relative to `base`).
    pub fn classify(&self, href: &str, base: Option<&Url>) -> Result<Classified> {
        let href = href.trim();
        let parsed = match base {
            Some(b) => b.join(href),
            None => Url::parse(href),
        }
        .map_err(|e| Error::InvalidUrl {
            url: clamp_for_message(href),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Ok(Classified::NonNavigational);
        }
        if !self.host_in_scope(&parsed) {
            return Ok(Classified::External);
        }
        let cross_scheme = parsed.scheme() != self.root.scheme();
        Ok(Classified::Internal {
            url: self.normalize_parsed(parsed),
            cross_scheme,
        })
    }

    /// Normalises an absolute URL of the site. Errors if it is malformed or outside the site.
    pub fn normalize(&self, href: &str) -> Result<String> {
        match self.classify(href, None)? {
            Classified::Internal { url, .. } => Ok(url),
            Classified::External => Err(Error::OutOfScope {
                url: clamp_for_message(href),
                site: self.root.to_string(),
            }),
            Classified::NonNavigational => Err(Error::InvalidUrl {
                url: clamp_for_message(href),
                reason: "not an http or https page".into(),
            }),
        }
    }

    fn normalize_parsed(&self, mut u: Url) -> String {
        u.set_fragment(None);
        // Rule 8: rewrite to the root's scheme and host form.
        let rewrite_host = self.config.www_alias
            && u.host_str().is_some_and(|h| {
                h.strip_prefix("www.").unwrap_or(h) == self.bare_host
                    && Some(h) != self.root.host_str()
            });
        if rewrite_host {
            // Cannot fail: the root's host is a valid host.
            let _ = u.set_host(self.root.host_str());
        }
        if self.config.http_https_same && u.scheme() != self.root.scheme() {
            let port = u.port();
            let _ = u.set_scheme(self.root.scheme());
            let _ = u.set_port(port);
        }
        // Rule 4 on the path.
        let mut path = normalize_percent(u.path());
        // Rules 6 and 7, until neither changes the path (stripping a slash can expose an
        // `index.html`, and dropping one can leave a slash to strip).
        for _ in 0..4 {
            let before = path.len();
            if self.config.strip_index {
                for idx in ["index.html", "index.htm"] {
                    if path.ends_with(idx) && path[..path.len() - idx.len()].ends_with('/') {
                        path.truncate(path.len() - idx.len());
                        break;
                    }
                }
            }
            match self.config.trailing_slash {
                TrailingSlash::Keep => {}
                TrailingSlash::Strip => {
                    while path.len() > 1 && path.ends_with('/') {
                        path.pop();
                    }
                }
                TrailingSlash::Add => {
                    let last = path.rsplit('/').next().unwrap_or("");
                    if !path.ends_with('/') && !last.contains('.') {
                        path.push('/');
                    }
                }
            }
            if path.len() == before {
                break;
            }
        }
        u.set_path(&path);
        // Rule 5 (and 4 on the query).
        if let Some(q) = u.query() {
            let kept: Vec<String> = q
                .split('&')
                .filter(|p| !p.is_empty())
                .map(normalize_percent)
                .filter(|p| {
                    let name = p.split('=').next().unwrap_or("");
                    !(name.starts_with("utm_")
                        || TRACKING_PARAMS.contains(&name)
                        || self.config.strip_params.iter().any(|s| s == name))
                })
                .collect();
            if kept.is_empty() {
                u.set_query(None);
            } else {
                u.set_query(Some(&kept.join("&")));
            }
        }
        u.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n() -> Normalizer {
        Normalizer::new("https://example.com/", NormalizeConfig::default()).expect("root")
    }

    fn norm(s: &str) -> String {
        n().normalize(s).expect("normalizes")
    }

    #[test]
    fn rule1_scheme_host_lowercased_idna_default_port_dot_segments() {
        let n = Normalizer::new("http://xn--exmple-cua.com/", NormalizeConfig::default())
            .expect("root");
        assert_eq!(
            n.normalize("HTTP://Exämple.COM:80/a/./b/../c").expect("ok"),
            "http://xn--exmple-cua.com/a/c"
        );
        assert_eq!(norm("https://EXAMPLE.com:443/x"), "https://example.com/x");
    }

    #[test]
    fn rule2_non_navigational_schemes() {
        for s in [
            "mailto:a@b.c",
            "tel:+1",
            "javascript:void(0)",
            "data:text/html,hi",
            "blob:https://example.com/uuid",
            "ftp://example.com/",
        ] {
            assert_eq!(
                n().classify(s, None).expect("parses"),
                Classified::NonNavigational,
                "{s}"
            );
        }
    }

    #[test]
    fn rule3_fragment_dropped() {
        assert_eq!(norm("https://example.com/a#top"), "https://example.com/a");
    }

    #[test]
    fn rule4_percent_encoding() {
        assert_eq!(
            norm("https://example.com/%7euser/%e2%82%ac?q=%7e%2f"),
            "https://example.com/~user/%E2%82%AC?q=~%2F"
        );
    }

    #[test]
    fn rule5_tracking_params() {
        assert_eq!(
            norm("https://example.com/p?utm_source=x&id=2&gclid=1&fbclid=2&msclkid=3&b=4"),
            "https://example.com/p?id=2&b=4"
        );
        assert_eq!(
            norm("https://example.com/p?utm_medium=x"),
            "https://example.com/p"
        );
        let cfg = NormalizeConfig {
            strip_params: vec!["sessionid".into()],
            ..Default::default()
        };
        let n = Normalizer::new("https://example.com/", cfg).expect("root");
        assert_eq!(
            n.normalize("https://example.com/?sessionid=9&x=1")
                .expect("ok"),
            "https://example.com/?x=1"
        );
    }

    #[test]
    fn rule6_index_html() {
        assert_eq!(
            norm("https://example.com/docs/index.html"),
            "https://example.com/docs/"
        );
        assert_eq!(
            norm("https://example.com/index.htm"),
            "https://example.com/"
        );
        assert_eq!(
            norm("https://example.com/docs/myindex.html"),
            "https://example.com/docs/myindex.html"
        );
        let cfg = NormalizeConfig {
            strip_index: false,
            ..Default::default()
        };
        let n = Normalizer::new("https://example.com/", cfg).expect("root");
        assert_eq!(
            n.normalize("https://example.com/index.html").expect("ok"),
            "https://example.com/index.html"
        );
    }

    #[test]
    fn rule7_trailing_slash() {
        assert_eq!(norm("https://example.com/a/"), "https://example.com/a/");
        assert_eq!(norm("https://example.com/a"), "https://example.com/a");
        let strip = Normalizer::new(
            "https://example.com/",
            NormalizeConfig {
                trailing_slash: TrailingSlash::Strip,
                ..Default::default()
            },
        )
        .expect("root");
        assert_eq!(
            strip.normalize("https://example.com/a/").expect("ok"),
            "https://example.com/a"
        );
        assert_eq!(
            strip.normalize("https://example.com/").expect("ok"),
            "https://example.com/"
        );
        let add = Normalizer::new(
            "https://example.com/",
            NormalizeConfig {
                trailing_slash: TrailingSlash::Add,
                ..Default::default()
            },
        )
        .expect("root");
        assert_eq!(
            add.normalize("https://example.com/a").expect("ok"),
            "https://example.com/a/"
        );
        assert_eq!(
            add.normalize("https://example.com/a.html").expect("ok"),
            "https://example.com/a.html"
        );
    }

    #[test]
    fn rule8_www_alias_and_scheme_crossing() {
        assert_eq!(norm("https://www.example.com/x"), "https://example.com/x");
        match n().classify("http://example.com/x", None).expect("ok") {
            Classified::Internal { url, cross_scheme } => {
                assert_eq!(url, "https://example.com/x");
                assert!(cross_scheme);
            }
            other => panic!("{other:?}"),
        }
        let strict = Normalizer::new(
            "https://example.com/",
            NormalizeConfig {
                www_alias: false,
                http_https_same: false,
                ..Default::default()
            },
        )
        .expect("root");
        assert_eq!(
            strict
                .classify("https://www.example.com/", None)
                .expect("ok"),
            Classified::External
        );
        assert_eq!(
            strict.classify("http://example.com/", None).expect("ok"),
            Classified::External
        );
    }

    #[test]
    fn subdomains_separate_by_default_and_configurable() {
        assert_eq!(
            n().classify("https://blog.example.com/", None).expect("ok"),
            Classified::External
        );
        let cfg = NormalizeConfig {
            subdomains_separate: false,
            ..Default::default()
        };
        let n = Normalizer::new("https://example.com/", cfg).expect("root");
        assert!(matches!(
            n.classify("https://blog.example.com/", None).expect("ok"),
            Classified::Internal { .. }
        ));
        assert_eq!(
            n.classify("https://notexample.com/", None).expect("ok"),
            Classified::External
        );
    }

    #[test]
    fn ports_separate_sites() {
        let n = Normalizer::new("http://127.0.0.1:8080/", NormalizeConfig::default()).expect("r");
        assert!(matches!(
            n.classify("http://127.0.0.1:8080/a", None).expect("ok"),
            Classified::Internal { .. }
        ));
        assert_eq!(
            n.classify("http://127.0.0.1:9090/a", None).expect("ok"),
            Classified::External
        );
    }

    #[test]
    fn malformed_urls_are_errors() {
        assert!(matches!(
            n().normalize("http://[::1"),
            Err(Error::InvalidUrl { .. })
        ));
        assert!(matches!(n().normalize(""), Err(Error::InvalidUrl { .. })));
        assert!(Normalizer::new("mailto:x@y", NormalizeConfig::default()).is_err());
        assert!(Normalizer::new("not a url", NormalizeConfig::default()).is_err());
    }

    #[test]
    fn relative_hrefs_resolve_against_base() {
        let base = Url::parse("https://example.com/a/b.html").expect("base");
        match n().classify("../c.html#x", Some(&base)).expect("ok") {
            Classified::Internal { url, .. } => assert_eq!(url, "https://example.com/c.html"),
            other => panic!("{other:?}"),
        }
    }
}
