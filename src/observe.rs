//! The page observation: what the content script (or the static scanner) reports for one
//! visited page.
//!
//! [`RawObservation`] is untrusted input exactly as it arrives (JSON from a web page's
//! rendered DOM). Every field but `url` is optional, so a partial observation is still
//! useful. [`RawObservation::clamp`] bounds every string and list, so a hostile page cannot
//! make the graph grow without limit; URL validation happens when the graph ingests it.
//!
//! [`ObservationRef`] is the same observation borrowed from its JSON text (strings without
//! escapes are not copied): what the graph ingests, and what the extension's worker parses.
//! A [`RawObservation`] converts into one without copying its strings.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize};

/// Longest URL kept, in bytes (before and after normalisation); longer hrefs are counted
/// as invalid links, and a longer page address is refused.
pub const MAX_URL_LEN: usize = 4096;
/// Longest text field kept (anchor text, title, h1…), in bytes.
pub const MAX_TEXT_LEN: usize = 512;
/// Most links kept from one page; the rest are counted in `truncated_links`.
pub const MAX_LINKS: usize = 20_000;

/// Where on the page a link sits, from its nearest landmark ancestor.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, PartialOrd, Ord,
)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// `<nav>` or `role=navigation`.
    Nav,
    /// `<header>` or `role=banner`.
    Header,
    /// `<footer>` or `role=contentinfo`.
    Footer,
    /// `<aside>` or `role=complementary`.
    Aside,
    /// `<main>`, `<article>` or `role=main`: the body content.
    Main,
    /// None of the above.
    #[default]
    #[serde(other)]
    Other,
}

impl Region {
    /// All regions, in a fixed order.
    pub const ALL: [Region; 6] = [
        Region::Nav,
        Region::Header,
        Region::Footer,
        Region::Aside,
        Region::Main,
        Region::Other,
    ];

    /// The region of a letter in the column form of links ([`RawObservation::to_json`]):
    /// the first letter of its name; any other is [`Region::Other`].
    pub fn from_letter(b: u8) -> Region {
        match b {
            b'n' => Region::Nav,
            b'h' => Region::Header,
            b'f' => Region::Footer,
            b'a' => Region::Aside,
            b'm' => Region::Main,
            _ => Region::Other,
        }
    }

    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Nav => "nav",
            Region::Header => "header",
            Region::Footer => "footer",
            Region::Aside => "aside",
            Region::Main => "main",
            Region::Other => "other",
        }
    }
}

/// One `<a href>` or `<area href>` as the page rendered it. Untrusted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawLink {
    /// The href as the browser resolved it (absolute).
    pub href: String,
    /// The raw `href` attribute as written.
    pub raw: Option<String>,
    /// Visible text content (whitespace collapsed by the reader).
    pub text: Option<String>,
    /// `alt` of images inside the link (joined).
    pub alt: Option<String>,
    /// `aria-label` (or the text of `aria-labelledby`).
    pub aria_label: Option<String>,
    /// The `title` attribute.
    pub title: Option<String>,
    /// The `rel` attribute, space-separated tokens.
    pub rel: Option<String>,
    /// Landmark region.
    pub region: Option<Region>,
    /// Rendered visibly (non-zero box, not `display:none`/`visibility:hidden`).
    pub visible: Option<bool>,
    /// Inside the first viewport when the page loaded.
    pub in_viewport: Option<bool>,
    /// 0-based order among the page's links.
    pub order: Option<u32>,
    /// Rendered width in CSS pixels.
    pub width: Option<f32>,
    /// Rendered height in CSS pixels.
    pub height: Option<f32>,
    /// True for `<area>` elements.
    pub area: Option<bool>,
    /// True when the link contains an `<img>` (so an empty alt matters).
    pub has_image: Option<bool>,
}

/// One visited page as reported by the content script or the static scanner. Untrusted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawObservation {
    /// The final URL of the page (after redirects). Required.
    pub url: String,
    /// The URL that was requested, when it differed (a redirect).
    pub requested_url: Option<String>,
    /// `<title>`.
    pub title: Option<String>,
    /// The first `<h1>`'s text.
    pub h1: Option<String>,
    /// `<link rel=canonical href>`, resolved.
    pub canonical: Option<String>,
    /// `<meta name=robots content>`.
    pub meta_robots: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// Target of a `<meta http-equiv=refresh>` (a client-side redirect), resolved.
    pub meta_refresh: Option<String>,
    /// The page's links in document order.
    pub links: Vec<RawLink>,
    /// Links the reader had to drop (already over its own limit).
    pub truncated_links: Option<u32>,
    /// When the page was read, milliseconds since the Unix epoch.
    pub observed_at: Option<f64>,
}

/// A string of an observation: borrowed from the JSON text it was parsed from when the
/// text holds it without escapes, owned otherwise. Reads as a `str`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text<'_> {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s))
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

impl Text<'_> {
    /// The string, owned (copied only if borrowed).
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }

    /// Cuts the string to at most `max` bytes on a char boundary (as [`clamp_str`]).
    fn clamp(&mut self, max: usize) {
        match &mut self.0 {
            Cow::Borrowed(s) => *s = clamped(s, max),
            Cow::Owned(s) => clamp_str(s, max),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        d.deserialize_str(Visitor).map(Text)
    }
}

/// [`RawLink`] borrowing its strings from the observation's JSON text. Untrusted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)] // the fields are RawLink's
pub struct LinkRef<'a> {
    #[serde(borrow)]
    pub href: Text<'a>,
    #[serde(borrow)]
    pub raw: Option<Text<'a>>,
    #[serde(borrow)]
    pub text: Option<Text<'a>>,
    #[serde(borrow)]
    pub alt: Option<Text<'a>>,
    #[serde(borrow)]
    pub aria_label: Option<Text<'a>>,
    #[serde(borrow)]
    pub title: Option<Text<'a>>,
    #[serde(borrow)]
    pub rel: Option<Text<'a>>,
    pub region: Option<Region>,
    pub visible: Option<bool>,
    pub in_viewport: Option<bool>,
    pub order: Option<u32>,
    pub width: Option<f32>,
    pub height: Option<f32>,
    pub area: Option<bool>,
    pub has_image: Option<bool>,
}

/// [`RawObservation`] borrowing its strings from its JSON text: what the graph ingests.
/// Untrusted; [`ObservationRef::from_json`] and the conversion from a `RawObservation`
/// leave it unclamped, the graph clamps it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)] // the fields are RawObservation's
pub struct ObservationRef<'a> {
    #[serde(borrow)]
    pub url: Text<'a>,
    #[serde(borrow)]
    pub requested_url: Option<Text<'a>>,
    #[serde(borrow)]
    pub title: Option<Text<'a>>,
    #[serde(borrow)]
    pub h1: Option<Text<'a>>,
    #[serde(borrow)]
    pub canonical: Option<Text<'a>>,
    #[serde(borrow)]
    pub meta_robots: Option<Text<'a>>,
    #[serde(borrow)]
    pub lang: Option<Text<'a>>,
    #[serde(borrow)]
    pub meta_refresh: Option<Text<'a>>,
    /// As rows (a list of link objects) or as columns (see [`LinkColumns`]).
    #[serde(borrow, deserialize_with = "rows_or_columns")]
    pub links: Vec<LinkRef<'a>>,
    pub truncated_links: Option<u32>,
    pub observed_at: Option<f64>,
}

/// The links of an observation as columns, the form the content script sends: one list
/// per field instead of one object per link, about half the text of 5,000 link objects and
/// no key to match per link. `href` gives the number of links; every other column is
/// optional (absent: every link has the field's default) and describes all of them.
///
/// - `raw`, `text`, `alt`, `ariaLabel`, `title`, `rel`: a string or `null` per link;
/// - `order`, `width`, `height`: a number or `null` per link;
/// - `region`: one letter per link: `n`av, `h`eader, `f`ooter, `a`side, `m`ain, `o`ther
///   (any other letter is "other", as an unknown region name is in a link object);
/// - `hidden`, `inViewport`, `area`, `hasImage`: the indices of the links for which the
///   flag is set (`hidden`: `visible` is false).
///
/// A column of another length than `href`, or an index out of range, is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LinkColumns<'a> {
    #[serde(borrow)]
    href: Vec<Text<'a>>,
    #[serde(borrow)]
    raw: TextColumn<'a>,
    #[serde(borrow)]
    text: TextColumn<'a>,
    #[serde(borrow)]
    alt: TextColumn<'a>,
    #[serde(borrow)]
    aria_label: TextColumn<'a>,
    #[serde(borrow)]
    title: TextColumn<'a>,
    #[serde(borrow)]
    rel: TextColumn<'a>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    order: Option<Vec<Option<u32>>>,
    width: Option<Vec<Option<f32>>>,
    height: Option<Vec<Option<f32>>>,
    hidden: Vec<u32>,
    in_viewport: Vec<u32>,
    area: Vec<u32>,
    has_image: Vec<u32>,
}

impl<'a> LinkColumns<'a> {
    /// The links, one per `href`; an error names the first column that does not fit.
    fn into_rows(self) -> Result<Vec<LinkRef<'a>>, String> {
        let n = self.href.len();
        let fits = |name: &str, len: Option<usize>| match len {
            Some(l) if l != n => Err(format!(
                "links.{name} has {l} entries for {n} links (links.href)"
            )),
            _ => Ok(()),
        };
        fits("raw", self.raw.as_ref().map(Vec::len))?;
        fits("text", self.text.as_ref().map(Vec::len))?;
        fits("alt", self.alt.as_ref().map(Vec::len))?;
        fits("ariaLabel", self.aria_label.as_ref().map(Vec::len))?;
        fits("title", self.title.as_ref().map(Vec::len))?;
        fits("rel", self.rel.as_ref().map(Vec::len))?;
        fits("region", self.region.as_ref().map(|r| r.len()))?;
        fits("order", self.order.as_ref().map(Vec::len))?;
        fits("width", self.width.as_ref().map(Vec::len))?;
        fits("height", self.height.as_ref().map(Vec::len))?;
        let mut rows: Vec<LinkRef<'a>> = self
            .href
            .into_iter()
            .map(|href| LinkRef {
                href,
                ..LinkRef::default()
            })
            .collect();
        fn fill<T, V>(rows: &mut [T], col: Option<Vec<V>>, set: impl Fn(&mut T, V)) {
            for (row, v) in rows.iter_mut().zip(col.into_iter().flatten()) {
                set(row, v);
            }
        }
        fill(&mut rows, self.raw, |l, v| l.raw = v);
        fill(&mut rows, self.text, |l, v| l.text = v);
        fill(&mut rows, self.alt, |l, v| l.alt = v);
        fill(&mut rows, self.aria_label, |l, v| l.aria_label = v);
        fill(&mut rows, self.title, |l, v| l.title = v);
        fill(&mut rows, self.rel, |l, v| l.rel = v);
        fill(&mut rows, self.order, |l, v| l.order = v);
        fill(&mut rows, self.width, |l, v| l.width = v);
        fill(&mut rows, self.height, |l, v| l.height = v);
        if let Some(r) = &self.region {
            for (l, b) in rows.iter_mut().zip(r.bytes()) {
                l.region = Some(Region::from_letter(b));
            }
        }
        let flags: [(&str, Vec<u32>, SetFlag<'a>); 4] = [
            ("hidden", self.hidden, |l| l.visible = Some(false)),
            ("inViewport", self.in_viewport, |l| {
                l.in_viewport = Some(true)
            }),
            ("area", self.area, |l| l.area = Some(true)),
            ("hasImage", self.has_image, |l| l.has_image = Some(true)),
        ];
        for (name, indices, set) in flags {
            for i in indices {
                let row = rows.get_mut(i as usize).ok_or_else(|| {
                    format!("links.{name} names link {i}, but there are {n} links")
                })?;
                set(row);
            }
        }
        Ok(rows)
    }
}

/// A column of optional strings in [`LinkColumns`].
type TextColumn<'a> = Option<Vec<Option<Text<'a>>>>;
/// Sets a flag of a link (a column of indices in [`LinkColumns`]).
type SetFlag<'a> = fn(&mut LinkRef<'a>);
/// A string field of a link, a number field, a flag (for [`RawObservation::to_json`]).
type StrOf = fn(&RawLink) -> &Option<String>;
type NumberOf = fn(&RawLink) -> Option<f32>;
type FlagOf = fn(&RawLink) -> bool;

/// `links` as a list of link objects, or as [`LinkColumns`].
fn rows_or_columns<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<LinkRef<'de>>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<LinkRef<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of links or an object of link columns")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            // As serde's own Vec, with the same bound on what a hint may reserve.
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(l) = seq.next_element()? {
                out.push(l);
            }
            Ok(out)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let cols = LinkColumns::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
            cols.into_rows().map_err(serde::de::Error::custom)
        }
    }
    d.deserialize_any(Visitor)
}

fn text_of<'a>(s: Option<String>) -> Option<Text<'a>> {
    s.map(Text::from)
}

fn string_of(s: Option<Text<'_>>) -> Option<String> {
    s.map(Text::into_owned)
}

impl From<RawLink> for LinkRef<'_> {
    fn from(l: RawLink) -> Self {
        let RawLink {
            href,
            raw,
            text,
            alt,
            aria_label,
            title,
            rel,
            region,
            visible,
            in_viewport,
            order,
            width,
            height,
            area,
            has_image,
        } = l;
        LinkRef {
            href: href.into(),
            raw: text_of(raw),
            text: text_of(text),
            alt: text_of(alt),
            aria_label: text_of(aria_label),
            title: text_of(title),
            rel: text_of(rel),
            region,
            visible,
            in_viewport,
            order,
            width,
            height,
            area,
            has_image,
        }
    }
}

impl LinkRef<'_> {
    /// The link with its strings owned.
    pub fn into_owned(self) -> RawLink {
        let LinkRef {
            href,
            raw,
            text,
            alt,
            aria_label,
            title,
            rel,
            region,
            visible,
            in_viewport,
            order,
            width,
            height,
            area,
            has_image,
        } = self;
        RawLink {
            href: href.into_owned(),
            raw: string_of(raw),
            text: string_of(text),
            alt: string_of(alt),
            aria_label: string_of(aria_label),
            title: string_of(title),
            rel: string_of(rel),
            region,
            visible,
            in_viewport,
            order,
            width,
            height,
            area,
            has_image,
        }
    }
}

/// Moves the strings, copies none.
impl From<RawObservation> for ObservationRef<'_> {
    fn from(o: RawObservation) -> Self {
        let RawObservation {
            url,
            requested_url,
            title,
            h1,
            canonical,
            meta_robots,
            lang,
            meta_refresh,
            links,
            truncated_links,
            observed_at,
        } = o;
        ObservationRef {
            url: url.into(),
            requested_url: text_of(requested_url),
            title: text_of(title),
            h1: text_of(h1),
            canonical: text_of(canonical),
            meta_robots: text_of(meta_robots),
            lang: text_of(lang),
            meta_refresh: text_of(meta_refresh),
            links: links.into_iter().map(LinkRef::from).collect(),
            truncated_links,
            observed_at,
        }
    }
}

impl<'a> ObservationRef<'a> {
    /// Parses an observation from JSON, borrowing its strings from `s` where it can; a
    /// clear error for anything else. Clamped.
    pub fn from_json(s: &'a str) -> crate::Result<Self> {
        let mut obs: ObservationRef<'a> =
            serde_json::from_str(s).map_err(|e| crate::Error::InvalidObservation(e.to_string()))?;
        obs.clamp();
        Ok(obs)
    }

    /// Parses an observation from the JSON text the extension makes with `JSON.stringify`:
    /// as [`ObservationRef::from_json`], but escaped lone UTF-16 surrogates become U+FFFD,
    /// as when the same object crosses as a JS value. Malformed or truncated text is an
    /// [`crate::Error::InvalidObservation`].
    pub fn from_js_json(s: &'a str) -> crate::Result<Self> {
        // serde_json refuses lone surrogates: look for them only when it did.
        let refused = match Self::from_json(s) {
            Ok(o) => return Ok(o),
            Err(e) => e,
        };
        match replace_lone_surrogates(s) {
            Cow::Borrowed(_) => Err(refused),
            // Rare (a page's text cut in the middle of an emoji): own the repaired text.
            Cow::Owned(fixed) => {
                ObservationRef::from_json(&fixed).map(|o| ObservationRef::from(o.into_owned()))
            }
        }
    }

    /// [`ObservationRef::from_js_json`] for the UTF-8 bytes of the text; bytes that are
    /// not UTF-8 are an [`crate::Error::InvalidObservation`].
    pub fn from_js_json_bytes(bytes: &'a [u8]) -> crate::Result<Self> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| crate::Error::InvalidObservation(format!("not UTF-8 text: {e}")))?;
        Self::from_js_json(text)
    }

    /// The observation with its strings owned.
    pub fn into_owned(self) -> RawObservation {
        let ObservationRef {
            url,
            requested_url,
            title,
            h1,
            canonical,
            meta_robots,
            lang,
            meta_refresh,
            links,
            truncated_links,
            observed_at,
        } = self;
        RawObservation {
            url: url.into_owned(),
            requested_url: string_of(requested_url),
            title: string_of(title),
            h1: string_of(h1),
            canonical: string_of(canonical),
            meta_robots: string_of(meta_robots),
            lang: string_of(lang),
            meta_refresh: string_of(meta_refresh),
            links: links.into_iter().map(LinkRef::into_owned).collect(),
            truncated_links,
            observed_at,
        }
    }

    /// Bounds every string and the list of links (the rules of [`RawObservation::clamp`]).
    /// Returns how many links were dropped.
    pub fn clamp(&mut self) -> usize {
        for s in [
            &mut self.title,
            &mut self.h1,
            &mut self.meta_robots,
            &mut self.lang,
        ]
        .into_iter()
        .flatten()
        {
            s.clamp(MAX_TEXT_LEN);
        }
        for s in [
            &mut self.requested_url,
            &mut self.canonical,
            &mut self.meta_refresh,
        ] {
            if s.as_ref().is_some_and(|v| v.len() > MAX_URL_LEN) {
                *s = None;
            }
        }
        let mut dropped = 0;
        if self.links.len() > MAX_LINKS {
            dropped = self.links.len() - MAX_LINKS;
            self.links.truncate(MAX_LINKS);
        }
        for l in &mut self.links {
            for s in [
                &mut l.text,
                &mut l.alt,
                &mut l.aria_label,
                &mut l.title,
                &mut l.rel,
            ]
            .into_iter()
            .flatten()
            {
                s.clamp(MAX_TEXT_LEN);
            }
            if let Some(raw) = &mut l.raw {
                raw.clamp(MAX_URL_LEN);
            }
            if !l.width.is_some_and(f32::is_finite) {
                l.width = None;
            }
            if !l.height.is_some_and(f32::is_finite) {
                l.height = None;
            }
        }
        let t = self.truncated_links.unwrap_or(0) as usize + dropped;
        self.truncated_links = if t > 0 {
            Some(u32::try_from(t).unwrap_or(u32::MAX))
        } else {
            None
        };
        dropped
    }
}

/// Truncates a string in place to at most `max` bytes on a char boundary.
pub(crate) fn clamp_str(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// `s` cut to at most `max` bytes on a char boundary (what [`clamp_str`] leaves), borrowed.
pub fn clamped(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// JSON text with every escaped lone UTF-16 surrogate (`\ud800` not followed by a low
/// surrogate escape, or a low one on its own) replaced by `\ufffd`; borrowed when there is
/// none. JavaScript strings may hold lone surrogates (a page's text cut in the middle of
/// an emoji) and `JSON.stringify` writes them as such escapes, which `serde_json` refuses;
/// the object path turns them into U+FFFD, and so does this.
fn replace_lone_surrogates(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let hex4 = |i: usize| -> Option<u16> {
        let h = b.get(i..i + 4)?;
        let h = std::str::from_utf8(h).ok()?;
        u16::from_str_radix(h, 16)
            .ok()
            .filter(|_| h.bytes().all(|c| c.is_ascii_hexdigit()))
    };
    // `\uXXXX` at byte `i`?
    let escape_at = |i: usize| -> Option<u16> {
        if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
            hex4(i + 2)
        } else {
            None
        }
    };
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `text` already in `out`
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(v) = escape_at(i) else {
            i += 2; // any other escape (`\\`, `\"`…), or junk the parser will refuse
            continue;
        };
        let lone = match v {
            0xD800..=0xDBFF => {
                if escape_at(i + 6).is_some_and(|w| (0xDC00..=0xDFFF).contains(&w)) {
                    i += 12;
                    continue;
                }
                true
            }
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..i]);
            o.push_str("\\ufffd");
            copied = i + 6;
        }
        i += 6;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

impl RawObservation {
    /// Parses an observation from JSON, with a clear error for anything else.
    pub fn from_json(s: &str) -> crate::Result<Self> {
        ObservationRef::from_json(s).map(ObservationRef::into_owned)
    }

    /// The observation as JSON in the form the content script sends: the links as columns
    /// (see `links` in docs/PROTOCOL.md), every field and column at its default left out.
    pub fn to_json(&self) -> String {
        use serde_json::{Map, Value};
        let links = &self.links;
        let mut cols = Map::new();
        cols.insert(
            "href".into(),
            links.iter().map(|l| Value::from(l.href.as_str())).collect(),
        );
        let strings: [(&str, StrOf); 6] = [
            ("raw", |l| &l.raw),
            ("text", |l| &l.text),
            ("alt", |l| &l.alt),
            ("ariaLabel", |l| &l.aria_label),
            ("title", |l| &l.title),
            ("rel", |l| &l.rel),
        ];
        for (name, get) in strings {
            if links.iter().any(|l| get(l).is_some()) {
                let col = links
                    .iter()
                    .map(|l| get(l).as_deref().map_or(Value::Null, Value::from));
                cols.insert(name.into(), col.collect());
            }
        }
        if links.iter().any(|l| l.order.is_some()) {
            cols.insert(
                "order".into(),
                links.iter().map(|l| Value::from(l.order)).collect(),
            );
        }
        let numbers: [(&str, NumberOf); 2] = [("width", |l| l.width), ("height", |l| l.height)];
        for (name, get) in numbers {
            if links.iter().any(|l| get(l).is_some()) {
                cols.insert(
                    name.into(),
                    links.iter().map(|l| Value::from(get(l))).collect(),
                );
            }
        }
        if links
            .iter()
            .any(|l| l.region.is_some_and(|r| r != Region::Other))
        {
            let letters: String = links
                .iter()
                .map(|l| char::from(l.region.unwrap_or_default().as_str().as_bytes()[0]))
                .collect();
            cols.insert("region".into(), letters.into());
        }
        let flags: [(&str, FlagOf); 4] = [
            ("hidden", |l| l.visible == Some(false)),
            ("inViewport", |l| l.in_viewport == Some(true)),
            ("area", |l| l.area == Some(true)),
            ("hasImage", |l| l.has_image == Some(true)),
        ];
        for (name, set) in flags {
            let at: Vec<Value> = (0..links.len())
                .filter(|&i| set(&links[i]))
                .map(Value::from)
                .collect();
            if !at.is_empty() {
                cols.insert(name.into(), at.into());
            }
        }
        let mut o = Map::new();
        o.insert("url".into(), self.url.as_str().into());
        let fields = [
            ("requestedUrl", &self.requested_url),
            ("title", &self.title),
            ("h1", &self.h1),
            ("canonical", &self.canonical),
            ("metaRobots", &self.meta_robots),
            ("lang", &self.lang),
            ("metaRefresh", &self.meta_refresh),
        ];
        for (name, v) in fields {
            if let Some(v) = v {
                o.insert(name.into(), v.as_str().into());
            }
        }
        o.insert("links".into(), cols.into());
        if let Some(t) = self.truncated_links {
            o.insert("truncatedLinks".into(), t.into());
        }
        if let Some(t) = self.observed_at {
            o.insert("observedAt".into(), t.into());
        }
        Value::Object(o).to_string()
    }

    /// Parses an observation from the JSON text the extension makes with `JSON.stringify`:
    /// [`ObservationRef::from_js_json`], owned.
    pub fn from_js_json(s: &str) -> crate::Result<Self> {
        ObservationRef::from_js_json(s).map(ObservationRef::into_owned)
    }

    /// [`RawObservation::from_js_json`] for the UTF-8 bytes of the text; bytes that are
    /// not UTF-8 are an [`crate::Error::InvalidObservation`].
    pub fn from_js_json_bytes(bytes: &[u8]) -> crate::Result<Self> {
        ObservationRef::from_js_json_bytes(bytes).map(ObservationRef::into_owned)
    }

    /// Bounds every string and the list of links: text fields to [`MAX_TEXT_LEN`] bytes,
    /// `raw` to [`MAX_URL_LEN`], over-long requested, canonical and refresh URLs dropped,
    /// at most [`MAX_LINKS`] links (the rest counted in `truncated_links`), non-finite
    /// sizes dropped. Returns how many links were dropped.
    pub fn clamp(&mut self) -> usize {
        let mut r = ObservationRef::from(std::mem::take(self));
        let dropped = r.clamp();
        *self = r.into_owned();
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Observations with every link field set or absent in turn, strings with escapes and
    /// non-ASCII text, from a fixed seed.
    fn varied_observations() -> Vec<RawObservation> {
        let seed = std::cell::Cell::new(0x9e37_79b9_7f4a_7c15u64);
        let next = |m: u64| {
            let mut x = seed.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            seed.set(x);
            x % m
        };
        let words = [
            "Home",
            "read \"more\"",
            "é → ünï",
            "tab\there",
            "",
            "  spaced  ",
            "🦀",
        ];
        let regions = [
            None,
            Some(Region::Nav),
            Some(Region::Header),
            Some(Region::Footer),
            Some(Region::Aside),
            Some(Region::Main),
            Some(Region::Other),
        ];
        (0..40)
            .map(|o| {
                let n = [0, 1, 2, 7, 60][o % 5];
                let s = |m: u64| -> Option<String> {
                    let k = next(m + 1) as usize;
                    (k < words.len()).then(|| format!("{}{}", words[k], next(100)))
                };
                let links = (0..n)
                    .map(|i| RawLink {
                        href: format!("/p/{i}?q={}", s(3).unwrap_or_default()),
                        raw: s(20),
                        text: s(8),
                        alt: s(12),
                        aria_label: s(12),
                        title: s(12),
                        rel: s(14).map(|_| "nofollow ugc".into()),
                        region: regions[next(7) as usize],
                        visible: [None, Some(true), Some(false)][next(3) as usize],
                        in_viewport: [None, Some(true), Some(false)][next(3) as usize],
                        order: (next(4) == 0).then(|| next(1000) as u32),
                        width: (next(4) == 0).then(|| next(1000) as f32 / 7.0),
                        height: (next(4) == 0).then(|| next(1000) as f32 / 3.0),
                        area: [None, Some(true), Some(false)][next(3) as usize],
                        has_image: [None, Some(true), Some(false)][next(3) as usize],
                    })
                    .collect();
                RawObservation {
                    url: format!("https://a.test/{o}"),
                    requested_url: s(3),
                    title: s(7),
                    h1: s(7),
                    canonical: s(5).map(|c| format!("https://a.test/{c}")),
                    meta_robots: s(12),
                    lang: s(10),
                    meta_refresh: s(12),
                    links,
                    truncated_links: (o % 3 == 0).then_some(o as u32),
                    observed_at: Some(1.7e12 + o as f64),
                }
            })
            .collect()
    }

    /// A link as the graph reads it: a flag at its default is the same whether it is
    /// absent or given, and so is the region "other".
    fn as_read(mut l: LinkRef<'_>) -> LinkRef<'_> {
        l.region = l.region.filter(|&r| r != Region::Other);
        l.visible = l.visible.filter(|&v| !v);
        l.in_viewport = l.in_viewport.filter(|&v| v);
        l.area = l.area.filter(|&v| v);
        l.has_image = l.has_image.filter(|&v| v);
        l
    }

    #[test]
    fn links_as_columns_read_as_the_same_links_as_objects() {
        for o in varied_observations() {
            let rows = serde_json::to_string(&o).expect("serialises");
            let cols = o.to_json();
            let a = ObservationRef::from_js_json(&rows).expect("rows");
            let b = ObservationRef::from_js_json(&cols).expect("columns");
            assert_eq!(a.links.len(), o.links.len());
            assert!(cols.len() < rows.len() || o.links.is_empty(), "{cols}");
            let (mut a, mut b) = (a, b);
            let (la, lb) = (std::mem::take(&mut a.links), std::mem::take(&mut b.links));
            assert_eq!(a, b);
            for (x, y) in la.into_iter().zip(lb) {
                assert_eq!(as_read(x), as_read(y), "{cols}");
            }
        }
        // Strings without escapes are read in place in both forms.
        let o = &varied_observations()[4];
        let cols = o.to_json();
        let b = ObservationRef::from_json(&cols).expect("columns");
        assert!(b.links.iter().any(|l| matches!(l.href.0, Cow::Borrowed(_))));
    }

    #[test]
    fn link_columns_that_do_not_fit_are_refused_with_the_column_named() {
        let bad = [
            (
                r#"{"href":["/a","/b"],"text":["A"]}"#,
                "links.text has 1 entries for 2 links",
            ),
            (
                r#"{"href":["/a"],"region":"mn"}"#,
                "links.region has 2 entries for 1 links",
            ),
            (
                r#"{"href":["/a"],"order":[1,2]}"#,
                "links.order has 2 entries",
            ),
            (
                r#"{"href":["/a"],"hidden":[1]}"#,
                "links.hidden names link 1, but there are 1 links",
            ),
            (r#"{"href":["/a"],"hasImage":[-1]}"#, "invalid value"),
            (r#"{"href":"/a"}"#, "invalid type"),
            (r#"{"href":["/a"],"text":[5]}"#, "invalid type"),
            (r#"{"href":["/a"]"#, "EOF"),
            (r#""/a""#, "a list of links or an object of link columns"),
        ];
        for (links, why) in bad {
            let json = format!(r#"{{"url":"https://a.test/","links":{links}}}"#);
            let e = ObservationRef::from_js_json(&json)
                .expect_err(links)
                .to_string();
            assert!(e.contains(why), "{links}: {e}");
        }
        // Unknown columns are ignored, an unknown region letter is "other", and a missing
        // href column means no links.
        let o = RawObservation::from_json(
            r#"{"url":"https://a.test/","links":{"href":["/a","/b"],"region":"nz","future":[1]}}"#,
        )
        .expect("valid");
        let regions: Vec<_> = o.links.iter().map(|l| l.region).collect();
        assert_eq!(regions, [Some(Region::Nav), Some(Region::Other)]);
        let o =
            RawObservation::from_json(r#"{"url":"https://a.test/","links":{}}"#).expect("valid");
        assert!(o.links.is_empty());
    }

    #[test]
    fn minimal_observation_needs_only_url() {
        let o = RawObservation::from_json(r#"{"url":"https://a.test/"}"#).expect("valid");
        assert_eq!(o.url, "https://a.test/");
        assert!(o.links.is_empty());
    }

    #[test]
    fn unknown_region_is_other_and_unknown_fields_ignored() {
        let o = RawObservation::from_json(
            r#"{"url":"https://a.test/","extra":1,"links":[{"href":"https://a.test/x","region":"weird"}]}"#,
        )
        .expect("valid");
        assert_eq!(o.links[0].region, Some(Region::Other));
    }

    #[test]
    fn wrong_types_give_typed_error() {
        let e = RawObservation::from_json(r#"{"url":5}"#).unwrap_err();
        assert!(matches!(e, crate::Error::InvalidObservation(_)));
        let e = RawObservation::from_json("[").unwrap_err();
        assert!(matches!(e, crate::Error::InvalidObservation(_)));
    }

    #[test]
    fn oversized_strings_are_clamped_on_char_boundaries() {
        let long = "é".repeat(10_000);
        let mut o = RawObservation {
            url: "https://a.test/".into(),
            title: Some(long.clone()),
            links: vec![RawLink {
                href: "https://a.test/x".into(),
                text: Some(long),
                ..Default::default()
            }],
            ..Default::default()
        };
        o.clamp();
        assert!(o.title.as_ref().is_some_and(|t| t.len() <= MAX_TEXT_LEN));
        assert!(o.links[0]
            .text
            .as_ref()
            .is_some_and(|t| t.len() <= MAX_TEXT_LEN));
    }

    #[test]
    fn lone_surrogates_from_javascript_become_replacement_characters() {
        let o = RawObservation::from_js_json(
            r#"{"url":"https://a.test/","title":"a\ud83d","h1":"\ude00b\ud83d\ude00\uD800\u0041","links":[{"href":"https://a.test/x","text":"\\ud800 \\\udc00"}]}"#,
        )
        .expect("valid");
        assert_eq!(o.title.as_deref(), Some("a\u{fffd}"));
        assert_eq!(o.h1.as_deref(), Some("\u{fffd}b\u{1f600}\u{fffd}A"));
        assert_eq!(o.links[0].text.as_deref(), Some("\\ud800 \\\u{fffd}"));
        // Plain JSON keeps refusing them; nothing else changes.
        assert!(
            RawObservation::from_json(r#"{"url":"https://a.test/","title":"\ud800"}"#).is_err()
        );
        assert_eq!(
            replace_lone_surrogates(r#"{"a":"\ud83d\ude00 \\ud800"}"#),
            r#"{"a":"\ud83d\ude00 \\ud800"}"#
        );
        for junk in [
            "\\u",
            "\\ud8",
            "\\ud800\\u",
            "\\",
            "x\\udc0",
            "\\uzzzz",
            "é\\ud800é",
        ] {
            let _ = RawObservation::from_js_json(junk);
            let _ = replace_lone_surrogates(junk);
        }
        assert_eq!(replace_lone_surrogates("é\\ud800é"), "é\\ufffdé");
        let bytes = br#"{"url":"https://a.test/","title":"\ud800"}"#;
        let o = RawObservation::from_js_json_bytes(bytes).expect("valid");
        assert_eq!(o.title.as_deref(), Some("\u{fffd}"));
        assert!(matches!(
            RawObservation::from_js_json_bytes(b"{\"url\":\"\xff\"}"),
            Err(crate::Error::InvalidObservation(_))
        ));
    }

    #[test]
    fn clamped_matches_clamp_str() {
        for (s, max) in [
            ("", 0),
            ("abc", 2),
            ("éé", 3),
            ("éé", 4),
            ("😀x", 1),
            ("😀x", 5),
        ] {
            let mut owned = s.to_string();
            clamp_str(&mut owned, max);
            assert_eq!(clamped(s, max), owned);
        }
    }

    fn borrowed(t: Option<&Text<'_>>) -> bool {
        matches!(t, Some(Text(Cow::Borrowed(_))))
    }

    #[test]
    fn json_strings_are_read_in_place_unless_escaped() {
        let text = r#"{"url":"https://a.test/","title":"Caf\u00e9","h1":"Plain",
            "links":[{"href":"https://a.test/x","text":"Rye","rel":"a\"b","width":3}]}"#;
        let o = ObservationRef::from_json(text).expect("valid");
        assert!(matches!(o.url, Text(Cow::Borrowed("https://a.test/"))));
        assert!(borrowed(o.h1.as_ref()));
        assert!(borrowed(Some(&o.links[0].href)));
        assert!(borrowed(o.links[0].text.as_ref()));
        // Escapes are decoded into owned strings.
        assert!(!borrowed(o.title.as_ref()));
        assert_eq!(o.title.as_deref(), Some("Café"));
        assert_eq!(o.links[0].rel.as_deref(), Some("a\"b"));
        assert_eq!(o.links[0].width, Some(3.0));
        // The owned parse is the same observation.
        assert_eq!(
            RawObservation::from_json(text).expect("valid"),
            o.into_owned()
        );
        // Wrong types are still refused.
        assert!(ObservationRef::from_json(r#"{"url":"https://a.test/","title":5}"#).is_err());
        assert!(
            ObservationRef::from_json(r#"{"url":"https://a.test/","links":[{"width":"x"}]}"#)
                .is_err()
        );
    }

    #[test]
    fn a_raw_observation_converts_to_a_ref_and_back_unchanged() {
        let o = RawObservation {
            url: "https://a.test/".into(),
            requested_url: Some("https://a.test/old".into()),
            title: Some("T".into()),
            h1: Some("H".into()),
            canonical: Some("https://a.test/c".into()),
            meta_robots: Some("noindex".into()),
            lang: Some("en".into()),
            meta_refresh: Some("https://a.test/r".into()),
            links: vec![RawLink {
                href: "https://a.test/x".into(),
                raw: Some("/x".into()),
                text: Some("X".into()),
                alt: Some("A".into()),
                aria_label: Some("L".into()),
                title: Some("Ti".into()),
                rel: Some("nofollow".into()),
                region: Some(Region::Nav),
                visible: Some(false),
                in_viewport: Some(true),
                order: Some(4),
                width: Some(1.5),
                height: Some(2.5),
                area: Some(true),
                has_image: Some(true),
            }],
            truncated_links: Some(2),
            observed_at: Some(1.7e12),
        };
        assert_eq!(ObservationRef::from(o.clone()).into_owned(), o);
    }

    #[test]
    fn borrowed_strings_are_clamped_like_owned_ones() {
        let long = "é".repeat(1000);
        let url = format!("https://a.test/{}", "u".repeat(MAX_URL_LEN));
        let text = format!(
            r#"{{"url":"https://a.test/","title":"{long}","canonical":"{url}","links":[{{"href":"https://a.test/x","text":"{long}","raw":"{url}"}}]}}"#
        );
        let o = ObservationRef::from_json(&text).expect("valid");
        assert!(borrowed(o.title.as_ref()));
        assert_eq!(o.title.as_deref().map(str::len), Some(MAX_TEXT_LEN));
        assert_eq!(o.links[0].text.as_deref().map(str::len), Some(MAX_TEXT_LEN));
        assert_eq!(o.links[0].raw.as_deref().map(str::len), Some(MAX_URL_LEN));
        assert_eq!(o.canonical, None);
        let mut owned: RawObservation = serde_json::from_str(&text).expect("valid");
        owned.clamp();
        assert_eq!(owned, o.into_owned());
    }

    #[test]
    fn too_many_links_are_dropped_and_counted() {
        let mut o = RawObservation {
            url: "https://a.test/".into(),
            links: vec![RawLink::default(); MAX_LINKS + 7],
            ..Default::default()
        };
        assert_eq!(o.clamp(), 7);
        assert_eq!(o.truncated_links, Some(7));
    }
}
