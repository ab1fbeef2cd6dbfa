//! Anchor quality: what a link's anchor says about its target.
//!
//! The content script reports the raw parts of each link's name ([`AnchorParts`]: text,
//! image alt, `aria-label`, `title`, href). This module turns them into an accessible
//! name ([`accessible_name`]), gives each occurrence one reason code ([`classify`] →
//! [`AnchorCode`]), says whether Lighthouse's `link-text` SEO audit would fail the link
//! ([`lighthouse_fails`]) and finds the words an anchor shares with its target page
//! ([`match_words`]).
//!
//! All inputs are untrusted: every function here is total (no panics), runs in time
//! linear in its input (plus a sort in [`match_words`]) and allocates at most a few
//! copies of it.
//!
//! ```
//! use linkflow::anchor::{classify, AnchorCode, AnchorParts};
//! let parts = AnchorParts { text: Some("Read more »"), href: "/blog/rye", ..AnchorParts::default() };
//! assert_eq!(classify(&parts), AnchorCode::Generic);
//! let parts = AnchorParts { text: Some("Our rye sourdough"), href: "/blog/rye", ..AnchorParts::default() };
//! assert_eq!(classify(&parts), AnchorCode::Descriptive);
//! ```

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// An anchor whose accessible name has more characters than this (Unicode scalar values,
/// not bytes) is [`AnchorCode::Overlong`].
pub const OVERLONG_CHARS: usize = 100;

/// An anchor whose accessible name has more whitespace-separated words than this is
/// [`AnchorCode::Overlong`].
pub const OVERLONG_WORDS: usize = 16;

/// Shortest word (in characters) that [`match_words`] reports.
pub const MIN_MATCH_WORD_CHARS: usize = 3;

/// Reason code for one link occurrence's anchor.
///
/// Codes are exclusive; when several apply, the first in this order wins:
/// `Empty`, `ImageNoAlt`, `Generic`, `NakedUrl`, `Overlong`, `Descriptive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnchorCode {
    /// The anchor names its target in a few words; nothing to fix.
    Descriptive = 0,
    /// The normalised name is a generic phrase ("read more", "hier", "aquí"…), see
    /// [`generic_phrases`]. A name made only of punctuation or arrows ("»", "…") counts too.
    Generic = 1,
    /// The accessible name is empty and the link holds no image.
    Empty = 2,
    /// The link holds an image and has no name at all: no alt, `aria-label`, `title` or text.
    ImageNoAlt = 3,
    /// The name is a URL: it starts with `http://`, `https://` or `www.`, or equals the
    /// href (with or without its scheme, ignoring case and a trailing `/`).
    NakedUrl = 4,
    /// The name is longer than [`OVERLONG_CHARS`] characters or [`OVERLONG_WORDS`] words.
    Overlong = 5,
}

impl AnchorCode {
    /// Every code, in the order of their `u8` values (see [`AnchorCode::to_u8`]).
    pub const ALL: [AnchorCode; 6] = [
        AnchorCode::Descriptive,
        AnchorCode::Generic,
        AnchorCode::Empty,
        AnchorCode::ImageNoAlt,
        AnchorCode::NakedUrl,
        AnchorCode::Overlong,
    ];

    /// The stable kebab-case name, as serialised: `"descriptive"`, `"generic"`, `"empty"`,
    /// `"image-no-alt"`, `"naked-url"` or `"overlong"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnchorCode::Descriptive => "descriptive",
            AnchorCode::Generic => "generic",
            AnchorCode::Empty => "empty",
            AnchorCode::ImageNoAlt => "image-no-alt",
            AnchorCode::NakedUrl => "naked-url",
            AnchorCode::Overlong => "overlong",
        }
    }

    /// One short English sentence for the user: what is wrong with the anchor (or that
    /// nothing is).
    pub fn message(self) -> &'static str {
        match self {
            AnchorCode::Descriptive => "The anchor text describes the page it links to.",
            AnchorCode::Generic => {
                "Generic anchor text like \u{201c}read more\u{201d} says nothing about the page it links to."
            }
            AnchorCode::Empty => {
                "The link has no text, so neither people nor search engines can tell where it goes."
            }
            AnchorCode::ImageNoAlt => {
                "The link is an image without alt text, so it has no name."
            }
            AnchorCode::NakedUrl => {
                "The anchor text is a bare URL; words that describe the page work better."
            }
            AnchorCode::Overlong => {
                "The anchor text is too long (over 100 characters or 16 words) to scan as a link."
            }
        }
    }

    /// `true` only for [`AnchorCode::Descriptive`].
    pub fn is_descriptive(self) -> bool {
        matches!(self, AnchorCode::Descriptive)
    }

    /// The compact storage value, `0..=5` (stable: the index in [`AnchorCode::ALL`]).
    pub fn to_u8(self) -> u8 {
        self as u8
    }

    /// The code stored as `v` by [`AnchorCode::to_u8`]; `None` for an unknown value.
    pub fn from_u8(v: u8) -> Option<Self> {
        Self::ALL.get(usize::from(v)).copied()
    }
}

impl fmt::Display for AnchorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The parts of a link's accessible name, as the content script reports them.
///
/// All fields are untrusted: they may be huge, empty, or full of control, bidi,
/// zero-width or combining characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnchorParts<'a> {
    /// The link's rendered text (`innerText`; for SVG links `textContent`). Image alt
    /// text is not part of it.
    pub text: Option<&'a str>,
    /// The alt text of the images inside the link, joined by spaces (for an `<area>`,
    /// its own alt).
    pub alt: Option<&'a str>,
    /// The `aria-label` (or the text of the `aria-labelledby` targets).
    pub aria_label: Option<&'a str>,
    /// The `title` attribute.
    pub title: Option<&'a str>,
    /// Whether the link contains at least one `<img>`.
    pub has_image: bool,
    /// The link's href, resolved against the page when the content script could.
    pub href: &'a str,
}

/// The accessible name of a link, approximating the W3C accname computation.
///
/// The first non-empty of:
/// 1. the `aria-label`;
/// 2. the content: the image alt text followed by the text (the content script reports
///    them apart, so their order in the DOM is lost: images usually come first);
/// 3. the `title`.
///
/// Whitespace and control characters are collapsed to single spaces and the ends trimmed;
/// invisible format characters (zero-width space, word joiner, BOM, soft hyphen, bidi
/// marks and embeddings) are dropped. Zero-width (non-)joiners are kept: they change how
/// Persian, Indic and emoji text reads.
///
/// ```
/// use linkflow::anchor::{accessible_name, AnchorParts};
/// let parts = AnchorParts { text: Some("  Our\n  menu "), title: Some("ignored"), ..Default::default() };
/// assert_eq!(accessible_name(&parts), "Our menu");
/// ```
pub fn accessible_name(p: &AnchorParts) -> String {
    name_cow(p).into_owned()
}

/// [`accessible_name`], borrowing the part it comes from when that part is already clean
/// (the common case: no allocation).
fn name_cow<'a>(p: &AnchorParts<'a>) -> Cow<'a, str> {
    if let Some(label) = p.aria_label {
        let label = clean_cow(label);
        if !label.is_empty() {
            return label;
        }
    }
    let alt = p.alt.map(clean_cow).unwrap_or_default();
    let text = p.text.map(clean_cow).unwrap_or_default();
    let content = match (alt.is_empty(), text.is_empty()) {
        (true, true) => Cow::Borrowed(""),
        (false, true) => alt,
        (true, false) => text,
        (false, false) => Cow::Owned(format!("{alt} {text}")),
    };
    if !content.is_empty() {
        return content;
    }
    p.title.map(clean_cow).unwrap_or_default()
}

/// What [`assess`] finds out about one link's anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment<'a> {
    /// The [`accessible_name`] (borrowed from the parts when possible).
    pub name: Cow<'a, str>,
    /// [`classify`]'s code.
    pub code: AnchorCode,
    /// [`lighthouse_fails_in`]'s answer.
    pub lighthouse_fails: bool,
}

/// [`accessible_name`], [`classify`] and [`lighthouse_fails_in`] at once, computing the
/// name only once: what the graph needs for every link it ingests. Same results as the
/// three calls.
///
/// ```
/// use linkflow::anchor::{assess, AnchorCode, AnchorParts, LighthouseContext};
/// let parts = AnchorParts { text: Some(" Learn  more "), href: "/blog/rye", ..AnchorParts::default() };
/// let a = assess(&parts, &LighthouseContext::default());
/// assert_eq!((a.name.as_ref(), a.code, a.lighthouse_fails), ("Learn more", AnchorCode::Generic, false));
/// let parts = AnchorParts { text: Some("Learn more"), href: "/blog/rye", ..AnchorParts::default() };
/// assert!(assess(&parts, &LighthouseContext::default()).lighthouse_fails);
/// ```
pub fn assess<'a>(p: &AnchorParts<'a>, ctx: &LighthouseContext) -> Assessment<'a> {
    let name = name_cow(p);
    let code = classify_named(p, &name);
    Assessment {
        lighthouse_fails: lighthouse_fails_in(p, ctx),
        code,
        name,
    }
}

/// Classifies one link occurrence (see [`AnchorCode`] for the rules and their order).
///
/// The name classified is the [`accessible_name`], so an `aria-label` overrides the
/// visible text: `<a aria-label="Rye sourdough recipe">Read more</a>` is `Descriptive`
/// here, although Lighthouse, which reads only the visible text, fails it (see
/// [`lighthouse_fails`]).
pub fn classify(p: &AnchorParts) -> AnchorCode {
    classify_named(p, &name_cow(p))
}

/// [`classify`] given the link's [`accessible_name`].
fn classify_named(p: &AnchorParts, name: &str) -> AnchorCode {
    if name.is_empty() {
        return if p.has_image {
            AnchorCode::ImageNoAlt
        } else {
            AnchorCode::Empty
        };
    }
    if is_generic_clean(name) {
        return AnchorCode::Generic;
    }
    if looks_like_url(name, p.href) {
        return AnchorCode::NakedUrl;
    }
    // A name has at most as many characters as bytes, and (being clean) its only
    // whitespace is single spaces between words: skip the scans when they cannot succeed.
    if (name.len() > OVERLONG_CHARS && name.chars().nth(OVERLONG_CHARS).is_some())
        || (bytecount_spaces(name) >= OVERLONG_WORDS
            && name.split_whitespace().nth(OVERLONG_WORDS).is_some())
    {
        return AnchorCode::Overlong;
    }
    AnchorCode::Descriptive
}

/// Whether `name` (any anchor text) is a generic phrase once normalised: lowercased,
/// whitespace collapsed, invisible characters dropped, and leading and trailing
/// punctuation, arrows and brackets stripped (`"Read more »"`, `"[more…]"`, `"HIER."`).
///
/// An empty name is not generic; a name made only of punctuation (`"→"`) is.
pub fn is_generic(name: &str) -> bool {
    let cleaned = clean_cow(name);
    !cleaned.is_empty() && is_generic_clean(&cleaned)
}

/// How many `' '` bytes `s` holds.
fn bytecount_spaces(s: &str) -> usize {
    s.bytes().filter(|&b| b == b' ').count()
}

/// Whether a non-empty name already passed through [`clean`] is generic: its
/// [`normalize`]d key is empty or a generic phrase.
fn is_generic_clean(name: &str) -> bool {
    if !name.is_ascii() {
        let key = normalize(name);
        return key.is_empty() || is_generic_key(&key);
    }
    // ASCII and clean (single inner spaces, no controls): `normalize` only lowercases and
    // trims the edges, and ASCII edge junk does not depend on case. Trimmed as bytes.
    let bytes = name.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_edge_junk_ascii(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_edge_junk_ascii(b))
        .map_or(start, |e| e + 1);
    let trimmed = bytes.get(start..end).unwrap_or(&[]);
    if trimmed.is_empty() {
        return true;
    }
    let set = generic_set();
    if trimmed.len() > set.max_len {
        return false;
    }
    let mut buf = [0u8; GENERIC_KEY_BUF];
    let key = &mut buf[..trimmed.len()];
    key.copy_from_slice(trimmed);
    key.make_ascii_lowercase();
    std::str::from_utf8(key).is_ok_and(|k| set.phrases.contains(k))
}

/// Longest generic phrase (bytes) that [`is_generic_clean`] can look up without allocating.
const GENERIC_KEY_BUF: usize = 128;

/// [`GENERIC`] as a hash set, and its longest phrase.
struct PhraseSet {
    phrases: FxHashSet<&'static str>,
    max_len: usize,
}

impl PhraseSet {
    fn new(lists: impl Iterator<Item = &'static str>, cap: usize) -> Self {
        let phrases: FxHashSet<&'static str> = lists.collect();
        let max_len = phrases.iter().map(|p| p.len()).max().unwrap_or(0).min(cap);
        PhraseSet { phrases, max_len }
    }
}

fn generic_set() -> &'static PhraseSet {
    static SET: OnceLock<PhraseSet> = OnceLock::new();
    SET.get_or_init(|| PhraseSet::new(GENERIC.iter().copied(), GENERIC_KEY_BUF))
}

/// Every phrase of every language of [`LIGHTHOUSE_LINK_TEXT`].
fn lighthouse_set() -> &'static PhraseSet {
    static SET: OnceLock<PhraseSet> = OnceLock::new();
    SET.get_or_init(|| {
        PhraseSet::new(
            LIGHTHOUSE_LINK_TEXT
                .iter()
                .flat_map(|(_, list)| list.iter().copied()),
            usize::MAX,
        )
    })
}

/// The generic phrases, sorted and in normalised form (see [`is_generic`]).
///
/// A superset of Lighthouse's `link-text` blocklist in all its languages
/// ([`lighthouse_blocklist`]), plus phrases of our own.
pub fn generic_phrases() -> &'static [&'static str] {
    GENERIC
}

/// Lighthouse's `link-text` blocklist: `(language, phrases)` pairs, as in Lighthouse.
pub fn lighthouse_blocklist() -> &'static [(&'static str, &'static [&'static str])] {
    LIGHTHOUSE_LINK_TEXT
}

/// The version of Lighthouse that [`lighthouse_blocklist`] and [`lighthouse_fails`]
/// mirror.
pub const LIGHTHOUSE_VERSION: &str = "12.8.2";

/// What Lighthouse knows about a link beyond [`AnchorParts`], for [`lighthouse_fails_in`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LighthouseContext<'a> {
    /// The page's final URL. Links to it (ignoring the fragment) are skipped. Also used to
    /// resolve a relative href.
    pub page_url: Option<&'a str>,
    /// The link's `rel` attribute as written.
    pub rel: Option<&'a str>,
    /// The language Lighthouse detects for the link text (the `lang` of the document when
    /// it has exactly one, on `<html>` or `<body>`; else the nearest `lang`).
    pub text_lang: Option<&'a str>,
}

/// Would Lighthouse's `link-text` SEO audit fail this link, with nothing known of the page?
///
/// Same as [`lighthouse_fails_in`] with an empty [`LighthouseContext`]: no `rel`, no
/// detected language (so every language's list applies), and only hrefs starting with
/// `#` count as links to the same page.
pub fn lighthouse_fails(p: &AnchorParts) -> bool {
    lighthouse_fails_in(p, &LighthouseContext::default())
}

/// Would Lighthouse's `link-text` SEO audit fail this link?
///
/// Mirrors the audit of Lighthouse [`LIGHTHOUSE_VERSION`] (`core/audits/seo/link-text.js`):
/// 1. a link with an empty href is skipped;
/// 2. a link whose `rel` contains `nofollow` is skipped (a case-sensitive substring test,
///    as in Lighthouse: `rel="NOFOLLOW"` is not skipped);
/// 3. an href starting with `javascript:` or `mailto:` (any case) is skipped;
/// 4. a link to the page itself, ignoring the fragment, is skipped (an href starting with
///    `#` always; others only when [`LighthouseContext::page_url`] is known);
/// 5. the text is the visible text only ([`AnchorParts::text`], Lighthouse's `innerText`):
///    alt, `aria-label` and `title` are ignored. It is trimmed of JavaScript whitespace and
///    lowercased; an empty text passes;
/// 6. with a detected language, the text fails only if it is in that language's list
///    (the part of the tag before `-`, case-sensitive: no list for `"EN"`, and a language
///    without a list never fails); without one, if it is in any list.
pub fn lighthouse_fails_in(p: &AnchorParts, ctx: &LighthouseContext) -> bool {
    // Every rule must hold for the audit to fail, so the cheap and selective one — the text
    // is a listed phrase — goes first; the href rules (one URL parse) run only for the few
    // links that would otherwise fail. The answer is the same in any order.
    let text = p.text.map(js_trim).unwrap_or_default();
    if text.is_empty() {
        return false;
    }
    let set = lighthouse_set();
    let mut buf = [0u8; GENERIC_KEY_BUF];
    let text: Cow<str> = if text.is_ascii() {
        if text.len() > set.max_len {
            return false;
        }
        if !text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Borrowed(text)
        } else if let Some(key) = buf.get_mut(..text.len()) {
            // Lowercased on the stack: no allocation for the common short texts.
            key.copy_from_slice(text.as_bytes());
            key.make_ascii_lowercase();
            match std::str::from_utf8(key) {
                Ok(k) if set.phrases.contains(k) => Cow::Owned(k.to_owned()),
                _ => return false,
            }
        } else {
            Cow::Owned(text.to_ascii_lowercase())
        }
    } else {
        Cow::Owned(text.to_lowercase())
    };
    if !set.phrases.contains(text.as_ref()) {
        return false;
    }
    // The browser's URL parser ignores leading/trailing C0 controls and spaces and
    // removes tabs and newlines anywhere.
    let href: String = p
        .href
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if href.is_empty() {
        return false;
    }
    if ctx.rel.is_some_and(|rel| rel.contains("nofollow")) {
        return false;
    }
    let lower = href.to_lowercase();
    if lower.starts_with("javascript:") || lower.starts_with("mailto:") {
        return false;
    }
    if href.starts_with('#') || ctx.page_url.is_some_and(|page| same_page(&href, page)) {
        return false;
    }
    let text: &str = &text;
    match ctx.text_lang {
        Some(lang) => {
            let primary = lang.split('-').next().unwrap_or_default();
            LIGHTHOUSE_LINK_TEXT
                .iter()
                .find(|(l, _)| *l == primary)
                .is_some_and(|(_, list)| list.contains(&text))
        }
        None => LIGHTHOUSE_LINK_TEXT
            .iter()
            .any(|(_, list)| list.contains(&text)),
    }
}

/// Words the anchor shares with its target's title, h1 or URL slug.
///
/// Words are maximal runs of characters other than whitespace, punctuation and symbols
/// (so letters with combining marks and scripts like Tamil stay whole), lowercased, at
/// least [`MIN_MATCH_WORD_CHARS`] characters long, and not a stop word. The slug is the
/// last non-empty path segment of `target_url` (query and fragment dropped,
/// percent-decoded, a `.html`-like extension stripped), split on `-`, `_` and `.`.
///
/// Returns the shared words sorted and deduplicated. Scripts written without spaces
/// (Chinese, Japanese) yield whole phrases as "words", so they rarely match.
///
/// ```
/// use linkflow::anchor::match_words;
/// let words = match_words("Our rye sourdough", Some("Rye Sourdough | Crumb & Co."), None,
///                         "https://example.com/blog/rye-bread.html");
/// assert_eq!(words, ["rye", "sourdough"]);
/// ```
pub fn match_words(
    anchor: &str,
    title: Option<&str>,
    h1: Option<&str>,
    target_url: &str,
) -> Vec<String> {
    let mut target: HashSet<String> = HashSet::new();
    for s in [title, h1].into_iter().flatten() {
        target.extend(words(s));
    }
    target.extend(words(&slug(target_url)));
    if target.is_empty() {
        return Vec::new();
    }
    let mut shared: Vec<String> = words(anchor).filter(|w| target.contains(w)).collect();
    shared.sort_unstable();
    shared.dedup();
    shared
}

// ---------------------------------------------------------------- normalisation

/// Characters that separate words like a space: Unicode whitespace and control characters.
fn is_space_like(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Invisible format characters dropped from names: soft hyphen, zero-width space, word
/// joiner and invisible operators, BOM, Arabic letter mark, bidi marks, embeddings,
/// overrides and isolates, interlinear annotation marks.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Joiners and variation selectors: kept in names, ignored when comparing phrases.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// [`clean`], borrowing `s` when it is already clean.
fn clean_cow(s: &str) -> Cow<'_, str> {
    if is_clean(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(clean(s))
    }
}

/// Whether [`clean`] would return `s` unchanged: no space-like character but single
/// spaces between other characters, no invisible character.
fn is_clean(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let mut prev_space = false;
    if b.is_ascii() {
        for &c in b {
            if c == b' ' {
                if prev_space {
                    return false;
                }
                prev_space = true;
            } else if c < 0x20 || c == 0x7f {
                return false;
            } else {
                prev_space = false;
            }
        }
        return true;
    }
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if is_space_like(c) || is_invisible(c) {
            return false;
        } else {
            prev_space = false;
        }
    }
    true
}

/// Collapses whitespace and controls to single spaces, trims, drops invisible characters.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if is_space_like(c) {
            space = !out.is_empty();
        } else if !is_invisible(c) {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// [`is_edge_junk`] of an ASCII byte: a space or ASCII punctuation (a byte above 0x7F is
/// never ASCII punctuation).
fn is_edge_junk_ascii(b: u8) -> bool {
    b == b' ' || b.is_ascii_punctuation()
}

/// Punctuation, arrows, bullets and brackets stripped from both ends of a name before
/// it is compared with the generic phrases.
fn is_edge_junk(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_edge_junk_ascii)
        || matches!(
            c,
            '\u{00A1}' | '\u{00AB}' | '\u{00B7}' | '\u{00BB}' | '\u{00BF}'
                | '\u{0589}' | '\u{060C}' | '\u{061B}' | '\u{061F}' | '\u{06D4}'
                | '\u{0964}' | '\u{0965}'
                | '\u{2010}'..='\u{2027}'
                | '\u{2039}' | '\u{203A}'
                | '\u{2190}'..='\u{21FF}'
                | '\u{2794}'..='\u{27BF}'
                | '\u{27F5}'..='\u{27FF}'
                | '\u{2B05}'..='\u{2B07}'
                | '\u{25B6}' | '\u{25B8}' | '\u{25BA}' | '\u{25C0}' | '\u{25C2}' | '\u{25C4}'
                | '\u{3001}' | '\u{3002}' | '\u{3008}'..='\u{3011}'
                | '\u{FF01}' | '\u{FF08}' | '\u{FF09}' | '\u{FF0C}' | '\u{FF0E}' | '\u{FF1A}'
                | '\u{FF1B}' | '\u{FF1E}' | '\u{FF1F}' | '\u{FF61}'
        )
}

/// The comparison key of a cleaned name: joiners dropped, lowercased, typographic
/// apostrophes made ASCII, punctuation stripped from both ends.
fn normalize(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    let mut space = false;
    for c in name.chars() {
        if is_joiner(c) || is_invisible(c) {
            continue;
        }
        if is_space_like(c) {
            space = !s.is_empty();
            continue;
        }
        if space {
            s.push(' ');
            space = false;
        }
        s.push(if matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}') {
            '\''
        } else {
            c
        });
    }
    let lower = s.to_lowercase();
    lower.trim_matches(is_edge_junk).to_owned()
}

fn is_generic_key(key: &str) -> bool {
    GENERIC.binary_search(&key).is_ok()
}

/// Whether the cleaned name is a URL, or the href itself.
fn looks_like_url(name: &str, href: &str) -> bool {
    if name.is_ascii() && href.is_ascii() {
        // The same tests without lowercased copies (ASCII lowercasing is per byte).
        let starts = |p: &str| {
            name.get(..p.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(p))
        };
        if starts("http://") || starts("https://") || starts("www.") {
            return true;
        }
        let href = href.trim().trim_end_matches('/');
        if href.is_empty() {
            return false;
        }
        let key = name.trim_end_matches('/');
        if key.eq_ignore_ascii_case(href) {
            return true;
        }
        // `strip_scheme(href)` is a suffix of `href`: only look for the scheme when the name
        // matches the end of the href.
        return key.len() < href.len()
            && href.as_bytes()[href.len() - key.len()..].eq_ignore_ascii_case(key.as_bytes())
            && strip_scheme(href).len() == key.len();
    }
    let key = name.to_lowercase();
    if key.starts_with("http://") || key.starts_with("https://") || key.starts_with("www.") {
        return true;
    }
    let href = href.trim().to_lowercase();
    let href = href.trim_end_matches('/');
    if href.is_empty() {
        return false;
    }
    let key = key.trim_end_matches('/');
    key == href || key == strip_scheme(href)
}

/// `href` without `scheme://` (or a leading `//`).
fn strip_scheme(href: &str) -> &str {
    if let Some(i) = href.find("//") {
        let scheme = &href[..i];
        let is_scheme = scheme.is_empty()
            || scheme.strip_suffix(':').is_some_and(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
        if is_scheme {
            return &href[i + 2..];
        }
    }
    href
}

/// JavaScript's `String.prototype.trim` whitespace: WhiteSpace and LineTerminator
/// (Unicode `Zs`, tab, VT, FF, BOM, LF, CR, LS, PS). Unlike Rust's `char::is_whitespace`
/// it includes U+FEFF and excludes U+0085.
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// Lighthouse's `equalWithExcludedFragments`: both URLs parse and are equal without
/// their fragments. A relative `href` is resolved against `page`.
fn same_page(href: &str, page: &str) -> bool {
    let Ok(page) = url::Url::parse(page) else {
        return false;
    };
    let Ok(mut link) = page.join(href) else {
        return false;
    };
    let mut page = page;
    page.set_fragment(None);
    link.set_fragment(None);
    page == link
}

// ---------------------------------------------------------------- match words

/// Separators between words: whitespace, controls, punctuation and common symbols.
fn is_word_separator(c: char) -> bool {
    is_space_like(c)
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{00A1}'..='\u{00BF}'
                | '\u{00D7}'
                | '\u{00F7}'
                | '\u{055A}'..='\u{055F}'
                | '\u{0589}'
                | '\u{05BE}'
                | '\u{05C0}'
                | '\u{05C3}'
                | '\u{05F3}'
                | '\u{05F4}'
                | '\u{060C}'
                | '\u{061B}'
                | '\u{061F}'
                | '\u{066A}'..='\u{066D}'
                | '\u{06D4}'
                | '\u{0964}'
                | '\u{0965}'
                | '\u{0E4F}'
                | '\u{0E5A}'
                | '\u{0E5B}'
                | '\u{2000}'..='\u{206F}'
                | '\u{20A0}'..='\u{20CF}'
                | '\u{2100}'..='\u{2BFF}'
                | '\u{3000}'..='\u{3004}'
                | '\u{3008}'..='\u{3020}'
                | '\u{30FB}'
                | '\u{FE10}'..='\u{FE6F}'
                | '\u{FEFF}'
                | '\u{FF01}'..='\u{FF0F}'
                | '\u{FF1A}'..='\u{FF20}'
                | '\u{FF3B}'..='\u{FF40}'
                | '\u{FF5B}'..='\u{FF65}'
                | '\u{1F000}'..='\u{1FAFF}'
        )
}

/// The match words of `s` (see [`match_words`]).
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(is_word_separator)
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|&c| !is_joiner(c) && !is_invisible(c))
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| w.chars().nth(MIN_MATCH_WORD_CHARS - 1).is_some())
        .filter(|w| STOP_WORDS.binary_search(&w.as_str()).is_err())
}

/// Known page extensions stripped from the slug.
const EXTENSIONS: &[&str] = &[
    ".asp", ".aspx", ".cfm", ".cgi", ".htm", ".html", ".jsp", ".php", ".php3", ".pl", ".shtml",
    ".xhtml",
];

/// The last non-empty path segment of `url`, percent-decoded, without its extension.
fn slug(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("", |j| &url[i + 3 + j..]),
        None => url,
    };
    let Some(last) = path.split('/').rev().find(|s| !s.is_empty()) else {
        return String::new();
    };
    let seg = percent_decode(last);
    let lower = seg.to_ascii_lowercase();
    for ext in EXTENSIONS {
        if lower.ends_with(ext) && lower.len() > ext.len() {
            // `ext` is ASCII, so the cut is on a char boundary.
            return seg[..seg.len() - ext.len()].to_owned();
        }
    }
    seg
}

/// Decodes `%XX` escapes (invalid escapes are kept as written; invalid UTF-8 becomes U+FFFD).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|&c| hex(c)),
                bytes.get(i + 2).and_then(|&c| hex(c)),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Words ignored by [`match_words`] (at least three characters long; shorter words are
/// ignored anyway). Sorted for binary search. English, plus the commonest function words
/// of French, German, Spanish, Portuguese, Italian and Dutch, and the generic link words.
const STOP_WORDS: &[&str] = &[
    "about", "above", "after", "again", "all", "also", "and", "any", "are", "auch", "auf", "aus",
    "aux", "avec", "because", "been", "before", "bei", "being", "below", "between", "both", "but",
    "can", "ces", "cette", "che", "click", "com", "como", "con", "could", "dans", "das", "del",
    "della", "dem", "den", "der", "des", "did", "die", "does", "doing", "dos", "down", "during",
    "each", "een", "ein", "eine", "einer", "elle", "est", "esta", "este", "few", "for", "from",
    "further", "für", "gli", "had", "has", "have", "having", "her", "here", "hers", "herself",
    "het", "him", "himself", "his", "how", "htm", "html", "http", "https", "ihr", "index", "into",
    "ist", "its", "itself", "just", "las", "learn", "les", "leur", "los", "maar", "mais", "met",
    "mit", "more", "most", "más", "naar", "nel", "nicht", "niet", "not", "nous", "now", "não",
    "oder", "off", "once", "only", "ont", "ook", "other", "our", "ours", "out", "over", "own",
    "par", "para", "pas", "pela", "pelo", "per", "pero", "php", "por", "pour", "que", "qui",
    "read", "same", "ses", "seu", "she", "should", "sich", "sie", "some", "son", "sono", "sua",
    "such", "sur", "sus", "than", "that", "the", "their", "theirs", "them", "then", "there",
    "these", "they", "this", "those", "through", "too", "uma", "una", "und", "under", "une", "uno",
    "until", "van", "very", "von", "voor", "vous", "was", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "wie", "will", "wir", "with", "would", "www", "you", "your",
    "yours", "zijn", "zum", "zur",
];

// ---------------------------------------------------------------- phrase lists

/// Lighthouse's `link-text` blocklist, per language, copied as data from Lighthouse
/// 12.8.2, `core/audits/seo/link-text.js` (`nonDescriptiveLinkTexts`; unchanged in 13.5.0).
/// Lighthouse is Copyright Google LLC, Apache-2.0. Kept in Lighthouse's order.
const LIGHTHOUSE_LINK_TEXT: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "click here",
            "click this",
            "go",
            "here",
            "information",
            "learn more",
            "more",
            "more info",
            "more information",
            "right here",
            "read more",
            "see more",
            "start",
            "this",
        ],
    ),
    (
        "ja",
        &[
            "ここをクリック",
            "こちらをクリック",
            "リンク",
            "続きを読む",
            "続く",
            "全文表示",
        ],
    ),
    (
        "es",
        &[
            "click aquí",
            "click aqui",
            "clicka aquí",
            "clicka aqui",
            "pincha aquí",
            "pincha aqui",
            "aquí",
            "aqui",
            "más",
            "mas",
            "más información",
            "más informacion",
            "mas información",
            "mas informacion",
            "este",
            "enlace",
            "este enlace",
            "empezar",
        ],
    ),
    (
        "pt",
        &[
            "clique aqui",
            "ir",
            "mais informação",
            "mais informações",
            "mais",
            "veja mais",
        ],
    ),
    (
        "ko",
        &[
            "여기",
            "여기를 클릭",
            "클릭",
            "링크",
            "자세히",
            "자세히 보기",
            "계속",
            "이동",
            "전체 보기",
        ],
    ),
    (
        "sv",
        &[
            "här",
            "klicka här",
            "läs mer",
            "mer",
            "mer info",
            "mer information",
        ],
    ),
    (
        "de",
        &[
            "klicke hier",
            "hier klicken",
            "hier",
            "mehr",
            "siehe",
            "dies",
            "das",
            "weiterlesen",
        ],
    ),
    (
        "ta",
        &[
            "அடுத்த பக்கம்",
            "மறுபக்கம்",
            "முந்தைய பக்கம்",
            "முன்பக்கம்",
            "மேலும் அறிக",
            "மேலும் தகவலுக்கு",
            "மேலும் தரவுகளுக்கு",
            "தயவுசெய்து இங்கே அழுத்தவும்",
            "இங்கே கிளிக் செய்யவும்",
        ],
    ),
    (
        "fa",
        &[
            "اطلاعات بیشتر",
            "اطلاعات",
            "این",
            "اینجا بزنید",
            "اینجا کلیک کنید",
            "اینجا",
            "برو",
            "بیشتر بخوانید",
            "بیشتر بدانید",
            "بیشتر",
            "شروع",
        ],
    ),
];

/// Generic anchor phrases, normalised (lowercase, single spaces, no edge punctuation) and
/// sorted by code point, for binary search.
///
/// Every entry of [`LIGHTHOUSE_LINK_TEXT`] (source: Lighthouse 12.8.2,
/// `core/audits/seo/link-text.js`) is here; each line says where it comes from:
/// `lighthouse LANG` for Lighthouse's list, `ours LANG` for phrases Linkflow adds.
const GENERIC: &[&str] = &[
    "altro",                           // ours it
    "aqui",                            // lighthouse es, ours pt
    "aquí",                            // lighthouse es
    "check it out",                    // ours en
    "clicca qui",                      // ours it
    "click",                           // ours en
    "click aqui",                      // lighthouse es
    "click aquí",                      // lighthouse es
    "click for more",                  // ours en
    "click here",                      // lighthouse en
    "click here for more",             // ours en
    "click here for more information", // ours en
    "click here to learn more",        // ours en
    "click here to read more",         // ours en
    "click this",                      // lighthouse en
    "click to read more",              // ours en
    "clicka aqui",                     // lighthouse es
    "clicka aquí",                     // lighthouse es
    "clique",                          // ours pt
    "clique aqui",                     // lighthouse pt
    "cliquer ici",                     // ours fr
    "cliquez ici",                     // ours fr
    "continua",                        // ours it
    "continue",                        // ours en
    "continue reading",                // ours en
    "das",                             // lighthouse de
    "details",                         // ours en
    "dies",                            // lighthouse de
    "download",                        // ours en
    "download here",                   // ours en
    "download now",                    // ours en
    "empezar",                         // lighthouse es
    "en savoir plus",                  // ours fr
    "enlace",                          // lighthouse es
    "este",                            // lighthouse es
    "este enlace",                     // lighthouse es
    "find out more",                   // ours en
    "full article",                    // ours en
    "go",                              // lighthouse en
    "go here",                         // ours en
    "go to",                           // ours en
    "haga clic aquí",                  // ours es
    "haz clic aquí",                   // ours es
    "here",                            // lighthouse en
    "hier",                            // lighthouse de, ours nl
    "hier klicken",                    // lighthouse de
    "här",                             // lighthouse sv
    "ici",                             // ours fr
    "info",                            // ours en
    "information",                     // lighthouse en
    "ir",                              // lighthouse pt
    "keep reading",                    // ours en
    "klicka här",                      // lighthouse sv
    "klicke hier",                     // lighthouse de
    "klik hier",                       // ours nl
    "learn",                           // ours en
    "learn more",                      // lighthouse en
    "learn more here",                 // ours en
    "leer más",                        // ours es
    "lees meer",                       // ours nl
    "leggi di più",                    // ours it
    "leggi tutto",                     // ours it
    "leia mais",                       // ours pt
    "lien",                            // ours fr
    "link",                            // ours en, ours de
    "link here",                       // ours en
    "lire la suite",                   // ours fr
    "lire plus",                       // ours fr
    "läs mer",                         // lighthouse sv
    "mais",                            // lighthouse pt
    "mais informação",                 // lighthouse pt
    "mais informações",                // lighthouse pt
    "mas",                             // lighthouse es
    "mas informacion",                 // lighthouse es
    "mas información",                 // lighthouse es
    "meer",                            // ours nl
    "meer info",                       // ours nl
    "meer informatie",                 // ours nl
    "mehr",                            // lighthouse de
    "mehr erfahren",                   // ours de
    "mehr informationen",              // ours de
    "mehr infos",                      // ours de
    "mehr lesen",                      // ours de
    "mer",                             // lighthouse sv
    "mer info",                        // lighthouse sv
    "mer information",                 // lighthouse sv
    "more",                            // lighthouse en
    "more details",                    // ours en
    "more here",                       // ours en
    "more info",                       // lighthouse en
    "more info here",                  // ours en
    "more information",                // lighthouse en
    "más",                             // lighthouse es
    "más informacion",                 // lighthouse es
    "más información",                 // lighthouse es
    "next",                            // ours en
    "open",                            // ours en
    "page",                            // ours en
    "pincha aqui",                     // lighthouse es
    "pincha aquí",                     // lighthouse es
    "plus",                            // ours fr
    "plus d'informations",             // ours fr
    "plus d'infos",                    // ours fr
    "press here",                      // ours en
    "previous",                        // ours en
    "qui",                             // ours it
    "read",                            // ours en
    "read full article",               // ours en
    "read more",                       // lighthouse en
    "read more here",                  // ours en
    "read on",                         // ours en
    "read the full article",           // ours en
    "right here",                      // lighthouse en
    "saiba mais",                      // ours pt
    "scopri di più",                   // ours it
    "see",                             // ours en
    "see all",                         // ours en
    "see details",                     // ours en
    "see here",                        // ours en
    "see more",                        // lighthouse en
    "seguir leyendo",                  // ours es
    "show more",                       // ours en
    "siehe",                           // lighthouse de
    "start",                           // lighthouse en
    "suite",                           // ours fr
    "tap here",                        // ours en
    "this",                            // lighthouse en
    "this link",                       // ours en
    "this page",                       // ours en
    "url",                             // ours en
    "veja mais",                       // lighthouse pt
    "ver mais",                        // ours pt
    "ver más",                         // ours es
    "view",                            // ours en
    "view all",                        // ours en
    "view details",                    // ours en
    "view more",                       // ours en
    "visit",                           // ours en
    "voir plus",                       // ours fr
    "website",                         // ours en
    "weiter",                          // ours de
    "weiterlesen",                     // lighthouse de
    "далее",                           // ours ru
    "здесь",                           // ours ru
    "нажмите здесь",                   // ours ru
    "подробнее",                       // ours ru
    "ссылка",                          // ours ru
    "тут",                             // ours ru
    "читать далее",                    // ours ru
    "اطلاعات",                          // lighthouse fa
    "اطلاعات بیشتر",                    // lighthouse fa
    "این",                             // lighthouse fa
    "اینجا",                           // lighthouse fa
    "اینجا بزنید",                     // lighthouse fa
    "اینجا کلیک کنید",                 // lighthouse fa
    "برو",                             // lighthouse fa
    "بیشتر",                           // lighthouse fa
    "بیشتر بخوانید",                   // lighthouse fa
    "بیشتر بدانید",                    // lighthouse fa
    "شروع",                            // lighthouse fa
    "அடுத்த பக்கம்",                      // lighthouse ta
    "இங்கே கிளிக் செய்யவும்",              // lighthouse ta
    "தயவுசெய்து இங்கே அழுத்தவும்",         // lighthouse ta
    "மறுபக்கம்",                         // lighthouse ta
    "முந்தைய பக்கம்",                     // lighthouse ta
    "முன்பக்கம்",                         // lighthouse ta
    "மேலும் அறிக",                      // lighthouse ta
    "மேலும் தகவலுக்கு",                  // lighthouse ta
    "மேலும் தரவுகளுக்கு",                // lighthouse ta
    "ここ",                            // ours ja
    "ここをクリック",                  // lighthouse ja
    "こちら",                          // ours ja
    "こちらをクリック",                // lighthouse ja
    "もっと見る",                      // ours ja
    "リンク",                          // lighthouse ja
    "了解更多",                        // ours zh
    "全文表示",                        // lighthouse ja
    "更多",                            // ours zh
    "点击此处",                        // ours zh
    "点击这里",                        // ours zh
    "続きを読む",                      // lighthouse ja
    "続く",                            // lighthouse ja
    "詳しくはこちら",                  // ours ja
    "詳細",                            // ours ja
    "详情",                            // ours zh
    "阅读更多",                        // ours zh
    "계속",                            // lighthouse ko
    "링크",                            // lighthouse ko
    "여기",                            // lighthouse ko
    "여기를 클릭",                     // lighthouse ko
    "이동",                            // lighthouse ko
    "자세히",                          // lighthouse ko
    "자세히 보기",                     // lighthouse ko
    "전체 보기",                       // lighthouse ko
    "클릭",                            // lighthouse ko
];

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> AnchorParts<'_> {
        AnchorParts {
            text: Some(t),
            href: "https://example.com/target",
            ..AnchorParts::default()
        }
    }

    fn code(t: &str) -> AnchorCode {
        classify(&text(t))
    }

    // ------------------------------------------------------------ AnchorCode

    #[test]
    fn code_strings_and_u8_round_trip() {
        let names: Vec<&str> = AnchorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "descriptive",
                "generic",
                "empty",
                "image-no-alt",
                "naked-url",
                "overlong"
            ]
        );
        for (i, c) in AnchorCode::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(c.to_u8()), i);
            assert_eq!(AnchorCode::from_u8(c.to_u8()), Some(c));
            assert_eq!(c.to_string(), c.as_str());
            assert!(!c.message().is_empty() && c.message().ends_with('.'));
            assert_eq!(c.is_descriptive(), c == AnchorCode::Descriptive);
        }
        assert_eq!(AnchorCode::from_u8(6), None);
        assert_eq!(AnchorCode::from_u8(u8::MAX), None);
    }

    #[test]
    fn code_serde_is_kebab_case_as_str() {
        for c in AnchorCode::ALL {
            let json = serde_json::to_string(&c).expect("serialises");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            let back: AnchorCode = serde_json::from_str(&json).expect("deserialises");
            assert_eq!(back, c);
        }
    }

    #[test]
    fn overlong_message_states_the_thresholds() {
        let m = AnchorCode::Overlong.message();
        assert!(m.contains(&OVERLONG_CHARS.to_string()));
        assert!(m.contains(&OVERLONG_WORDS.to_string()));
    }

    // ------------------------------------------------------------ one test per code

    #[test]
    fn descriptive_anchor() {
        assert_eq!(code("Rye sourdough recipe"), AnchorCode::Descriptive);
        assert_eq!(code("Opening hours"), AnchorCode::Descriptive);
        assert_eq!(
            code("Read more about our rye sourdough"),
            AnchorCode::Descriptive
        );
    }

    #[test]
    fn generic_anchor() {
        assert_eq!(code("click here"), AnchorCode::Generic);
        assert_eq!(code("Read more"), AnchorCode::Generic);
        assert_eq!(code("continue reading"), AnchorCode::Generic);
    }

    #[test]
    fn empty_anchor() {
        assert_eq!(classify(&AnchorParts::default()), AnchorCode::Empty);
        assert_eq!(code(""), AnchorCode::Empty);
        assert_eq!(code(" \n\t "), AnchorCode::Empty);
        let blank_label = AnchorParts {
            aria_label: Some("  "),
            title: Some(""),
            ..AnchorParts::default()
        };
        assert_eq!(classify(&blank_label), AnchorCode::Empty);
    }

    #[test]
    fn image_no_alt_anchor() {
        let img = AnchorParts {
            has_image: true,
            href: "/menu",
            ..AnchorParts::default()
        };
        assert_eq!(classify(&img), AnchorCode::ImageNoAlt);
        // alt="" (decorative) on the only content still leaves the link nameless.
        let empty_alt = AnchorParts {
            alt: Some(""),
            ..img
        };
        assert_eq!(classify(&empty_alt), AnchorCode::ImageNoAlt);
        let with_alt = AnchorParts {
            alt: Some("Our seasonal menu"),
            ..img
        };
        assert_eq!(classify(&with_alt), AnchorCode::Descriptive);
        let with_title = AnchorParts {
            title: Some("Seasonal menu"),
            ..img
        };
        assert_eq!(classify(&with_title), AnchorCode::Descriptive);
        let with_label = AnchorParts {
            aria_label: Some("Seasonal menu"),
            ..img
        };
        assert_eq!(classify(&with_label), AnchorCode::Descriptive);
    }

    #[test]
    fn naked_url_anchor() {
        assert_eq!(code("https://example.com/target"), AnchorCode::NakedUrl);
        assert_eq!(code("http://other.example/"), AnchorCode::NakedUrl);
        assert_eq!(code("www.example.com"), AnchorCode::NakedUrl);
        assert_eq!(code("WWW.Example.com"), AnchorCode::NakedUrl);
        assert_eq!(code("example.com/target"), AnchorCode::NakedUrl);
        assert_eq!(code("EXAMPLE.COM/target/"), AnchorCode::NakedUrl);
        let relative = AnchorParts {
            text: Some("/menu.html"),
            href: "/menu.html",
            ..AnchorParts::default()
        };
        assert_eq!(classify(&relative), AnchorCode::NakedUrl);
        assert_eq!(code("example.com"), AnchorCode::Descriptive, "not the href");
    }

    #[test]
    fn overlong_anchor() {
        let at_limit = "a".repeat(OVERLONG_CHARS);
        assert_eq!(code(&at_limit), AnchorCode::Descriptive);
        assert_eq!(code(&format!("{at_limit}b")), AnchorCode::Overlong);
        // Characters, not bytes: 100 × 'é' is 200 bytes but not overlong.
        assert_eq!(code(&"é".repeat(OVERLONG_CHARS)), AnchorCode::Descriptive);
        assert_eq!(code(&"語".repeat(OVERLONG_CHARS + 1)), AnchorCode::Overlong);
        let words = vec!["bread"; OVERLONG_WORDS].join(" ");
        assert_eq!(code(&words), AnchorCode::Descriptive);
        assert_eq!(code(&format!("{words} rye")), AnchorCode::Overlong);
    }

    // ------------------------------------------------------------ priority order

    #[test]
    fn priority_empty_before_everything() {
        // No name and no image: Empty, whatever the href looks like.
        let p = AnchorParts {
            text: Some("\u{200B}"),
            href: "https://example.com/",
            ..AnchorParts::default()
        };
        assert_eq!(classify(&p), AnchorCode::Empty);
    }

    #[test]
    fn priority_image_no_alt_before_generic() {
        // An image link whose only name would be... nothing: ImageNoAlt, not Empty.
        let p = AnchorParts {
            text: Some("  "),
            has_image: true,
            href: "/x",
            ..AnchorParts::default()
        };
        assert_eq!(classify(&p), AnchorCode::ImageNoAlt);
    }

    #[test]
    fn priority_generic_before_naked_url() {
        // "here" is both generic and (here) the href itself.
        let p = AnchorParts {
            text: Some("here"),
            href: "here",
            ..AnchorParts::default()
        };
        assert_eq!(classify(&p), AnchorCode::Generic);
    }

    #[test]
    fn priority_naked_url_before_overlong() {
        let long = format!("https://example.com/{}", "segment/".repeat(20));
        assert!(long.chars().count() > OVERLONG_CHARS);
        assert_eq!(code(&long), AnchorCode::NakedUrl);
    }

    #[test]
    fn priority_generic_alt_on_image_link() {
        let p = AnchorParts {
            alt: Some("More"),
            has_image: true,
            href: "/x",
            ..AnchorParts::default()
        };
        assert_eq!(classify(&p), AnchorCode::Generic);
    }

    #[test]
    fn aria_label_overrides_text() {
        // Our name follows accname; Lighthouse reads only the visible text.
        let p = AnchorParts {
            text: Some("Read more"),
            aria_label: Some("Rye sourdough recipe"),
            href: "/blog/rye",
            ..AnchorParts::default()
        };
        assert_eq!(accessible_name(&p), "Rye sourdough recipe");
        assert_eq!(classify(&p), AnchorCode::Descriptive);
        assert!(lighthouse_fails(&p));
        let q = AnchorParts {
            text: Some("Rye sourdough recipe"),
            aria_label: Some("more"),
            ..p
        };
        assert_eq!(classify(&q), AnchorCode::Generic);
        assert!(!lighthouse_fails(&q));
    }

    // ------------------------------------------------------------ accessible name

    #[test]
    fn accessible_name_order_and_joining() {
        let p = AnchorParts {
            text: Some("Menu"),
            alt: Some("Croissant"),
            title: Some("t"),
            has_image: true,
            href: "/menu",
            ..AnchorParts::default()
        };
        assert_eq!(accessible_name(&p), "Croissant Menu");
        let only_title = AnchorParts {
            title: Some(" Seasonal\tmenu "),
            ..AnchorParts::default()
        };
        assert_eq!(accessible_name(&only_title), "Seasonal menu");
        let only_alt = AnchorParts {
            alt: Some("Logo"),
            ..AnchorParts::default()
        };
        assert_eq!(accessible_name(&only_alt), "Logo");
    }

    #[test]
    fn accessible_name_collapses_whitespace_and_controls() {
        let p = text("\u{A0} Our\u{3000}\r\n menu\u{0}\u{1B}[31m  \u{85}");
        assert_eq!(accessible_name(&p), "Our menu [31m");
    }

    #[test]
    fn accessible_name_drops_invisible_keeps_joiners() {
        let p = text("\u{200E}\u{202E}Our\u{200B} me\u{00AD}nu\u{2069}\u{FEFF}");
        assert_eq!(accessible_name(&p), "Our menu");
        // ZWNJ is part of Persian spelling; it stays in the name.
        let fa = text("می\u{200C}خواهم");
        assert_eq!(accessible_name(&fa), "می\u{200C}خواهم");
    }

    // ------------------------------------------------------------ generic matching

    #[test]
    fn generic_is_case_insensitive() {
        for t in [
            "CLICK HERE",
            "Click Here",
            "rEaD mOrE",
            "HIER",
            "MÁS",
            "LÄS MER",
        ] {
            assert_eq!(code(t), AnchorCode::Generic, "{t}");
        }
    }

    #[test]
    fn generic_ignores_whitespace() {
        for t in [
            "  read   more ",
            "read\nmore",
            "read\u{A0}more",
            "\tclick\u{2003}here\n",
        ] {
            assert_eq!(code(t), AnchorCode::Generic, "{t:?}");
        }
    }

    #[test]
    fn generic_strips_trailing_punctuation() {
        for t in [
            "Read more.",
            "Read more…",
            "Read more...",
            "Read more »",
            "Read more →",
            "Read more >",
            "Read more >>",
            "read more ›",
            "More!",
            "Weiterlesen …",
            "続きを読む。",
            "[Read more]",
            "Read more [...]",
            "» more",
            "(more)",
            "➡\u{FE0F} more",
        ] {
            assert_eq!(code(t), AnchorCode::Generic, "{t}");
        }
        assert_eq!(code("→"), AnchorCode::Generic, "punctuation only");
        assert_eq!(code("..."), AnchorCode::Generic, "punctuation only");
    }

    #[test]
    fn generic_ignores_zero_width_chars() {
        for t in [
            "read\u{200B} more",
            "\u{FEFF}here",
            "he\u{200D}re",
            "cli\u{00AD}ck here",
            "\u{202E}more\u{202C}",
            "\u{2066}hier\u{2069}",
        ] {
            assert_eq!(code(t), AnchorCode::Generic, "{t:?}");
        }
    }

    #[test]
    fn generic_typographic_apostrophe() {
        assert_eq!(code("Plus d’infos"), AnchorCode::Generic);
        assert_eq!(code("plus d'infos"), AnchorCode::Generic);
    }

    #[test]
    fn generic_lighthouse_languages() {
        for t in [
            "learn more",         // en
            "ここをクリック",     // ja
            "続きを読む",         // ja
            "pincha aquí",        // es
            "más información",    // es
            "clique aqui",        // pt
            "veja mais",          // pt
            "자세히 보기",        // ko
            "klicka här",         // sv
            "hier klicken",       // de
            "weiterlesen",        // de
            "மேலும் அறிக",         // ta
            "இங்கே கிளிக் செய்யவும்", // ta
            "اینجا کلیک کنید",    // fa
            "بیشتر بخوانید",      // fa
        ] {
            assert_eq!(code(t), AnchorCode::Generic, "{t}");
            assert!(lighthouse_fails(&text(t)), "{t}");
        }
    }

    #[test]
    fn generic_our_extras() {
        for t in [
            "click",
            "link",
            "details",
            "continue",
            "continue reading",
            "view",
            "view more",
            "go here",
            "this page",
            "more here",
            "download",
            "en savoir plus",
            "lees meer",
            "leggi di più",
            "подробнее",
            "了解更多",
        ] {
            assert_eq!(code(t), AnchorCode::Generic, "{t}");
            assert!(!lighthouse_fails(&text(t)), "{t} is ours, not Lighthouse's");
        }
    }

    #[test]
    fn generic_needs_the_whole_name() {
        assert_eq!(code("Read more about rye"), AnchorCode::Descriptive);
        assert_eq!(code("here we go"), AnchorCode::Descriptive);
        assert_eq!(code("moreover"), AnchorCode::Descriptive);
    }

    #[test]
    fn is_generic_helper() {
        assert!(is_generic("Read more »"));
        assert!(is_generic("»"));
        assert!(!is_generic(""));
        assert!(!is_generic("\u{200B}"));
        assert!(!is_generic("Rye bread"));
    }

    #[test]
    fn generic_list_is_sorted_unique_and_normalised() {
        assert!(
            GENERIC.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        for &g in GENERIC {
            assert_eq!(normalize(&clean(g)), g, "entry not in normalised form");
            assert!(is_generic(g));
        }
        assert_eq!(generic_phrases(), GENERIC);
    }

    #[test]
    fn lighthouse_blocklist_is_in_generic() {
        let mut n = 0;
        for (lang, list) in lighthouse_blocklist() {
            for &phrase in *list {
                assert!(GENERIC.contains(&phrase), "{lang}: {phrase}");
                n += 1;
            }
        }
        assert_eq!(n, 87, "Lighthouse 12.8.2 has 87 phrases");
        assert_eq!(lighthouse_blocklist().len(), 9);
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    // ------------------------------------------------------------ Lighthouse mirror

    #[test]
    fn lighthouse_fails_generic_text() {
        assert!(lighthouse_fails(&text("Click here")));
        assert!(lighthouse_fails(&text("  more\n")));
        assert!(lighthouse_fails(&text("\u{FEFF}here\u{3000}")), "JS trim");
        assert!(
            !lighthouse_fails(&text("\u{85}here")),
            "JS trim keeps U+0085"
        );
        assert!(
            !lighthouse_fails(&text("read  more")),
            "no inner collapsing"
        );
        assert!(
            !lighthouse_fails(&text("Read more »")),
            "no punctuation stripping"
        );
        assert!(!lighthouse_fails(&text("Rye bread")));
        assert!(!lighthouse_fails(&text("")));
    }

    #[test]
    fn lighthouse_reads_only_visible_text() {
        let alt_only = AnchorParts {
            alt: Some("more"),
            has_image: true,
            href: "/x",
            ..AnchorParts::default()
        };
        assert!(!lighthouse_fails(&alt_only));
        let title_only = AnchorParts {
            title: Some("here"),
            href: "/x",
            ..AnchorParts::default()
        };
        assert!(!lighthouse_fails(&title_only));
    }

    #[test]
    fn lighthouse_skips_empty_js_mailto_and_same_page() {
        let skip = |href| {
            !lighthouse_fails(&AnchorParts {
                text: Some("here"),
                href,
                ..AnchorParts::default()
            })
        };
        assert!(skip(""));
        assert!(skip("   "));
        assert!(skip("javascript:void(0)"));
        assert!(skip("JavaScript:go()"));
        assert!(skip(" java\tscript:go()"));
        assert!(skip("mailto:hello@example.com"));
        assert!(skip("MAILTO:x@example.com"));
        assert!(skip("#top"));
        assert!(skip("#"));
        assert!(!skip("tel:+331234"));
        assert!(!skip("/page#top"));
    }

    #[test]
    fn lighthouse_context_rel_page_and_lang() {
        let p = AnchorParts {
            text: Some("mehr"),
            href: "https://example.com/page#x",
            ..AnchorParts::default()
        };
        let ctx = LighthouseContext::default();
        assert!(lighthouse_fails_in(&p, &ctx));
        let nofollow = LighthouseContext {
            rel: Some("noopener nofollow"),
            ..ctx
        };
        assert!(!lighthouse_fails_in(&p, &nofollow));
        let upper = LighthouseContext {
            rel: Some("NOFOLLOW"),
            ..ctx
        };
        assert!(
            lighthouse_fails_in(&p, &upper),
            "case-sensitive, as Lighthouse"
        );
        let same = LighthouseContext {
            page_url: Some("https://example.com/page"),
            ..ctx
        };
        assert!(!lighthouse_fails_in(&p, &same));
        let other = LighthouseContext {
            page_url: Some("https://example.com/other"),
            ..ctx
        };
        assert!(lighthouse_fails_in(&p, &other));
        let relative = AnchorParts { href: "page?", ..p };
        assert!(lighthouse_fails_in(&relative, &other));
        let de = LighthouseContext {
            text_lang: Some("de-CH"),
            ..ctx
        };
        assert!(lighthouse_fails_in(&p, &de));
        let en = LighthouseContext {
            text_lang: Some("en"),
            ..ctx
        };
        assert!(
            !lighthouse_fails_in(&p, &en),
            "only the detected language's list"
        );
        let fr = LighthouseContext {
            text_lang: Some("fr"),
            ..ctx
        };
        assert!(!lighthouse_fails_in(&p, &fr), "no list, no failure");
        let upper_lang = LighthouseContext {
            text_lang: Some("DE"),
            ..ctx
        };
        assert!(!lighthouse_fails_in(&p, &upper_lang), "case-sensitive key");
    }

    #[test]
    fn lighthouse_failures_are_never_descriptive() {
        // Whatever Lighthouse fails on visible text alone, we flag too.
        for (_, list) in lighthouse_blocklist() {
            for &phrase in *list {
                for t in [
                    phrase.to_owned(),
                    phrase.to_uppercase(),
                    format!(" \u{A0}{phrase}\n"),
                ] {
                    let p = text(&t);
                    assert!(lighthouse_fails(&p), "{t:?}");
                    assert_eq!(classify(&p), AnchorCode::Generic, "{t:?}");
                }
            }
        }
    }

    // ------------------------------------------------------------ match words

    #[test]
    fn match_words_title_h1_and_slug() {
        let w = match_words(
            "Our rye sourdough",
            Some("Rye Sourdough | Crumb & Co."),
            None,
            "https://example.com/blog/rye-bread.html",
        );
        assert_eq!(w, ["rye", "sourdough"]);
        let w = match_words(
            "Opening hours and holidays",
            None,
            Some("When we are open"),
            "https://example.com/opening_hours/?ref=nav#today",
        );
        assert_eq!(w, ["hours", "opening"]);
    }

    #[test]
    fn match_words_drops_stop_words_and_short_words() {
        let w = match_words("The menu for you", Some("The menu for you"), None, "/menu");
        assert_eq!(w, ["menu"]);
        assert!(match_words("a to of", Some("a to of"), None, "").is_empty());
    }

    #[test]
    fn match_words_is_unicode_aware() {
        let w = match_words(
            "Crème brûlée recipe",
            Some("CRÈME BRÛLÉE"),
            None,
            "https://example.com/",
        );
        assert_eq!(w, ["brûlée", "crème"]);
        // Percent-encoded slug, combining accent kept inside the word.
        let w = match_words(
            "Café menu",
            None,
            None,
            "https://example.com/caf%C3%A9-menu.htm",
        );
        assert_eq!(w, ["café", "menu"]);
        let w = match_words("Cafe\u{301} menu", Some("cafe\u{301}"), None, "");
        assert_eq!(w, ["cafe\u{301}"]);
        // Tamil words keep their vowel signs.
        let w = match_words("மேலும் தகவல்", Some("தகவல் பக்கம்"), None, "");
        assert_eq!(w, ["தகவல்"]);
    }

    #[test]
    fn match_words_sorted_deduplicated() {
        let w = match_words("bread Bread BREAD rye bread", Some("rye bread"), None, "");
        assert_eq!(w, ["bread", "rye"]);
    }

    #[test]
    fn match_words_slug_edge_cases() {
        assert_eq!(slug("https://example.com/"), "");
        assert_eq!(slug("https://example.com"), "");
        assert_eq!(slug("https://example.com/a/b//"), "b");
        assert_eq!(slug("/blog/rye-bread.HTML"), "rye-bread");
        assert_eq!(slug("/x/.html"), ".html");
        assert_eq!(slug("/x/index.php?x=1"), "index");
        assert_eq!(slug("bad%zz%4"), "bad%zz%4");
        assert_eq!(slug("/%FF%FE"), "\u{FFFD}\u{FFFD}");
        assert_eq!(slug(""), "");
        assert!(match_words("", None, None, "").is_empty());
        assert!(match_words("anything", None, None, "").is_empty());
    }

    // ------------------------------------------------------------ hostile input

    fn all_apis(p: &AnchorParts) {
        let _ = accessible_name(p);
        let _ = classify(p);
        let _ = lighthouse_fails(p);
        let _ = lighthouse_fails_in(
            p,
            &LighthouseContext {
                page_url: Some(p.href),
                rel: p.text,
                text_lang: p.alt,
            },
        );
        let s = p.text.unwrap_or_default();
        let _ = is_generic(s);
        let _ = match_words(s, p.alt, p.title, p.href);
    }

    #[test]
    fn hostile_strings_do_not_panic() {
        let small = [
            "",
            "\u{0}",
            "%",
            "%e",
            "%%%",
            "://",
            "//",
            "http://",
            "https://[::1",
            "\u{202E}\u{2066}\u{200F}",
            "\u{FFFF}\u{10FFFF}\u{FFFD}",
            "\u{1F600}\u{200D}\u{1F600}",
            "İ", // lowercases to two chars
            "ǅ",
            "ß",
            "ΟΔΟΣ",
            "-",
            "#",
            "javascript:",
            "\u{301}\u{301}",
        ];
        for &a in &small {
            for &b in &small {
                for has_image in [false, true] {
                    all_apis(&AnchorParts {
                        text: Some(a),
                        alt: Some(b),
                        aria_label: None,
                        title: Some(a),
                        has_image,
                        href: b,
                    });
                }
            }
        }
        let huge = [
            "x".repeat(200_000),
            " \u{200B}\n".repeat(50_000),
            format!("e{}", "\u{301}".repeat(50_000)),
            "%".repeat(100_000),
            "/".repeat(100_000),
            "more ".repeat(50_000),
        ];
        for h in &huge {
            for &s in &small[..4] {
                all_apis(&AnchorParts {
                    text: Some(h),
                    alt: Some(s),
                    aria_label: Some(h),
                    title: Some(h),
                    has_image: true,
                    href: h,
                });
                all_apis(&AnchorParts {
                    text: Some(s),
                    alt: Some(h),
                    aria_label: None,
                    title: None,
                    has_image: false,
                    href: s,
                });
            }
        }
    }

    #[test]
    fn hostile_huge_names_classify() {
        assert_eq!(code(&"x".repeat(1_000_000)), AnchorCode::Overlong);
        assert_eq!(code(&" \u{200B}\n".repeat(100_000)), AnchorCode::Empty);
        let combining = format!("e{}", "\u{301}".repeat(200));
        assert_eq!(
            code(&combining),
            AnchorCode::Overlong,
            "chars, not graphemes"
        );
        assert_eq!(
            code(&format!("{}more", "\u{200B}".repeat(100_000))),
            AnchorCode::Generic
        );
    }
}

/// The fast paths of this module against the plain implementations they replace.
#[cfg(test)]
mod fast_path_tests {
    use super::*;

    /// The functions as they were before the fast paths (allocating, one URL parse per
    /// link in `lighthouse_fails_in`), kept as the reference.
    mod reference {
        use super::super::*;

        pub fn accessible_name(p: &AnchorParts) -> String {
            if let Some(label) = p.aria_label {
                let label = clean(label);
                if !label.is_empty() {
                    return label;
                }
            }
            let alt = p.alt.map(clean).unwrap_or_default();
            let text = p.text.map(clean).unwrap_or_default();
            let content = match (alt.is_empty(), text.is_empty()) {
                (true, true) => String::new(),
                (false, true) => alt,
                (true, false) => text,
                (false, false) => format!("{alt} {text}"),
            };
            if !content.is_empty() {
                return content;
            }
            p.title.map(clean).unwrap_or_default()
        }

        fn looks_like_url(name: &str, href: &str) -> bool {
            let key = name.to_lowercase();
            if key.starts_with("http://") || key.starts_with("https://") || key.starts_with("www.")
            {
                return true;
            }
            let href = href.trim().to_lowercase();
            let href = href.trim_end_matches('/');
            if href.is_empty() {
                return false;
            }
            let key = key.trim_end_matches('/');
            key == href || key == strip_scheme(href)
        }

        pub fn classify(p: &AnchorParts) -> AnchorCode {
            let name = accessible_name(p);
            if name.is_empty() {
                return if p.has_image {
                    AnchorCode::ImageNoAlt
                } else {
                    AnchorCode::Empty
                };
            }
            let key = normalize(&name);
            if key.is_empty() || is_generic_key(&key) {
                return AnchorCode::Generic;
            }
            if looks_like_url(&name, p.href) {
                return AnchorCode::NakedUrl;
            }
            if name.chars().nth(OVERLONG_CHARS).is_some()
                || name.split_whitespace().nth(OVERLONG_WORDS).is_some()
            {
                return AnchorCode::Overlong;
            }
            AnchorCode::Descriptive
        }

        pub fn is_generic(name: &str) -> bool {
            let cleaned = clean(name);
            if cleaned.is_empty() {
                return false;
            }
            let key = normalize(&cleaned);
            key.is_empty() || is_generic_key(&key)
        }

        pub fn lighthouse_fails_in(p: &AnchorParts, ctx: &LighthouseContext) -> bool {
            let href: String = p
                .href
                .trim_matches(|c: char| c <= ' ')
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            if href.is_empty() {
                return false;
            }
            if ctx.rel.is_some_and(|rel| rel.contains("nofollow")) {
                return false;
            }
            let lower = href.to_lowercase();
            if lower.starts_with("javascript:") || lower.starts_with("mailto:") {
                return false;
            }
            if href.starts_with('#') || ctx.page_url.is_some_and(|page| same_page(&href, page)) {
                return false;
            }
            let text = p
                .text
                .map(|t| js_trim(t).to_lowercase())
                .unwrap_or_default();
            if text.is_empty() {
                return false;
            }
            match ctx.text_lang {
                Some(lang) => {
                    let primary = lang.split('-').next().unwrap_or_default();
                    LIGHTHOUSE_LINK_TEXT
                        .iter()
                        .find(|(l, _)| *l == primary)
                        .is_some_and(|(_, list)| list.contains(&text.as_str()))
                }
                None => LIGHTHOUSE_LINK_TEXT
                    .iter()
                    .any(|(_, list)| list.contains(&text.as_str())),
            }
        }
    }

    use crate::synth::Rng;

    /// Pieces that hit every branch: listed phrases in several cases and scripts, URLs,
    /// whitespace and controls, invisible characters, joiners, edge junk, case mappings
    /// that change lengths or reach ASCII (Kelvin sign, dotted I).
    const PIECES: &[&str] = &[
        "read more",
        "Read More",
        "READ MORE",
        "click here",
        "here",
        "hier",
        "mehr",
        "aquí",
        "詳細",
        "weiterlesen",
        "learn more",
        "more",
        "»",
        "→",
        "...",
        "[",
        "]",
        "(",
        ")",
        "!",
        "?",
        ".",
        " ",
        "  ",
        "\t",
        "\n",
        "\u{0}",
        "\u{7f}",
        "\u{85}",
        "\u{a0}",
        "\u{200b}",
        "\u{200c}",
        "\u{200d}",
        "\u{feff}",
        "\u{fe0f}",
        "\u{2019}",
        "\u{2028}",
        "\u{3000}",
        "\u{212a}",
        "\u{130}",
        "K",
        "k",
        "http://",
        "https://",
        "HTTPS://",
        "www.",
        "WWW.",
        "example.com",
        "/",
        "//",
        "a",
        "B",
        "rye",
        "sourdough",
        "é",
        "É",
        "ß",
        "Σ",
        "word ",
        "https://example.com/a",
        "example.com/a",
        "EXAMPLE.COM/A/",
    ];

    fn random_text(rng: &mut Rng, max_pieces: usize) -> String {
        let mut s = String::new();
        for _ in 0..rng.below(max_pieces + 1) {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
        s
    }

    fn maybe(rng: &mut Rng, pieces: usize) -> Option<String> {
        let s = random_text(rng, pieces);
        (rng.below(4) != 0).then_some(s)
    }

    #[test]
    fn fast_paths_agree_with_reference() {
        let hrefs = [
            "",
            " ",
            "#",
            "#top",
            "https://example.com/a",
            "https://example.com/a/",
            "HTTPS://EXAMPLE.COM/A",
            "https://example.com/page",
            "https://example.com/page#x",
            "/a",
            "javascript:void(0)",
            "MAILTO:x@y",
            "\t https://example.com/a\n",
            "https://exämple.com/a",
            "example.com/a",
            "//example.com/a",
        ];
        let langs = [
            None,
            Some("en"),
            Some("de-DE"),
            Some("EN"),
            Some("zz"),
            Some("ja"),
        ];
        let rels = [None, Some("nofollow"), Some("NOFOLLOW"), Some("next")];
        let mut rng = Rng::new(0x0a11_c0de_5eed_2026);
        let mut long = String::new();
        for _ in 0..20 {
            long.push_str("word ");
        }
        for case in 0..60_000 {
            let text = if case % 97 == 0 {
                Some(long.repeat(1 + rng.below(3)))
            } else {
                maybe(&mut rng, 5)
            };
            let alt = maybe(&mut rng, 2);
            let aria = if rng.below(3) == 0 {
                maybe(&mut rng, 3)
            } else {
                None
            };
            let title = maybe(&mut rng, 2);
            let t = text.clone().unwrap_or_default();
            let href = match rng.below(6) {
                0 => t,
                1 => t.to_uppercase(),
                2 => format!("https://{}/", t.to_lowercase()),
                _ => hrefs[rng.below(hrefs.len())].to_string(),
            };
            let p = AnchorParts {
                text: text.as_deref(),
                alt: alt.as_deref(),
                aria_label: aria.as_deref(),
                title: title.as_deref(),
                has_image: rng.below(2) == 0,
                href: &href,
            };
            let ctx = LighthouseContext {
                page_url: [None, Some("https://example.com/page")][rng.below(2)],
                rel: rels[rng.below(rels.len())],
                text_lang: langs[rng.below(langs.len())],
            };
            let what = format!("case {case}: {p:?} {ctx:?}");
            let name = reference::accessible_name(&p);
            assert_eq!(accessible_name(&p), name, "{what}");
            assert_eq!(classify(&p), reference::classify(&p), "{what}");
            let lh = reference::lighthouse_fails_in(&p, &ctx);
            assert_eq!(lighthouse_fails_in(&p, &ctx), lh, "{what}");
            let a = assess(&p, &ctx);
            assert_eq!(a.name, name, "{what}");
            assert_eq!(a.code, reference::classify(&p), "{what}");
            assert_eq!(a.lighthouse_fails, lh, "{what}");
            if let Some(t) = p.text {
                assert_eq!(is_generic(t), reference::is_generic(t), "{what}");
            }
        }
    }

    #[test]
    fn every_listed_phrase_is_found_by_the_fast_paths() {
        for &g in GENERIC {
            assert!(is_generic(g), "{g}");
            assert!(is_generic(&g.to_uppercase()) == reference::is_generic(&g.to_uppercase()));
        }
        for (lang, list) in LIGHTHOUSE_LINK_TEXT {
            for &t in *list {
                let p = AnchorParts {
                    text: Some(t),
                    href: "https://example.com/x",
                    ..Default::default()
                };
                let ctx = LighthouseContext {
                    text_lang: Some(lang),
                    ..Default::default()
                };
                assert!(lighthouse_fails_in(&p, &ctx), "{lang}: {t}");
                assert_eq!(
                    lighthouse_fails_in(&p, &LighthouseContext::default()),
                    reference::lighthouse_fails_in(&p, &LighthouseContext::default())
                );
            }
        }
    }
}
