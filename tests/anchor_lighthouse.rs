//! `anchor` against real Lighthouse runs.
//!
//! Reads what Lighthouse's `link-text` audit saw on real pages, written by
//! `tests/e2e/lighthouse.test.mjs`: the file named by `LINKFLOW_LH_ITEMS` (a fresh run), else
//! the committed snapshot `tests/fixtures/anchors/lighthouse-link-text.json`. Checks that
//! every link Lighthouse fails is flagged by [`classify`], that [`lighthouse_fails_in`]
//! agrees with Lighthouse on every link, and that Lighthouse's blocklist is in ours.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use linkflow::anchor::{
    classify, generic_phrases, lighthouse_blocklist, lighthouse_fails_in, AnchorCode, AnchorParts,
    LighthouseContext,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Run {
    lighthouse: String,
    blocklist: BTreeMap<String, Vec<String>>,
    pages: Vec<Page>,
}

#[derive(Deserialize)]
struct Page {
    page: String,
    anchors: Vec<Anchor>,
}

/// One `<a>` as Lighthouse's `AnchorElements` artifact has it.
#[derive(Deserialize)]
struct Anchor {
    id: String,
    href: String,
    text: String,
    rel: String,
    #[serde(rename = "textLang")]
    text_lang: Option<String>,
    failed: bool,
}

impl Anchor {
    /// The parts the content script would report for the visible text alone (Lighthouse
    /// knows nothing of alt or `aria-label`).
    fn parts(&self) -> AnchorParts<'_> {
        AnchorParts {
            text: Some(&self.text),
            href: &self.href,
            ..AnchorParts::default()
        }
    }
}

fn source() -> PathBuf {
    match std::env::var_os("LINKFLOW_LH_ITEMS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/anchors/lighthouse-link-text.json"),
    }
}

fn load() -> Run {
    let path = source();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn describe(page: &Page, a: &Anchor) -> String {
    format!(
        "{} → {} (id {:?}, text {:?}, rel {:?}, lang {:?})",
        page.page, a.href, a.id, a.text, a.rel, a.text_lang
    )
}

#[test]
fn every_lighthouse_failure_is_flagged() {
    let run = load();
    let mut failures = 0;
    let mut missed = Vec::new();
    for page in &run.pages {
        for a in page.anchors.iter().filter(|a| a.failed) {
            failures += 1;
            let code = classify(&a.parts());
            if code.is_descriptive() {
                missed.push(describe(page, a));
            } else {
                assert_eq!(code, AnchorCode::Generic, "{}", describe(page, a));
            }
        }
    }
    assert!(
        failures > 0,
        "{}: Lighthouse failed no link",
        source().display()
    );
    assert!(
        missed.is_empty(),
        "Lighthouse fails these, we call them descriptive:\n{}",
        missed.join("\n")
    );
}

#[test]
fn lighthouse_mirror_agrees_on_every_link() {
    let run = load();
    let mut wrong = Vec::new();
    for page in &run.pages {
        for a in &page.anchors {
            let ctx = LighthouseContext {
                page_url: Some(&page.page),
                rel: Some(&a.rel),
                text_lang: a.text_lang.as_deref(),
            };
            if lighthouse_fails_in(&a.parts(), &ctx) != a.failed {
                wrong.push(format!(
                    "Lighthouse {}: {}",
                    if a.failed { "fails" } else { "passes" },
                    describe(page, a)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "lighthouse_fails_in disagrees:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn fixture_ids_say_what_lighthouse_does() {
    let run = load();
    let page = run
        .pages
        .iter()
        .find(|p| p.page.ends_with("/generic.html"))
        .expect("the run includes tests/fixtures/anchors/generic.html");
    let mut n = 0;
    for a in page.anchors.iter().filter(|a| !a.id.is_empty()) {
        n += 1;
        assert_eq!(a.failed, a.id.starts_with("fail-"), "{}", describe(page, a));
    }
    assert!(n > 100, "only {n} anchors with an id");
}

#[test]
fn lighthouse_blocklist_matches_the_run() {
    let run = load();
    let ours: BTreeMap<String, Vec<String>> = lighthouse_blocklist()
        .iter()
        .map(|(lang, list)| {
            (
                (*lang).to_owned(),
                list.iter().map(|s| (*s).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(
        ours, run.blocklist,
        "anchor.rs mirrors a different link-text blocklist than Lighthouse {}",
        run.lighthouse
    );
    for (lang, list) in &run.blocklist {
        for phrase in list {
            assert!(
                generic_phrases().binary_search(&phrase.as_str()).is_ok(),
                "Lighthouse {} {lang} phrase {phrase:?} is not in generic_phrases()",
                run.lighthouse
            );
        }
    }
}

/// Reads the blocklist straight from the installed Lighthouse (after `npm ci`), when present.
#[test]
fn installed_lighthouse_blocklist_is_in_generic() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("node_modules/lighthouse/core/audits/seo/link-text.js");
    let Ok(src) = std::fs::read_to_string(&file) else {
        eprintln!("{} not found (run npm ci); skipped", file.display());
        return;
    };
    let start = src
        .find("const nonDescriptiveLinkTexts = {")
        .expect("link-text.js has its nonDescriptiveLinkTexts table");
    let table = &src[start..];
    let table = &table[..table.find("\n};").expect("the table ends")];
    let mut n = 0;
    for line in table.lines().map(str::trim) {
        // Phrase lines look like `'click here',`; language lines like `'en': new Set([`.
        if let Some(phrase) = line.strip_prefix('\'').and_then(|l| l.strip_suffix("',")) {
            n += 1;
            assert!(
                generic_phrases().binary_search(&phrase).is_ok(),
                "{}: {phrase:?} is not in generic_phrases()",
                file.display()
            );
        }
    }
    assert!(n >= 80, "{}: found only {n} phrases", file.display());
}
