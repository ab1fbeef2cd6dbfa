//! Hostile input: tens of thousands of random and adversarial observations, URLs, import
//! documents and snapshot bytes. Nothing may panic; every refusal is a typed
//! `linkflow::Error` with a non-empty, bounded message; a refused import changes nothing.
//!
//! Everything is drawn from a seeded xorshift, so a failure names the seed and case that
//! reproduce it.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::{link, obs, XorShift};
use linkflow::observe::{MAX_TEXT_LEN, MAX_URL_LEN};
use linkflow::{Error, Model, ObservationRef, RawLink, RawObservation, Region, Settings, Site};

const ROOT: &str = "https://h.test/";
const SEED: u64 = 0x11AF_10E5_2026;

/// Counts inputs and collects failures (a panic or a malformed error) without stopping, so
/// one run reports every distinct problem.
struct Harness {
    inputs: usize,
    failures: Vec<String>,
}

impl Harness {
    fn new() -> Self {
        Harness {
            inputs: 0,
            failures: Vec::new(),
        }
    }

    /// Runs one input; `what` describes it for the failure list.
    fn run<T>(&mut self, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        self.inputs += 1;
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(v) => Some(v),
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_default();
                self.fail(format!("PANIC on {what}: {msg}"));
                None
            }
        }
    }

    fn fail(&mut self, msg: String) {
        if self.failures.len() < 200 {
            self.failures.push(msg);
        }
    }

    /// A refusal must be a typed error with a message a user can read (and not a megabyte
    /// of echoed input).
    fn check_err(&mut self, what: &str, e: &Error) {
        let msg = e.to_string();
        if msg.trim().is_empty() {
            self.fail(format!("{what}: empty error message ({e:?})"));
        }
        if msg.len() > 2000 {
            self.fail(format!(
                "{what}: error message of {} bytes: {}…",
                msg.len(),
                msg.chars().take(120).collect::<String>()
            ));
        }
    }

    fn finish(self, min_inputs: usize) {
        eprintln!("{} inputs, {} problem(s)", self.inputs, self.failures.len());
        assert!(
            self.failures.is_empty(),
            "{} problem(s) (seed {SEED:#x}):\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            self.inputs >= min_inputs,
            "only {} inputs, wanted {min_inputs}",
            self.inputs
        );
    }
}

fn site() -> Site {
    Site::new(ROOT, Settings::default()).expect("site")
}

/// Describes an input briefly for a failure message.
fn brief(s: &str) -> String {
    let head: String = s.chars().take(80).collect();
    format!("{head:?} ({} bytes)", s.len())
}

// ---------------------------------------------------------------------------------------
// Adversarial material.

const NASTY_TEXT: &[&str] = &[
    "",
    " ",
    "\0",
    "a\0b",
    "\u{1}\u{2}\u{7f}\u{9b}",
    "\t\r\n\u{b}\u{c}",
    "\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}\u{ad}",
    "\u{202e}gnp.exe\u{202c}",
    "\u{2067}שלום\u{2069} עולם",
    "مرحبا بالعالم",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(document.cookie)>",
    "\"><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "Read more »",
    "click here",
    "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
    "😀👍🏽👨‍👩‍👧‍👦",
    "\u{fffd}\u{fffe}",
    "%00%0a%0d",
    "{{constructor.constructor('x')()}}",
    "${jndi:ldap://x}",
    "' OR 1=1 --",
    "\\u0000",
];

const NASTY_URLS: &[&str] = &[
    "",
    " ",
    "/",
    "#",
    "?",
    "//",
    "///",
    "https://",
    "https:",
    "https:h.test",
    "https://h.test",
    "https://h.test/",
    "https://h.test/a/../../../../b",
    "https://h.test/%",
    "https://h.test/%zz%",
    "https://h.test/%00",
    "https://h.test/\0",
    "https://h.test/a\nb",
    "https://h.test/a\tb",
    "https://h.test/ a ",
    "https://h.test/\u{202e}x",
    "https://h.test/\u{200b}",
    "https://h.test/?utm_source=x&&&=&",
    "https://h.test/#\0",
    "https://user:pass@h.test/",
    "https://h.test:0/",
    "https://h.test:65535/",
    "https://h.test:65536/",
    "https://h.test:-1/",
    "https://h.test:443/",
    "http://h.test:80/x",
    "HTTPS://H.TEST/X",
    "https://www.h.test/",
    "https://www.www.h.test/",
    "https://sub.h.test/",
    "https://h.test./",
    "https://h.test../",
    "https://h..test/",
    "https://xn--/",
    "https://xn--h-test/",
    "https://ｈ.ｔｅｓｔ/",
    "https://bücher.example/",
    "https://例え.テスト/",
    "https://[::1]/",
    "https://[::1]:8080/x",
    "http://[fe80::1%25eth0]/",
    "https://[::1/",
    "https://[zz::]/",
    "https://127.0.0.1/",
    "https://0x7f.1/",
    "https://4294967296/",
    "https://999.999.999.999/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,AAAA",
    "blob:https://h.test/uuid",
    "mailto:a@h.test",
    "tel:+1",
    "ftp://h.test/",
    "file:///etc/passwd",
    "about:blank",
    "chrome://settings",
    "view-source:https://h.test/",
    "ws://h.test/",
    "\\\\h.test\\share",
    "https:\\\\h.test\\a",
    "../../etc/passwd",
    "?page=2",
    "#top",
    "%",
    "\u{feff}https://h.test/bom",
];

fn random_char(rng: &mut XorShift) -> char {
    match rng.below(8) {
        0 => char::from(rng.below(32) as u8),
        1 => *rng.pick(&[
            '%', '/', '.', '#', '?', '&', '=', '[', ']', ':', '@', '\\', ' ',
        ]),
        2 => *rng.pick(&[
            '\u{200b}', '\u{202e}', '\u{feff}', '\u{301}', 'é', 'ß', '日', '😀',
        ]),
        3 => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
        4 => char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'),
        _ => char::from(b'a' + rng.below(26) as u8),
    }
}

fn random_string(rng: &mut XorShift, max: usize) -> String {
    let n = rng.below(max + 1);
    (0..n).map(|_| random_char(rng)).collect()
}

/// A URL-ish string: a nasty one, one of ours mangled, or random characters.
fn random_url(rng: &mut XorShift) -> String {
    match rng.below(6) {
        0 => (*rng.pick(NASTY_URLS)).to_string(),
        1 => format!("{ROOT}{}", random_string(rng, 40)),
        2 => {
            let mut s = (*rng.pick(NASTY_URLS)).to_string();
            let at = rng.below(s.len() + 1);
            if s.is_char_boundary(at) {
                s.insert_str(at, &random_string(rng, 6));
            }
            s
        }
        3 => format!(
            "{}://{}/{}",
            rng.pick(&["https", "http", "HTTP", "javascript", "data", "x-y", ""]),
            rng.pick(&[
                "h.test",
                "www.h.test",
                "[::1]",
                "bücher.de",
                "h.test:99999",
                ""
            ]),
            random_string(rng, 20)
        ),
        4 => format!("/{}", random_string(rng, 30)),
        _ => random_string(rng, 60),
    }
}

/// `Some(f(rng))` two times in three.
fn maybe<T>(rng: &mut XorShift, f: impl FnOnce(&mut XorShift) -> T) -> Option<T> {
    if rng.chance(1, 3) {
        None
    } else {
        Some(f(rng))
    }
}

fn random_size(rng: &mut XorShift) -> Option<f32> {
    match rng.below(6) {
        0 => None,
        1 => Some(f32::NAN),
        2 => Some(f32::INFINITY),
        3 => Some(f32::NEG_INFINITY),
        4 => Some(-1e30),
        _ => Some(rng.below(2000) as f32 - 100.0),
    }
}

fn random_link(rng: &mut XorShift) -> RawLink {
    let nasty = |rng: &mut XorShift| (*rng.pick(NASTY_TEXT)).to_string();
    RawLink {
        href: random_url(rng),
        raw: maybe(rng, random_url),
        text: maybe(rng, |rng| {
            if rng.chance(1, 2) {
                random_string(rng, 30)
            } else {
                nasty(rng)
            }
        }),
        alt: maybe(rng, nasty),
        aria_label: maybe(rng, |rng| random_string(rng, 10)),
        title: maybe(rng, nasty),
        rel: maybe(rng, |rng| {
            (*rng.pick(&[
                "nofollow",
                "NOFOLLOW ugc",
                "sponsored\0",
                "",
                "\u{a0}nofollow",
            ]))
            .to_string()
        }),
        region: maybe(rng, |rng| *rng.pick(&Region::ALL)),
        visible: maybe(rng, |rng| rng.chance(1, 2)),
        in_viewport: Some(rng.chance(1, 2)),
        order: match rng.below(4) {
            0 => None,
            1 => Some(u32::MAX),
            _ => Some(rng.below(100) as u32),
        },
        width: random_size(rng),
        height: random_size(rng),
        area: Some(rng.chance(1, 10)),
        has_image: Some(rng.chance(1, 4)),
    }
}

fn random_observation(rng: &mut XorShift) -> RawObservation {
    let url = if rng.chance(3, 4) {
        format!("{ROOT}{}", random_string(rng, 12))
    } else {
        random_url(rng)
    };
    let n = rng.below(12);
    RawObservation {
        url,
        requested_url: rng.chance(1, 5).then(|| random_url(rng)),
        title: rng
            .chance(1, 2)
            .then(|| (*rng.pick(NASTY_TEXT)).to_string()),
        h1: rng.chance(1, 3).then(|| random_string(rng, 20)),
        canonical: rng.chance(1, 5).then(|| random_url(rng)),
        meta_robots: rng
            .chance(1, 5)
            .then(|| (*rng.pick(&["noindex", "NONE", "nofollow,noindex", "\0"])).to_string()),
        lang: rng.chance(1, 5).then(|| random_string(rng, 5)),
        meta_refresh: rng.chance(1, 8).then(|| random_url(rng)),
        links: (0..n).map(|_| random_link(rng)).collect(),
        truncated_links: rng.chance(1, 8).then(|| rng.next_u64() as u32),
        observed_at: match rng.below(6) {
            0 => Some(f64::NAN),
            1 => Some(f64::INFINITY),
            2 => Some(-1.0),
            3 => None,
            _ => Some(1.7e12 + rng.below(1000) as f64),
        },
    }
}

/// Ingests (a `RawObservation` or an `ObservationRef`), checking that a refusal is a
/// well-formed error.
fn ingest<'a>(h: &mut Harness, site: &mut Site, o: impl Into<ObservationRef<'a>>, what: &str) {
    if let Some(Err(e)) = h.run(what, || site.ingest(o)) {
        h.check_err(what, &e);
    }
}

/// Page URLs of a site.
fn urls(site: &Site) -> std::collections::BTreeSet<String> {
    let g = site.graph();
    g.page_ids()
        .filter_map(|id| g.page(id))
        .map(|p| p.url.to_string())
        .collect()
}

/// Discovered pages that nothing links to or refers to any more (an import drops them, and
/// ingest must not leave them behind either).
fn stale_pages(site: &Site) -> std::collections::BTreeSet<String> {
    let g = site.graph();
    let referenced: std::collections::HashSet<_> = g
        .page_ids()
        .filter_map(|id| g.page(id))
        .flat_map(|p| [p.redirect_to, p.canonical])
        .flatten()
        .collect();
    g.page_ids()
        .filter(|&id| {
            g.page(id)
                .is_some_and(|p| !p.visited && p.redirect_to.is_none() && p.canonical.is_none())
                && g.inlinks(id).next().is_none()
                && !referenced.contains(&id)
        })
        .filter_map(|id| g.page(id))
        .map(|p| p.url.to_string())
        .collect()
}

/// Describes how two sites' page sets differ (`b` the result of re-importing `a`).
fn page_set_difference(a: &Site, b: &Site) -> Option<String> {
    let ua = urls(a);
    let ub: std::collections::BTreeSet<String> = urls(b).into_iter().collect();
    if ua == ub {
        return None;
    }
    let only_a: Vec<_> = ua.difference(&ub).take(3).collect();
    let only_b: Vec<_> = ub.difference(&ua).take(3).collect();
    Some(format!(
        "{} vs {} pages; only before: {only_a:?}; only after: {only_b:?}",
        ua.len(),
        ub.len()
    ))
}

/// Runs every analysis on the site (they must not panic whatever was ingested), and checks
/// that its own export and snapshot load again with the same pages.
fn analyse(h: &mut Harness, site: &Site, what: &str) {
    let Some(export) = h.run(what, || {
        for m in [Model::Classic, Model::Prominence] {
            let a = site.authority(m);
            let sum: f64 = a.share.iter().sum();
            assert!(
                a.share.is_empty() || (sum - 1.0).abs() < 1e-9,
                "{m:?} shares sum to {sum}"
            );
        }
        let _ = site.structure();
        let _ = site.site_report();
        site.export_json()
    }) else {
        return;
    };
    if serde_json::from_str::<serde_json::Value>(&export).is_err() {
        h.fail(format!("{what}: the export is not JSON"));
    }
    // Every page's URL is a fixed point of normalisation (else an import re-keys it).
    let moved: Vec<String> = urls(site)
        .into_iter()
        .filter_map(|u| match site.normalize(&u) {
            Ok(n) if n == u => None,
            other => Some(format!("{u} → {other:?}")),
        })
        .take(3)
        .collect();
    if !moved.is_empty() {
        h.fail(format!(
            "{what}: page URLs that normalise elsewhere: {moved:?}"
        ));
    }
    let longest = urls(site).iter().map(String::len).max().unwrap_or(0);
    if longest > MAX_URL_LEN {
        h.fail(format!("{what}: a page URL of {longest} bytes"));
    }
    let stale = stale_pages(site);
    if !stale.is_empty() {
        h.fail(format!("{what}: stale discovered pages: {stale:?}"));
    }
    match h.run(what, || Site::from_export_json(&export)) {
        Some(Ok(back)) => {
            if let Some(d) = page_set_difference(site, &back) {
                h.fail(format!("{what}: export → import changed the pages: {d}"));
            }
        }
        Some(Err(e)) => h.fail(format!("{what}: the site's own export is refused: {e}")),
        None => {}
    }
    match h.run(what, || Site::restore(&site.snapshot())) {
        Some(Ok(back)) => {
            if let Some(d) = page_set_difference(site, &back) {
                h.fail(format!("{what}: snapshot → restore changed the pages: {d}"));
            }
        }
        Some(Err(e)) => h.fail(format!("{what}: the site's own snapshot is refused: {e}")),
        None => {}
    }
}

// ---------------------------------------------------------------------------------------
// Tests.

/// Random observations as structs, ingested one after another into one site.
#[test]
fn random_observations_never_panic() {
    let mut h = Harness::new();
    let mut rng = XorShift::new(SEED);
    let mut s = site();
    for case in 0..4000 {
        let o = random_observation(&mut rng);
        let what = format!("observation case {case} url {}", brief(&o.url));
        ingest(&mut h, &mut s, o, &what);
        let url = random_url(&mut rng);
        let what = format!("page_report case {case} of {}", brief(&url));
        if let Some(Err(e)) = h.run(&what, || s.page_report(&url)) {
            h.check_err(&what, &e);
        }
        // A fresh site every 500 observations keeps the analyses cheap.
        if case % 500 == 499 {
            analyse(&mut h, &s, &format!("analyses after case {case}"));
            s = site();
        }
    }
    analyse(&mut h, &s, "analyses at the end");
    h.finish(8000);
}

/// Huge and extreme observations.
#[test]
fn extreme_observations_never_panic() {
    let mut h = Harness::new();
    let mut s = site();
    let mb = "x".repeat(1 << 20);
    let mb_multibyte = "é".repeat(1 << 19);
    let long_url = format!("{ROOT}{}", "a".repeat(10_000));
    let cases: Vec<(&str, RawObservation)> = vec![
        ("1 MB title", {
            let mut o = obs(ROOT, vec![]);
            o.title = Some(mb.clone());
            o.h1 = Some(mb_multibyte.clone());
            o.lang = Some(mb.clone());
            o.meta_robots = Some(mb.clone());
            o
        }),
        ("1 MB anchor text, alt, aria-label, title, rel", {
            let mut l = link(&format!("{ROOT}big"), &mb);
            l.alt = Some(mb_multibyte.clone());
            l.aria_label = Some(mb.clone());
            l.title = Some(mb.clone());
            l.rel = Some(mb.clone());
            l.raw = Some(mb.clone());
            obs(ROOT, vec![l])
        }),
        (
            "1 MB href",
            obs(ROOT, vec![link(&format!("{ROOT}{mb}"), "x")]),
        ),
        ("1 MB page URL", obs(&format!("{ROOT}{mb}"), vec![])),
        ("10k-char page URL", obs(&long_url, vec![])),
        ("10k-char href", obs(ROOT, vec![link(&long_url, "long")])),
        ("1 MB canonical/refresh/requested", {
            let mut o = obs(&format!("{ROOT}c"), vec![]);
            o.canonical = Some(format!("{ROOT}{mb}"));
            o.meta_refresh = Some(format!("{ROOT}{mb}"));
            o.requested_url = Some(format!("{ROOT}{mb}"));
            o
        }),
        (
            "50k distinct links",
            obs(
                &format!("{ROOT}hub"),
                (0..50_000)
                    .map(|i| link(&format!("{ROOT}leaf/{i}"), &format!("Leaf {i}")))
                    .collect(),
            ),
        ),
        (
            "50k links to one page",
            obs(
                &format!("{ROOT}same"),
                (0..50_000).map(|_| link(ROOT, "Home")).collect(),
            ),
        ),
        ("NaN and infinite sizes", {
            let mut l = link(&format!("{ROOT}n"), "n");
            l.width = Some(f32::NAN);
            l.height = Some(f32::INFINITY);
            let mut o = obs(&format!("{ROOT}nan"), vec![l]);
            o.observed_at = Some(f64::NAN);
            o.truncated_links = Some(u32::MAX);
            o
        }),
        ("empty url", obs("", vec![link(ROOT, "x")])),
        ("javascript: page", obs("javascript:alert(1)", vec![])),
        ("data: page", obs("data:text/html,<h1>x</h1>", vec![])),
        ("IPv6 page", obs("https://[::1]/", vec![])),
        ("IDN page", obs("https://bücher.example/", vec![])),
        (
            "other site",
            obs("https://evil.test/", vec![link(ROOT, "x")]),
        ),
        ("self redirect", {
            let mut o = obs(&format!("{ROOT}loop"), vec![]);
            o.requested_url = Some(format!("{ROOT}loop#x"));
            o.meta_refresh = Some(format!("{ROOT}loop"));
            o.canonical = Some(format!("{ROOT}loop"));
            o
        }),
        ("redirect cycle a", {
            let mut o = obs(&format!("{ROOT}ra"), vec![link(&format!("{ROOT}rb"), "b")]);
            o.meta_refresh = Some(format!("{ROOT}rb"));
            o.canonical = Some(format!("{ROOT}rb"));
            o
        }),
        ("redirect cycle b", {
            let mut o = obs(&format!("{ROOT}rb"), vec![link(&format!("{ROOT}ra"), "a")]);
            o.meta_refresh = Some(format!("{ROOT}ra"));
            o.canonical = Some(format!("{ROOT}ra"));
            o.requested_url = Some(format!("{ROOT}ra"));
            o
        }),
        ("the root redirects away", {
            let mut o = obs(&format!("{ROOT}home"), vec![]);
            o.requested_url = Some(ROOT.to_string());
            o
        }),
    ];
    for (what, o) in cases {
        let t = std::time::Instant::now();
        ingest(&mut h, &mut s, o, what);
        eprintln!("{what}: ingested in {:?}", t.elapsed());
    }
    let t = std::time::Instant::now();
    analyse(&mut h, &s, "analyses at the end");
    eprintln!("analyses in {:?}", t.elapsed());
    // Clamping happened: no text kept from the hostile observations is huge.
    let export: serde_json::Value = serde_json::from_str(&s.export_json()).expect("JSON");
    for n in export["nodes"].as_array().expect("nodes") {
        for k in ["title", "h1", "lang"] {
            let len = n[k].as_str().map_or(0, str::len);
            assert!(len <= MAX_TEXT_LEN, "{k} of {} bytes", len);
        }
        let id = n["id"].as_str().map_or(0, str::len);
        assert!(id <= MAX_URL_LEN, "a page URL of {id} bytes");
        let canonical = n["canonical"].as_str().map_or(0, str::len);
        assert!(canonical <= MAX_URL_LEN, "a canonical of {canonical} bytes");
    }
    for l in export["links"].as_array().expect("links") {
        for o in l["occurrences"].as_array().expect("occurrences") {
            let len = o["anchor"].as_str().map_or(0, str::len);
            // alt + " " + text, each clamped (see the pinned round-trip bug in properties.rs)
            assert!(len <= 2 * MAX_TEXT_LEN + 1, "an anchor of {len} bytes");
        }
    }
    h.finish(20);
}

/// Observations as JSON text: valid ones mutated, wrong types, deep nesting, junk.
#[test]
fn observation_json_never_panics() {
    let mut h = Harness::new();
    let mut rng = XorShift::new(SEED ^ 0x5EED);
    let mut s = site();
    let valid = r#"{"url":"https://h.test/a","requestedUrl":"https://h.test/old","title":"T","canonical":"https://h.test/a","metaRobots":"noindex","links":[{"href":"https://h.test/b","text":"B","region":"main","visible":true,"order":0,"width":10.5,"height":3},{"href":"mailto:x@y","rel":"nofollow"}],"truncatedLinks":2,"observedAt":1700000000000}"#;
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!(
        "{{\"url\":\"{ROOT}\",\"links\":[{}]}}",
        "{\"href\":".repeat(5_000) + "1" + &"}".repeat(5_000)
    );
    let fixed: Vec<String> = vec![
        String::new(),
        "null".into(),
        "0".into(),
        "[]".into(),
        "{}".into(),
        "\"https://h.test/\"".into(),
        r#"{"url":null}"#.into(),
        r#"{"url":5}"#.into(),
        r#"{"url":["https://h.test/"]}"#.into(),
        r#"{"url":"https://h.test/","links":null}"#.into(),
        r#"{"url":"https://h.test/","links":"many"}"#.into(),
        r#"{"url":"https://h.test/","links":[5,"x",null]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":null}]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","order":-1}]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","order":1e99}]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","order":4294967296}]}"#
            .into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","width":1e999}]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","width":NaN}]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","visible":"yes"}]}"#.into(),
        r#"{"url":"https://h.test/","links":[{"href":"https://h.test/x","region":5}]}"#.into(),
        r#"{"url":"https://h.test/","observedAt":"now"}"#.into(),
        r#"{"url":"https://h.test/","truncatedLinks":-5}"#.into(),
        r#"{"url":"https://h.test/\u0000"}"#.into(),
        r#"{"url":"https://h.test/\ud800"}"#.into(),
        r#"{"url":"https://h.test/","url":"https://evil.test/"}"#.into(),
        deep_array,
        deep_object,
        format!(
            "{{\"url\":\"{ROOT}\",\"title\":\"{}\"}}",
            "\\u0000".repeat(200_000)
        ),
    ];
    for (i, text) in fixed.iter().enumerate() {
        let what = format!("fixed JSON {i}: {}", brief(text));
        match h.run(&what, || RawObservation::from_json(text)) {
            Some(Ok(o)) => ingest(&mut h, &mut s, o, &what),
            Some(Err(e)) => {
                if !matches!(e, Error::InvalidObservation(_)) {
                    h.fail(format!("{what}: not InvalidObservation: {e:?}"));
                }
                h.check_err(&what, &e);
            }
            None => {}
        }
    }
    for case in 0..4000 {
        let mut bytes = valid.as_bytes().to_vec();
        match rng.below(4) {
            0 => bytes.truncate(rng.below(bytes.len())),
            1 => {
                for _ in 0..=rng.below(4) {
                    let i = rng.below(bytes.len());
                    bytes[i] = *rng.pick(b"{}[]\":,0-9en.\\ ");
                }
            }
            2 => {
                let i = rng.below(bytes.len());
                let junk = random_string(&mut rng, 8);
                bytes.splice(i..i, junk.bytes());
            }
            _ => {
                let i = rng.below(bytes.len());
                let j = (i + rng.below(30)).min(bytes.len());
                bytes.drain(i..j);
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let what = format!("mutated JSON case {case}: {}", brief(&text));
        match h.run(&what, || RawObservation::from_json(&text)) {
            Some(Ok(o)) => ingest(&mut h, &mut s, o, &what),
            Some(Err(e)) => h.check_err(&what, &e),
            None => {}
        }
    }
    analyse(&mut h, &s, "analyses at the end");
    h.finish(4000);
}

/// The worker's JSON path (`ObservationRef::from_js_json_bytes`, what `ingestJson` parses
/// and ingests, its strings borrowed from the text): truncated, mutated, non-UTF-8 and
/// surrogate-laden text never panics, refusals are `InvalidObservation`, and text without
/// escaped lone surrogates parses exactly as `RawObservation::from_json` does.
#[test]
fn js_json_observations_never_panic() {
    let mut h = Harness::new();
    let mut rng = XorShift::new(SEED ^ 0x15_0B1E);
    let mut s = site();
    let valid = r#"{"url":"https://h.test/a","title":"T \ud83d\ude00","links":[{"href":"https://h.test/b","text":"B \ud83d","region":"main","visible":true,"order":0},{"href":"https://h.test/c#x","text":"\udc00C\\ud800"},{"href":"mailto:x@y","rel":"nofollow"}],"observedAt":1700000000000}"#;
    for case in 0..4000 {
        let mut bytes = valid.as_bytes().to_vec();
        match rng.below(5) {
            0 => bytes.truncate(rng.below(bytes.len())),
            1 => {
                for _ in 0..=rng.below(4) {
                    let i = rng.below(bytes.len());
                    bytes[i] = *rng.pick(b"{}[]\":,0-9abcdefu\\ \xff");
                }
            }
            2 => {
                let i = rng.below(bytes.len());
                let junk = rng.pick(&[
                    "\\ud800",
                    "\\udfff",
                    "\\",
                    "\\u",
                    "\\ud83d\\u",
                    "\"",
                    "\u{e9}",
                ]);
                bytes.splice(i..i, junk.bytes());
            }
            3 => {
                let i = rng.below(bytes.len());
                let j = (i + rng.below(30)).min(bytes.len());
                bytes.drain(i..j);
            }
            _ => {}
        }
        let what = format!(
            "js JSON case {case}: {}",
            brief(&String::from_utf8_lossy(&bytes))
        );
        match h.run(&what, || ObservationRef::from_js_json_bytes(&bytes)) {
            Some(Ok(o)) => {
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    let lone = text.contains("\\ud") || text.contains("\\uD");
                    if !lone {
                        match RawObservation::from_json(text) {
                            Ok(plain) if plain == o.clone().into_owned() => {}
                            other => h.fail(format!("{what}: from_json gave {other:?}")),
                        }
                    }
                }
                ingest(&mut h, &mut s, o, &what);
            }
            Some(Err(e)) => {
                if !matches!(e, Error::InvalidObservation(_)) {
                    h.fail(format!("{what}: not InvalidObservation: {e:?}"));
                }
                h.check_err(&what, &e);
            }
            None => {}
        }
    }
    analyse(&mut h, &s, "analyses at the end");
    h.finish(4000);
}

/// Random and adversarial URLs through `normalize`, `in_scope` and `page_report`.
#[test]
fn urls_never_panic() {
    let mut h = Harness::new();
    let mut rng = XorShift::new(SEED ^ 0xA11);
    let sites: Vec<Site> = [
        ROOT,
        "http://h.test:8080/",
        "https://[::1]/",
        "https://bücher.example/",
        "https://www.h.test/",
    ]
    .iter()
    .map(|r| Site::new(r, Settings::default()).expect("site"))
    .collect();
    let mut inputs: Vec<String> = NASTY_URLS.iter().map(|s| (*s).to_string()).collect();
    inputs.push(format!("{ROOT}{}", "a/".repeat(5_000)));
    inputs.push(format!("{ROOT}{}", "../".repeat(5_000)));
    inputs.push(format!("{ROOT}?{}", "utm_x=1&".repeat(2_000)));
    inputs.push(format!("{ROOT}{}", "%".repeat(10_000)));
    inputs.push(format!("https://{}.test/", "a".repeat(10_000)));
    inputs.push(format!("https://{}h.test/", "www.".repeat(1_000)));
    for _ in 0..2500 {
        inputs.push(random_url(&mut rng));
    }
    for (i, u) in inputs.iter().enumerate() {
        let s = &sites[i % sites.len()];
        let what = format!("URL {i} {} on {}", brief(u), s.root());
        match h.run(&what, || (s.normalize(u), s.in_scope(u))) {
            Some((Ok(n), in_scope)) => {
                if !in_scope {
                    h.fail(format!("{what}: normalises to {n} but is not in scope"));
                }
                match h.run(&what, || s.normalize(&n)) {
                    Some(Ok(again)) if again == n => {}
                    Some(other) => h.fail(format!("{what}: {n} renormalises to {other:?}")),
                    None => {}
                }
            }
            Some((Err(e), in_scope)) => {
                if in_scope {
                    h.fail(format!("{what}: refused ({e}) but in scope"));
                }
                if !matches!(e, Error::InvalidUrl { .. } | Error::OutOfScope { .. }) {
                    h.fail(format!("{what}: unexpected error kind {e:?}"));
                }
                h.check_err(&what, &e);
            }
            None => {}
        }
        if let Some(Err(e)) = h.run(&what, || s.page_report(u)) {
            h.check_err(&what, &e);
        }
    }
    h.finish(5000);
}

/// A site with some of everything, for import tests.
fn sample_site(root: &str) -> Site {
    let mut s = Site::new(root, Settings::default()).expect("site");
    let u = |p: &str| format!("{root}{p}");
    let mut home = obs(
        root,
        (0..30)
            .map(|i| link(&u(&format!("p{i}")), &format!("Page {i}")))
            .collect(),
    );
    home.links
        .push(link("https://elsewhere.test/", "elsewhere"));
    home.links.push(link("mailto:a@b.c", "mail"));
    home.observed_at = Some(1.7e12);
    s.ingest(home).expect("ingest");
    for i in 0..30 {
        let mut o = obs(
            &u(&format!("p{i}")),
            vec![
                link(&u(&format!("p{}", (i * 7) % 31)), "Next"),
                link(root, "Home"),
            ],
        );
        if i % 5 == 0 {
            o.requested_url = Some(u(&format!("old{i}")));
        }
        if i % 7 == 0 {
            o.canonical = Some(u("p1"));
        }
        if i % 11 == 0 {
            o.links[0].rel = Some("nofollow".into());
        }
        o.title = Some(format!("Page \u{202e}{i} <script>"));
        s.ingest(o).expect("ingest");
    }
    s
}

/// Import documents that must be refused, leaving the site byte-identical.
#[test]
fn refused_imports_change_nothing() {
    let mut h = Harness::new();
    let mut rng = XorShift::new(SEED ^ 0x1A1A);
    let mut s = sample_site(ROOT);
    let before = s.export_json();
    let good = sample_site(ROOT).export_json();
    let mut docs: Vec<(String, String)> = Vec::new();
    // Truncations at every 1/50th of the length (and a few bytes off the end).
    for k in 0..50 {
        let cut = good.len() * k / 50;
        docs.push((format!("truncated at {cut}"), good[..cut].to_string()));
    }
    for cut in [good.len() - 1, good.len() - 2, good.len() - 3] {
        docs.push((format!("truncated at {cut}"), good[..cut].to_string()));
    }
    let v: serde_json::Value = serde_json::from_str(&good).expect("JSON");
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut d = v.clone();
        f(&mut d);
        d.to_string()
    };
    docs.push((
        "version 2".into(),
        edit(&|d| d["graph"]["version"] = 2.into()),
    ));
    docs.push((
        "version 0".into(),
        edit(&|d| d["graph"]["version"] = 0.into()),
    ));
    docs.push((
        "version -1".into(),
        edit(&|d| d["graph"]["version"] = (-1).into()),
    ));
    docs.push((
        "version \"1\"".into(),
        edit(&|d| d["graph"]["version"] = "1".into()),
    ));
    docs.push((
        "no version".into(),
        edit(&|d| {
            d["graph"].as_object_mut().map(|g| g.remove("version"));
        }),
    ));
    docs.push((
        "other schema".into(),
        edit(&|d| d["graph"]["schema"] = "gephi".into()),
    ));
    docs.push((
        "graph null".into(),
        edit(&|d| d["graph"] = serde_json::Value::Null),
    ));
    docs.push((
        "nodes null".into(),
        edit(&|d| d["nodes"] = serde_json::Value::Null),
    ));
    docs.push((
        "links null".into(),
        edit(&|d| d["links"] = serde_json::Value::Null),
    ));
    docs.push((
        "a node null".into(),
        edit(&|d| d["nodes"][3] = serde_json::Value::Null),
    ));
    docs.push((
        "a link null".into(),
        edit(&|d| d["links"][3] = serde_json::Value::Null),
    ));
    docs.push((
        "an occurrence null".into(),
        edit(&|d| {
            d["links"][0]["occurrences"][0] = serde_json::Value::Null;
        }),
    ));
    docs.push((
        "node id null".into(),
        edit(&|d| d["nodes"][0]["id"] = serde_json::Value::Null),
    ));
    docs.push((
        "settings null".into(),
        edit(&|d| {
            d["graph"]["settings"] = serde_json::Value::Null;
        }),
    ));
    docs.push(("undirected".into(), edit(&|d| d["directed"] = false.into())));
    docs.push((
        "multigraph".into(),
        edit(&|d| d["multigraph"] = true.into()),
    ));
    docs.push((
        "link to an unknown node".into(),
        edit(&|d| {
            d["links"][0]["target"] = format!("{ROOT}nowhere").into();
        }),
    ));
    docs.push((
        "link from an unknown node".into(),
        edit(&|d| {
            d["links"][0]["source"] = format!("{ROOT}nowhere").into();
        }),
    ));
    docs.push((
        "redirect to an unknown node".into(),
        edit(&|d| {
            d["nodes"][1]["redirectTo"] = format!("{ROOT}nowhere").into();
        }),
    ));
    docs.push((
        "a node of another site".into(),
        edit(&|d| {
            d["nodes"][2]["id"] = "https://evil.test/x".into();
        }),
    ));
    docs.push((
        "a javascript: node".into(),
        edit(&|d| {
            d["nodes"][2]["id"] = "javascript:alert(1)".into();
        }),
    ));
    docs.push((
        "a 10k-char node".into(),
        edit(&|d| {
            d["nodes"][2]["id"] = format!("{ROOT}{}", "a".repeat(10_000)).into();
        }),
    ));
    docs.push((
        "bad quality".into(),
        edit(&|d| {
            d["links"][0]["occurrences"][0]["quality"] = "excellent".into();
        }),
    ));
    docs.push((
        "bad state".into(),
        edit(&|d| d["nodes"][0]["state"] = "gone".into()),
    ));
    docs.push((
        "negative count".into(),
        edit(&|d| d["nodes"][0]["externalLinks"] = (-3).into()),
    ));
    docs.push((
        "order too large".into(),
        edit(&|d| {
            d["links"][0]["occurrences"][0]["order"] = 1e20.into();
        }),
    ));
    docs.push((
        "observedAt a string".into(),
        edit(&|d| {
            d["nodes"][0]["observedAt"] = "yesterday".into();
        }),
    ));
    docs.push((
        "export of another site".into(),
        sample_site("https://other.test/").export_json(),
    ));
    docs.push((
        "export of the http:// twin on another port".into(),
        sample_site("http://h.test:8080/").export_json(),
    ));
    docs.push((
        "package.json".into(),
        r#"{"name":"linkflow","version":"1.0.0","private":true,"scripts":{"test":"node x"},"devDependencies":{"ws":"8"}}"#.into(),
    ));
    docs.push(("a networkx graph".into(), r#"{"directed":true,"multigraph":false,"graph":{},"nodes":[{"id":1}],"links":[{"source":1,"target":1}]}"#.into()));
    docs.push(("empty".into(), String::new()));
    docs.push(("null".into(), "null".into()));
    docs.push(("array".into(), "[1,2,3]".into()));
    docs.push(("string".into(), "\"linkflow\"".into()));
    docs.push(("BOM".into(), format!("\u{feff}{good}")));
    docs.push(("trailing junk".into(), format!("{good}xyz")));
    docs.push(("deep nesting".into(), "[".repeat(100_000)));
    docs.push(("NUL".into(), "\0".into()));
    let crafted = docs.len();
    // Random damage: a refused one must leave the site unchanged.
    for _ in 0..300 {
        let mut bytes = good.as_bytes().to_vec();
        for _ in 0..=rng.below(3) {
            let i = rng.below(bytes.len());
            bytes[i] = *rng.pick(b"{}[]\":,0123456789-.eE nul\\x");
        }
        docs.push((
            "randomly damaged export".into(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let mut refused = 0;
    for (i, (what, text)) in docs.iter().enumerate() {
        let what = format!("import {i} ({what})");
        let mut trial = s.clone();
        let res = h.run(&what, || trial.import_json(text));
        match res {
            Some(Err(e)) => {
                refused += 1;
                if !matches!(e, Error::Import(_)) {
                    h.fail(format!("{what}: not an Import error: {e:?}"));
                }
                h.check_err(&what, &e);
                let after = h.run(&what, || trial.export_json()).unwrap_or_default();
                if after != before {
                    h.fail(format!("{what}: refused ({e}) but the site changed"));
                }
                // And once on the real site, to be sure the clone did not hide anything.
                if i % 10 == 0 {
                    let _ = h.run(&what, || s.import_json(text));
                    if s.export_json() != before {
                        h.fail(format!("{what}: refused but the site changed"));
                        s = sample_site(ROOT);
                    }
                }
            }
            Some(Ok(_)) => {
                if i < crafted {
                    h.fail(format!("{what}: accepted"));
                }
                analyse(&mut h, &trial, &format!("analyses after accepting {what}"));
            }
            None => {}
        }
        let what = format!("from_export_json of {what}");
        if let Some(Err(e)) = h.run(&what, || Site::from_export_json(text)) {
            h.check_err(&what, &e);
        }
    }
    assert!(refused >= 80, "only {refused} refused");
    h.finish(400);
}

/// The snapshot checksum of src/export.rs (formats "LFS2" to "LFS4": magic, u64 LE
/// checksum of the rest), re-implemented so that damaged snapshots can be re-sealed and reach the parser.
fn snapshot_checksum(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = K ^ (b.len() as u64);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(31);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 32)
}

/// Rewrites the checksum of "LFS2"–"LFS5" bytes so that they pass it.
fn reseal(b: &mut [u8]) {
    let sealed = [b"LFS2", b"LFS3", b"LFS4", b"LFS5"];
    if b.len() >= 12 && sealed.iter().any(|m| b.starts_with(&m[..])) {
        let sum = snapshot_checksum(&b[12..]);
        b[4..12].copy_from_slice(&sum.to_le_bytes());
    }
}

/// Random bytes, and damaged snapshots, into `Site::restore`.
#[test]
fn restore_never_panics() {
    let mut h = Harness::new();
    let mut rng = XorShift::new(SEED ^ 0x5A5A);
    let good = sample_site(ROOT).snapshot();
    let mut resealed = good.clone();
    reseal(&mut resealed);
    assert_eq!(
        resealed, good,
        "the test's copy of the snapshot checksum is out of date"
    );
    for case in 0..3000 {
        let damage = |rng: &mut XorShift, b: &mut Vec<u8>| {
            for _ in 0..=rng.below(4) {
                let i = rng.below(b.len());
                b[i] = rng.next_u64() as u8;
            }
        };
        let (bytes, must_fail) = match case % 6 {
            0 => {
                let n = rng.below(300);
                (rng.bytes(n), false)
            }
            1 => {
                // Damage the checksum notices: the restore must refuse it.
                let mut b = good.clone();
                damage(&mut rng, &mut b);
                let changed = b != good;
                (b, changed)
            }
            2 | 3 => {
                // Damage behind a valid checksum: reaches the parser.
                let mut b = good.clone();
                damage(&mut rng, &mut b);
                reseal(&mut b);
                (b, false)
            }
            4 => {
                let mut b = good[..rng.below(good.len())].to_vec();
                let sealed = case % 12 == 4;
                if sealed {
                    reseal(&mut b);
                }
                let damaged = b.len() < good.len();
                (b, damaged && !sealed)
            }
            _ => {
                let n = rng.below(300);
                let mut b = match rng.below(5) {
                    0 => b"LFS1".to_vec(),
                    1 => b"LFS2\0\0\0\0\0\0\0\0".to_vec(),
                    2 => b"LFS3\0\0\0\0\0\0\0\0".to_vec(),
                    3 => b"LFS4\0\0\0\0\0\0\0\0".to_vec(),
                    _ => b"LFS5\0\0\0\0\0\0\0\0".to_vec(),
                };
                b.extend(rng.bytes(n));
                reseal(&mut b);
                (b, false)
            }
        };
        let what = format!("restore case {case} ({} bytes)", bytes.len());
        match h.run(&what, || Site::restore(&bytes)) {
            Some(Ok(_)) if must_fail => {
                h.fail(format!(
                    "{what}: damaged bytes restored (the checksum missed it)"
                ));
            }
            Some(Ok(site)) if case % 5 == 0 || case % 6 == 2 => {
                analyse(&mut h, &site, &format!("analyses after {what}"));
            }
            Some(Ok(_)) | None => {}
            Some(Err(e)) => {
                if !matches!(e, Error::Import(_)) {
                    h.fail(format!("{what}: not an Import error: {e:?}"));
                }
                h.check_err(&what, &e);
            }
        }
    }
    h.finish(3000);
}

// ---------------------------------------------------------------------------------------
// Regressions: bugs the tests above found in src/ (fixed in 9425a6f), pinned as plain
// tests.

/// Was a bug (src/graph.rs, `SiteGraph::ingest`): when a page stops declaring a canonical (or a
/// meta refresh), or becomes a redirect alias, the former canonical/refresh target is not
/// pruned: a discovered page nothing refers to stays in the graph (and in the counts of
/// discovered pages), while an export → import drops it.
#[test]
fn former_canonical_target_is_pruned() {
    let mut s = site();
    let mut o = obs(&format!("{ROOT}p"), vec![]);
    o.canonical = Some(format!("{ROOT}c"));
    s.ingest(o).expect("ingest");
    s.ingest(obs(&format!("{ROOT}p"), vec![])).expect("ingest");
    assert!(
        stale_pages(&s).is_empty(),
        "stale pages left behind: {:?}",
        stale_pages(&s)
    );
}

/// Was a bug (src/export.rs, `Site::restore`): page URLs are taken from the bytes as they are,
/// without checking that they belong to the site and are normalised, so a snapshot with a
/// valid checksum (damaged in memory before it was sealed, or written by anything but this
/// build) restores into a site whose own export is refused by `Site::from_export_json`.
#[test]
fn restore_refuses_pages_outside_the_site() {
    let good = sample_site(ROOT).snapshot();
    // Damage one byte of the first page URL's host: "https://h.test/" → "https://h.tesu/".
    let at = good
        .windows(7)
        .position(|w| w == b"h.test/")
        .and_then(|first| {
            good[first + 7..]
                .windows(7)
                .position(|w| w == b"h.test/")
                .map(|i| first + 7 + i)
        })
        .expect("a page URL in the snapshot");
    let mut bad = good.clone();
    bad[at + 5] = b'u';
    reseal(&mut bad);
    match Site::restore(&bad) {
        Err(e) => assert!(matches!(e, Error::Import(_)), "{e:?}"),
        Ok(site) => {
            let export = site.export_json();
            if let Err(e) = Site::from_export_json(&export) {
                panic!("restored a damaged snapshot whose export is refused: {e}");
            }
        }
    }
}

/// Was a bug (src/observe.rs, `RawObservation::clamp`, and src/graph.rs, `ingest`): the docs say
/// hrefs longer than `MAX_URL_LEN` are dropped and counted, but only `raw` is clamped: a
/// 1 MB href (or page URL) becomes a page whose URL is 1 MB, and the import then refuses
/// the site's own export ("node …: the URL is too long").
#[test]
fn overlong_href_is_dropped() {
    let mut s = site();
    let long = format!("{ROOT}{}", "x".repeat(MAX_URL_LEN + 10));
    let _ = s.ingest(obs(ROOT, vec![link(&long, "long")]));
    let _ = s.ingest(obs(&long, vec![]));
    let longest = urls(&s).iter().map(String::len).max().unwrap_or(0);
    assert!(longest <= MAX_URL_LEN, "a page URL of {longest} bytes");
    Site::from_export_json(&s.export_json()).expect("the site's own export imports");
}

/// Was a bug (src/authority.rs, `Settings::validate`): settings read from an untrusted export
/// (`Site::from_export_json`, also exposed to the extension) or snapshot may ask for
/// `maxIterations` up to 4294967295 with a tolerance (5e-324) no f64 iteration can reach,
/// so the next analysis runs ~4 billion iterations (≈1 s per 100k iterations on 36 pages
/// in a debug build): the worker hangs. Such settings should be refused or clamped.
#[test]
fn imported_settings_cannot_stall_the_core() {
    let mut v: serde_json::Value =
        serde_json::from_str(&sample_site(ROOT).export_json()).expect("JSON");
    v["graph"]["settings"]["tolerance"] = 5e-324.into();
    v["graph"]["settings"]["maxIterations"] = u32::MAX.into();
    // Only the import is run: computing an analysis of the result would hang.
    assert!(
        Site::from_export_json(&v.to_string()).is_err(),
        "settings that cannot converge in any useful time were accepted"
    );
}

/// Regression (src/graph.rs, `SiteGraph::ingest`, the `requested_url` branch): when a page becomes
/// a redirect alias its `canonical` is cleared (and, since 9425a6f, the former canonical
/// target pruned) but its declared `canonical_url` is kept; the export writes it as the
/// node's `canonical`, and the import resolves it into a page again: export → import adds
/// the pruned page back (and the re-export differs). Fix: clear `canonical_url` with
/// `canonical` there (or ignore `canonical` on import for nodes with a `redirectTo`).
#[test]
fn alias_forgets_its_canonical() {
    let mut s = site();
    let mut o = obs(&format!("{ROOT}p"), vec![]);
    o.canonical = Some(format!("{ROOT}c"));
    s.ingest(o).expect("ingest");
    let mut o = obs(&format!("{ROOT}q"), vec![]);
    o.requested_url = Some(format!("{ROOT}p"));
    s.ingest(o).expect("ingest");
    let e1 = s.export_json();
    let back = Site::from_export_json(&e1).expect("imports");
    assert_eq!(urls(&back), urls(&s), "export → import changed the pages");
    assert!(e1 == back.export_json(), "export → import → export differs");
}
