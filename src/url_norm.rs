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

/// Where an href points, for [`Normalizer::classify_into`] (which writes an internal
/// page's normalised URL into a buffer instead of allocating it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A page of the site; its normalised URL is in the buffer.
    Internal {
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
    /// `root.as_str()` when hrefs starting with it may take the fast path of
    /// [`Normalizer::classify`] (a root without user info).
    fast_prefix: Option<String>,
}

/// Bytes that a path of an href on the fast path may hold: the `url` crate keeps them as
/// written, and rule 4 has nothing to do (no `%`). Excludes `?`, `#`, `%`, `\\`, spaces,
/// controls, non-ASCII and everything the WHATWG parser would percent-encode.
const fn fast_path_byte_table(extra: &[u8]) -> [bool; 128] {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// Path bytes kept as written by the parser (see [`fast_path_byte_table`]).
static FAST_PATH_BYTES: [bool; 128] = fast_path_byte_table(b"-._~!$&'()*+,;=:@/");
/// Query bytes kept as written by the parser (`'` is escaped in queries of special URLs).
static FAST_QUERY_BYTES: [bool; 128] = fast_path_byte_table(b"-._~!$&()*+,;=:@/?");

fn in_table(b: u8, table: &[bool; 128]) -> bool {
    table.get(usize::from(b)).copied().unwrap_or(false)
}

/// The plain path at the start of `b` (what follows a site root's `/`): where it ends (the
/// first byte not in [`FAST_PATH_BYTES`], or the end) and where its last segment starts;
/// `None` when a segment of it is `.` or `..`. One pass over the bytes.
#[inline(always)]
fn plain_path(b: &[u8]) -> Option<(usize, usize)> {
    let dot_segment = |seg: &[u8]| matches!(seg, b"." | b"..");
    let mut seg = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'/' {
            if dot_segment(&b[seg..i]) {
                return None;
            }
            seg = i + 1;
        } else if !in_table(c, &FAST_PATH_BYTES) {
            break;
        }
        i += 1;
    }
    (!dot_segment(&b[seg..i])).then_some((i, seg))
}

/// The path and query of `rest` (what follows a site root's `/`) when the fast path keeps
/// them as written: every path byte in [`FAST_PATH_BYTES`], no `.` or `..` segment, every
/// query byte in [`FAST_QUERY_BYTES`]; the fragment is dropped (rule 3; the parser never
/// fails on it). One pass over the bytes, where splitting at `#`, at `?` and at each `/`
/// took four.
fn fast_parts(rest: &str) -> Option<(&str, Option<&str>)> {
    let b = rest.as_bytes();
    let (i, _) = plain_path(b)?;
    let path = rest.get(..i)?;
    match b.get(i) {
        None | Some(b'#') => Some((path, None)),
        Some(b'?') => {
            let start = i + 1;
            let mut j = start;
            while let Some(&c) = b.get(j) {
                if c == b'#' {
                    break;
                }
                if !in_table(c, &FAST_QUERY_BYTES) {
                    return None;
                }
                j += 1;
            }
            Some((path, Some(rest.get(start..j)?)))
        }
        _ => None,
    }
}

/// Memoises [`Normalizer::classify`] for the hrefs of one page (one base URL): pages repeat
/// links (navigation, footer), and relative or unusual hrefs take the slow path. Hrefs that
/// the fast path handles are not stored (computing them again is cheaper). Results are the
/// same with or without a cache.
#[derive(Debug, Default)]
pub struct ClassifyCache {
    base: Option<String>,
    map: rustc_hash::FxHashMap<Box<str>, Classified>,
}

impl ClassifyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything (e.g. before the next page).
    pub fn clear(&mut self) {
        self.base = None;
        self.map.clear();
    }

    /// How many results are stored.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Nothing stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
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
        let fast_prefix = (root_url.username().is_empty()
            && root_url.password().is_none()
            && root_url.as_str().ends_with('/'))
        .then(|| root_url.as_str().to_string());
        Ok(Normalizer {
            config,
            root: root_url,
            bare_host,
            fast_prefix,
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

    /// Is `host` (as the parser serialises it) the site's host, or one of its subdomains
    /// when they belong to the site?
    fn host_matches(&self, host: &str) -> bool {
        let host_bare = if self.config.www_alias {
            host.strip_prefix("www.").unwrap_or(host)
        } else {
            host
        };
        host_bare == self.bare_host
            || (!self.config.subdomains_separate
                && host_bare.ends_with(&self.bare_host)
                && host_bare
                    .as_bytes()
                    .get(host_bare.len() - self.bare_host.len() - 1)
                    == Some(&b'.'))
    }

    /// Is `host:port` (of an http(s) URL) inside the site?
    fn host_in_scope(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        if !self.host_matches(host) {
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
        if let Some(c) = self.classify_fast(href, base) {
            return Ok(c);
        }
        self.classify_slow(href, base)
    }

    /// [`Normalizer::classify`] with a cache for the hrefs of one page (`base` should be
    /// the same for every call with one cache; the cache is cleared when it changes).
    /// Errors are not cached.
    pub fn classify_cached(
        &self,
        href: &str,
        base: Option<&Url>,
        cache: &mut ClassifyCache,
    ) -> Result<Classified> {
        let href = href.trim();
        if let Some(c) = self.classify_fast(href, base) {
            return Ok(c);
        }
        let base_str = base.map(Url::as_str);
        if cache.base.as_deref() != base_str {
            cache.map.clear();
            cache.base = base_str.map(str::to_string);
        }
        if let Some(c) = cache.map.get(href) {
            return Ok(c.clone());
        }
        let c = self.classify_slow(href, base)?;
        cache.map.insert(href.into(), c.clone());
        Ok(c)
    }

    /// [`Normalizer::classify_cached`] without allocating the URL: an internal page's
    /// normalised URL is written into `url` (cleared first; left unspecified otherwise), so
    /// one buffer serves every link of a page. Same answers as [`Normalizer::classify`].
    pub fn classify_into(
        &self,
        href: &str,
        base: Option<&Url>,
        cache: &mut ClassifyCache,
        url: &mut String,
    ) -> Result<Scope> {
        let href = href.trim();
        if let Some(scope) = self.fast_into(href, base, url) {
            return Ok(scope);
        }
        let base_str = base.map(Url::as_str);
        if cache.base.as_deref() != base_str {
            cache.map.clear();
            cache.base = base_str.map(str::to_string);
        }
        let c = match cache.map.get(href) {
            Some(c) => c,
            None => {
                let c = self.classify_slow(href, base)?;
                cache.map.entry(href.into()).or_insert(c)
            }
        };
        Ok(match c {
            Classified::Internal {
                url: u,
                cross_scheme,
            } => {
                url.clear();
                url.push_str(u);
                Scope::Internal {
                    cross_scheme: *cross_scheme,
                }
            }
            Classified::External => Scope::External,
            Classified::NonNavigational => Scope::NonNavigational,
        })
    }

    /// The result of [`Normalizer::classify`] for the commonest hrefs, without running the
    /// URL parser: absolute `http(s)` hrefs that the parser would keep as written. `None`
    /// means "take the slow path" (never a different answer; see the
    /// `fast_path_agrees_with_parser` test).
    ///
    /// - **internal**: the href starts with the root exactly (`https://example.com/`), or
    ///   is root-relative (`/docs/a`, not `//` or `/\\`) on a page whose address starts
    ///   with the root; its path holds only bytes the parser keeps and no `.`/`..` segment,
    ///   its query (if any) only bytes the parser keeps and no `%`; a fragment is dropped.
    ///   Rules 5–7 are applied as in the slow path; rules 1–4 and 8 have nothing to do.
    /// - **external**: `http://` or `https://`, then a host of lowercase ASCII letters,
    ///   digits, `-` and `.` (not an IPv4 form, no `xn--` label) ended by `/`, `?`, `#` or
    ///   the end, which is not the site's host: the parser would give that host unchanged.
    fn classify_fast(&self, href: &str, base: Option<&Url>) -> Option<Classified> {
        let mut url = String::new();
        Some(match self.fast_into(href, base, &mut url)? {
            Scope::Internal { cross_scheme } => Classified::Internal { url, cross_scheme },
            Scope::External => Classified::External,
            Scope::NonNavigational => Classified::NonNavigational,
        })
    }

    /// [`Normalizer::classify_fast`], writing an internal URL into `url` (cleared first).
    fn fast_into(&self, href: &str, base: Option<&Url>, url: &mut String) -> Option<Scope> {
        if let Some(prefix) = self.fast_prefix.as_deref() {
            if let Some(rest) = href.strip_prefix(prefix) {
                return self.internal_fast(prefix, rest, url);
            }
            // A root-relative href on a page of the root's origin (what the content script
            // sends for links to its own origin): the root followed by the rest.
            if let Some(rest) = href.strip_prefix('/') {
                if !rest.starts_with(['/', '\\'])
                    && base.is_some_and(|b| b.as_str().starts_with(prefix))
                {
                    return self.internal_fast(prefix, rest, url);
                }
            }
        }
        let after = href
            .strip_prefix("https://")
            .or_else(|| href.strip_prefix("http://"))?;
        let end = after
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(after.len());
        let host = &after[..end];
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'.'))
        {
            return None;
        }
        let trimmed = host.strip_suffix('.').unwrap_or(host);
        // A last label starting with a digit may be an IPv4 address (`0x7f.1`, `127.1`),
        // which the parser rewrites; `xn--` labels are checked by IDNA.
        let last = trimmed.rsplit('.').next().unwrap_or(trimmed);
        if last.is_empty()
            || last.as_bytes()[0].is_ascii_digit()
            || trimmed
                .split('.')
                .any(|l| l.is_empty() || l.starts_with("xn--"))
        {
            return None;
        }
        if self.host_matches(host) {
            return None;
        }
        Some(Scope::External)
    }

    /// The internal half of [`Normalizer::classify_fast`]: `rest` follows the root `prefix`
    /// (which ends with `/`).
    fn internal_fast(&self, prefix: &str, rest: &str, url: &mut String) -> Option<Scope> {
        let (path, query) = fast_parts(rest)?;
        url.clear();
        url.reserve(prefix.len() + rest.len());
        url.push_str(prefix);
        url.push_str(path);
        // The path starts at the root's `/`.
        self.fix_path(url, prefix.len() - 1);
        if let Some(q) = query {
            self.push_query(url, q.split('&').filter(|p| !p.is_empty()));
        }
        Some(Scope::Internal {
            cross_scheme: false,
        })
    }

    /// Rules 6 and 7 on `s[start..]` (the path), until neither changes it (stripping a
    /// slash can expose an `index.html`, and dropping one can leave a slash to strip).
    fn fix_path(&self, s: &mut String, start: usize) {
        for _ in 0..4 {
            let before = s.len();
            if self.config.strip_index {
                for idx in ["index.html", "index.htm"] {
                    let path = &s[start..];
                    if path.ends_with(idx) && path[..path.len() - idx.len()].ends_with('/') {
                        s.truncate(s.len() - idx.len());
                        break;
                    }
                }
            }
            match self.config.trailing_slash {
                TrailingSlash::Keep => {}
                TrailingSlash::Strip => {
                    while s.len() - start > 1 && s.ends_with('/') {
                        s.pop();
                    }
                }
                TrailingSlash::Add => {
                    let path = &s[start..];
                    let last = path.rsplit('/').next().unwrap_or("");
                    if !path.ends_with('/') && !last.contains('.') {
                        s.push('/');
                    }
                }
            }
            if s.len() == before {
                break;
            }
        }
    }

    /// Is `name` a query parameter removed by rule 5?
    fn is_stripped_param(&self, name: &str) -> bool {
        name.starts_with("utm_")
            || TRACKING_PARAMS.contains(&name)
            || self.config.strip_params.iter().any(|s| s == name)
    }

    /// Rule 5: appends `?` and the parameters kept (nothing when none is), `&`-joined.
    fn push_query<'a>(&self, out: &mut String, params: impl Iterator<Item = &'a str>) {
        let mut first = true;
        for p in params {
            let name = p.split('=').next().unwrap_or("");
            if self.is_stripped_param(name) {
                continue;
            }
            out.push(if first { '?' } else { '&' });
            out.push_str(p);
            first = false;
        }
    }

    /// [`Normalizer::classify`] through the `url` crate's parser (every href).
    fn classify_slow(&self, href: &str, base: Option<&Url>) -> Result<Classified> {
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

    /// Is `url` a page of the site in its normalised form, `normalize(url) == url`? Without
    /// allocating when the fast path decides: `buf` (any contents) serves every call of a
    /// loop, such as the check of each page of a restored snapshot.
    pub fn is_normalized(&self, url: &str, buf: &mut String) -> bool {
        if let Some(rest) = self
            .fast_prefix
            .as_deref()
            .and_then(|p| url.strip_prefix(p))
        {
            if self.plain_path_is_normal(rest) {
                return true;
            }
        }
        let href = url.trim();
        match self.fast_into(href, None, buf) {
            Some(Scope::Internal { .. }) => buf == url,
            Some(_) => false,
            None => matches!(
                self.classify_slow(href, None),
                Ok(Classified::Internal { url: u, .. }) if u == url
            ),
        }
    }

    /// A quick yes for the usual page address, without building its normal form: `rest`
    /// (what follows the root's `/`) is a path of bytes the parser keeps as written, with no
    /// query, fragment or dot segment, that rules 6 and 7 leave as it is. `false` leaves the
    /// answer to the full check.
    #[inline(never)]
    fn plain_path_is_normal(&self, rest: &str) -> bool {
        let b = rest.as_bytes();
        let Some((end, seg)) = plain_path(b) else {
            return false;
        };
        if end != b.len() {
            return false;
        }
        let last = &b[seg..];
        // The path is `/` followed by `rest`.
        if self.config.strip_index && matches!(last, b"index.html" | b"index.htm") {
            return false;
        }
        match self.config.trailing_slash {
            TrailingSlash::Keep => true,
            TrailingSlash::Strip => !rest.ends_with('/'),
            TrailingSlash::Add => rest.is_empty() || rest.ends_with('/') || last.contains(&b'.'),
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
        // Rule 4 on the path, then rules 6 and 7.
        let mut path = normalize_percent(u.path());
        self.fix_path(&mut path, 0);
        u.set_path(&path);
        // Rule 5 (and 4 on the query).
        if let Some(q) = u.query() {
            let kept: Vec<String> = q
                .split('&')
                .filter(|p| !p.is_empty())
                .map(normalize_percent)
                .filter(|p| !self.is_stripped_param(p.split('=').next().unwrap_or("")))
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

#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// A deterministic xorshift generator (no dependency, same cases every run).
    use crate::synth::Rng;

    fn pick<'a>(rng: &mut Rng, v: &[&'a str]) -> &'a str {
        v[rng.below(v.len())]
    }

    /// `fast_parts` in one pass agrees with the four passes it replaced (split at `#`, then
    /// at `?`, every byte checked, every `/`-segment compared with `.` and `..`).
    #[test]
    fn fast_parts_agree_with_splitting_in_four_passes() {
        fn four_passes(rest: &str) -> Option<(&str, Option<&str>)> {
            let all = |s: &str, t: &[bool; 128]| s.bytes().all(|b| in_table(b, t));
            let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
            let (path, query) = match rest.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (rest, None),
            };
            if !all(path, &FAST_PATH_BYTES) || path.split('/').any(|s| s == "." || s == "..") {
                return None;
            }
            if query.is_some_and(|q| !all(q, &FAST_QUERY_BYTES)) {
                return None;
            }
            Some((path, query))
        }
        let parts = [
            "a", "b/", "/", ".", "..", "...", ".a", "?", "#", "?x=1", "&", "%", " ", "é", "'",
            "\\", "=", "~",
        ];
        let mut rng = Rng::new(0x5eed);
        let mut fast = 0;
        for _ in 0..20_000 {
            let rest: String = (0..rng.below(8)).map(|_| pick(&mut rng, &parts)).collect();
            assert_eq!(fast_parts(&rest), four_passes(&rest), "{rest:?}");
            fast += usize::from(fast_parts(&rest).is_some());
        }
        assert!(fast > 2_000, "{fast} cases took the fast path");
    }

    const STARTS: &[&str] = &[
        "https://example.com/",
        "http://example.com/",
        "https://www.example.com/",
        "https://example.com",
        "https://EXAMPLE.com/",
        "HTTPS://example.com/",
        "https://example.com:443/",
        "https://example.com:8443/",
        "https://example.com./",
        "https://user@example.com/",
        "https:///example.com/",
        "https:example.com/",
        "https://blog.example.com/",
        "https://other.test/",
        "http://other.test",
        "https://0x7f.1/",
        "https://127.0.0.1:8080/",
        "http://127.0.0.1:8080/",
        "https://xn--exmple-cua.com/",
        "https://exämple.com/",
        "https://a..b/",
        "https://-.test/",
        "https://other.test?",
        "https://other.test#",
        "https://other.test\\",
        "https://other.test:99999/",
        "https://[::1]/",
        "mailto:",
        "javascript:",
        "//example.com/",
        "/",
        "/\\",
        "/?",
        "/#",
        "",
        "../",
        "?",
        "#",
        " https://example.com/",
        "\thttps://example.com/",
    ];
    const PARTS: &[&str] = &[
        "a",
        "b",
        "docs",
        "/",
        "//",
        ".",
        "..",
        "./",
        "../",
        "%2e",
        "%2E",
        "%7e",
        "%7E",
        "%e2%82%ac",
        "%",
        "%zz",
        "index.html",
        "index.htm",
        "Index.html",
        "?",
        "#",
        "&",
        "=",
        "utm_source=x",
        "id=2",
        "gclid=1",
        "sessionid=9",
        "x.html",
        "é",
        " ",
        "\t",
        "\n",
        "\\",
        ":",
        "@",
        "'",
        "\"",
        "<",
        ">",
        "`",
        "{",
        "}",
        "|",
        "^",
        "[",
        "]",
        "~",
        "!",
        "$",
        "(",
        ")",
        "*",
        "+",
        ",",
        ";",
        "-",
        "_",
        "A",
        "Z",
        "0",
        "9",
        "\u{0}",
        "\u{7f}",
        "\u{200b}",
    ];

    fn configs() -> Vec<(&'static str, NormalizeConfig)> {
        let d = NormalizeConfig::default;
        vec![
            ("https://example.com/", d()),
            ("http://example.com/", d()),
            ("https://www.example.com/", d()),
            ("http://127.0.0.1:8080/", d()),
            (
                "https://example.com/",
                NormalizeConfig {
                    trailing_slash: TrailingSlash::Strip,
                    strip_params: vec!["sessionid".into()],
                    ..d()
                },
            ),
            (
                "https://example.com/",
                NormalizeConfig {
                    trailing_slash: TrailingSlash::Add,
                    strip_index: false,
                    ..d()
                },
            ),
            (
                "https://example.com/",
                NormalizeConfig {
                    www_alias: false,
                    http_https_same: false,
                    subdomains_separate: false,
                    ..d()
                },
            ),
        ]
    }

    fn same(a: &Result<Classified>, b: &Result<Classified>) -> bool {
        match (a, b) {
            (Ok(x), Ok(y)) => x == y,
            (Err(_), Err(_)) => true,
            _ => false,
        }
    }

    #[test]
    fn fast_path_agrees_with_parser() {
        let bases = [
            None,
            Url::parse("https://example.com/a/b.html").ok(),
            Url::parse("http://other.test/x/").ok(),
        ];
        let mut rng = Rng::new(0x5eed_1234_abcd_ef01);
        let mut fast_hits = 0;
        let (mut normalized_forms, mut normalized_true, mut quick_yes) = (0, 0, 0);
        for (root, cfg) in configs() {
            let n = Normalizer::new(root, cfg).expect("root");
            let mut cache = ClassifyCache::new();
            let mut cache2 = ClassifyCache::new();
            let mut buf = String::from("left over");
            for _ in 0..40_000 {
                let mut href = pick(&mut rng, STARTS).to_string();
                for _ in 0..(rng.next_u64() % 7) {
                    href.push_str(pick(&mut rng, PARTS));
                }
                let base = &bases[(rng.next_u64() % 3) as usize];
                let slow = n.classify_slow(href.trim(), base.as_ref());
                let fast = n.classify(&href, base.as_ref());
                assert!(
                    same(&slow, &fast),
                    "root {root} href {href:?}: {slow:?} vs {fast:?}"
                );
                let cached = n.classify_cached(&href, base.as_ref(), &mut cache);
                assert!(same(&slow, &cached), "cached: {href:?}");
                let into = n
                    .classify_into(&href, base.as_ref(), &mut cache2, &mut buf)
                    .map(|scope| match scope {
                        Scope::Internal { cross_scheme } => Classified::Internal {
                            url: buf.clone(),
                            cross_scheme,
                        },
                        Scope::External => Classified::External,
                        Scope::NonNavigational => Classified::NonNavigational,
                    });
                assert!(same(&slow, &into), "into: {href:?}: {slow:?} vs {into:?}");
                if n.classify_fast(href.trim(), base.as_ref()).is_some() {
                    fast_hits += 1;
                }
                // The restore's check agrees with `normalize`, on the href and on its
                // normalised form (most of the latter are true, most of the former false).
                let normal = n.normalize(&href);
                let mut forms = vec![href.clone()];
                if let Ok(u) = &normal {
                    forms.push(u.clone());
                    normalized_forms += 1;
                }
                for f in forms {
                    let expected = n.normalize(&f).is_ok_and(|u| u == f);
                    assert_eq!(n.is_normalized(&f, &mut buf), expected, "{f:?}");
                    normalized_true += usize::from(expected);
                    // Its quick yes is only ever given to a normal form.
                    let rest = n.fast_prefix.as_deref().and_then(|p| f.strip_prefix(p));
                    if rest.is_some_and(|r| n.plain_path_is_normal(r)) {
                        assert!(expected, "quick yes for {f:?}");
                        quick_yes += 1;
                    }
                }
            }
        }
        // The generator must exercise the fast path a lot, not only the fallback.
        assert!(fast_hits > 40_000, "fast path taken {fast_hits} times");
        assert!(
            normalized_true > normalized_forms / 2,
            "{normalized_true} of {normalized_forms} normalised forms were checked as such"
        );
        assert!(
            quick_yes > normalized_true / 3,
            "the quick check decided {quick_yes} of {normalized_true}"
        );
    }

    #[test]
    fn fast_path_handles_common_hrefs() {
        let n = n_default();
        for (href, want) in [
            ("https://example.com/a/b", "https://example.com/a/b"),
            ("https://example.com/a#top", "https://example.com/a"),
            (
                "https://example.com/docs/index.html",
                "https://example.com/docs/",
            ),
            (
                "https://example.com/p?utm_source=x&id=2",
                "https://example.com/p?id=2",
            ),
            (
                "https://example.com/p?utm_source=x",
                "https://example.com/p",
            ),
            ("https://example.com/", "https://example.com/"),
            // Root-relative, on a page of the site's origin.
            ("/a/b", "https://example.com/a/b"),
            ("/docs/index.html#x", "https://example.com/docs/"),
            ("/?utm_source=x", "https://example.com/"),
        ] {
            assert_eq!(
                n.classify_fast(href, Url::parse("https://example.com/page").ok().as_ref()),
                Some(Classified::Internal {
                    url: want.into(),
                    cross_scheme: false
                }),
                "{href}"
            );
        }
        assert_eq!(
            n.classify_fast("https://other.test/x?y#z", None),
            Some(Classified::External)
        );
        // Root-relative hrefs take the slow path without a base of the root's origin, and
        // protocol-relative ones always do.
        for (href, base) in [
            ("/a", None),
            ("/a", Some("https://www.example.com/")),
            ("/a", Some("http://example.com/")),
            ("/a", Some("https://example.com:8443/")),
            ("//example.com/a", Some("https://example.com/")),
            ("/\\example.com/a", Some("https://example.com/")),
        ] {
            let base = base.and_then(|b| Url::parse(b).ok());
            assert_eq!(
                n.classify_fast(href, base.as_ref()),
                None,
                "{href} on {base:?}"
            );
        }
        for slow in [
            "https://example.com/a/../b",
            "https://example.com/%7e",
            "https://www.example.com/",
            "http://example.com/",
            "https://127.1/",
            "/relative",
        ] {
            assert_eq!(n.classify_fast(slow, None), None, "{slow}");
        }
    }

    #[test]
    fn cache_follows_the_base() {
        let n = n_default();
        let mut cache = ClassifyCache::new();
        let a = Url::parse("https://example.com/a/").expect("a");
        let b = Url::parse("https://example.com/b/").expect("b");
        let in_a = n.classify_cached("x", Some(&a), &mut cache).expect("ok");
        assert_eq!(cache.len(), 1);
        let in_b = n.classify_cached("x", Some(&b), &mut cache).expect("ok");
        assert_ne!(in_a, in_b);
        assert_eq!(in_b, n.classify("x", Some(&b)).expect("ok"));
        assert!(n.classify_cached("http://[::1", None, &mut cache).is_err());
        cache.clear();
        assert!(cache.is_empty());
    }

    fn n_default() -> Normalizer {
        Normalizer::new("https://example.com/", NormalizeConfig::default()).expect("root")
    }
}
