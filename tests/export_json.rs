//! The export is written straight from the graph (`Site::write_export_json`); its bytes must
//! be exactly those of the typed document (`serde_json::to_string(&site.export_doc())`), the
//! form the import reads, on every kind of site: synthetic sites, a site built from
//! observations with every flag and awkward text, and the bundled demo site.

mod common;

use std::path::Path;

use common::{link, obs, XorShift};
use linkflow::synth::{Synth, SynthConfig};
use linkflow::{Model, RawObservation, Region, Settings, Site};

/// Compares the direct writer with the typed document, byte for byte.
fn assert_same_export(site: &Site, what: &str) {
    let reference = serde_json::to_string(&site.export_doc()).expect("serialise the document");
    let bytes = site.export_json_bytes();
    if bytes != reference.as_bytes() {
        let at = bytes
            .iter()
            .zip(reference.as_bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(bytes.len().min(reference.len()));
        let show = |b: &[u8]| {
            let lo = at.saturating_sub(120);
            String::from_utf8_lossy(&b[lo..(at + 120).min(b.len())]).into_owned()
        };
        panic!(
            "{what}: the export differs from the document at byte {at} (lengths {} vs {}):\n  \
             written:  {}\n  document: {}",
            bytes.len(),
            reference.len(),
            show(&bytes),
            show(reference.as_bytes())
        );
    }
    assert_eq!(site.export_json(), reference, "{what}: export_json");
    let mut written = Vec::new();
    site.write_export_json(&mut written)
        .expect("write into memory");
    assert_eq!(written, bytes, "{what}: write_export_json");
    // The import reads it; what it built exports the same way through both paths. (Not
    // compared with the original here: an empty external-link sum is -0.0 in the graph and
    // the import writes 0.0 — see the round-trip properties in tests/properties.rs.)
    let again = Site::from_export_json(&reference).expect("the export imports");
    let a = serde_json::to_string(&again.export_doc()).expect("serialise the document");
    assert!(
        again.export_json() == a,
        "{what}: after an import, the writers differ"
    );
}

#[test]
fn synthetic_sites_export_like_the_document() {
    for (pages, lpp, seed) in [(20, 3, 1), (300, 10, 2), (2_000, 10, 1), (1_500, 25, 7)] {
        let s = Synth::new(SynthConfig {
            pages,
            links_per_page: lpp,
            seed,
            ..Default::default()
        });
        let mut site = s.site();
        assert_same_export(&site, &format!("synth {pages}×{lpp} seed {seed}"));
        let settings = Settings {
            model: Model::Classic,
            ..site.settings().clone()
        };
        site.set_settings(settings).expect("classic model");
        assert_same_export(&site, &format!("synth {pages}×{lpp} seed {seed}, classic"));
        // A revisit (warm-started authority) must not change what is written.
        site.ingest(s.observation(pages / 2)).expect("revisit");
        assert_same_export(
            &site,
            &format!("synth {pages}×{lpp} seed {seed}, revisited"),
        );
    }
}

const ROOT: &str = "https://ex.test/";

/// Text that exercises JSON escaping: quotes, backslashes, controls, non-ASCII.
const AWKWARD: [&str; 8] = [
    "Plain words here",
    "Quote \" and back\\slash",
    "tab\tnew\nline\r and \u{1} \u{1f}",
    "Ünïcödé — “curly” ☃ 😀",
    "\u{2028}line sep\u{2029}",
    "",
    "click here",
    "https://ex.test/naked",
];

/// A site built from observations with every occurrence flag and page field in use.
fn varied_site(seed: u64) -> Site {
    let mut rng = XorShift::new(seed);
    let mut site = Site::new(ROOT, Settings::default()).expect("site");
    let pages = 60;
    let url = |i: usize| {
        if i == 0 {
            ROOT.to_string()
        } else {
            format!("{ROOT}p/{i}")
        }
    };
    let regions = [
        Region::Main,
        Region::Nav,
        Region::Header,
        Region::Footer,
        Region::Aside,
        Region::Other,
    ];
    let rels = [
        None,
        Some("nofollow"),
        Some("ugc sponsored"),
        Some("NOFOLLOW noopener"),
        Some("sponsored"),
    ];
    for i in 0..pages {
        let mut links = Vec::new();
        for k in 0..rng.below(12) {
            let target = rng.below(pages + 10); // some targets never visited
            let text = *rng.pick(&AWKWARD[..]);
            let mut l = link(&url(target), text);
            l.region = Some(*rng.pick(&regions[..]));
            l.rel = rng.pick(&rels[..]).map(str::to_string);
            l.visible = Some(rng.chance(4, 5));
            l.in_viewport = Some(rng.chance(1, 3));
            l.area = Some(rng.chance(1, 10));
            l.order = Some(k as u32);
            if rng.chance(1, 6) {
                l.href = l.href.replacen("https:", "http:", 1); // crosses schemes
            }
            if rng.chance(1, 8) {
                l.text = None;
                l.alt = Some("an image".into());
                l.has_image = Some(true);
            }
            links.push(l);
        }
        if rng.chance(1, 10) {
            links.push(link("https://elsewhere.test/x", "external"));
            links.push(link("mailto:someone@ex.test", "mail"));
        }
        let mut o: RawObservation = obs(&url(i), links);
        o.title = Some(rng.pick(&AWKWARD[..]).to_string()).filter(|_| rng.chance(4, 5));
        o.h1 = Some(rng.pick(&AWKWARD[..]).to_string()).filter(|_| rng.chance(1, 2));
        o.lang = Some("de-CH".into()).filter(|_| rng.chance(1, 3));
        o.observed_at = Some(1.7e12 + (i as f64) * 1234.5 + 0.25);
        match rng.below(8) {
            0 => o.meta_robots = Some("noindex".into()),
            1 => o.meta_robots = Some("nofollow".into()),
            2 => o.canonical = Some(url(rng.below(pages))),
            3 if i > 0 => {
                // Requested as an alias, answered here: the alias redirects.
                o.requested_url = Some(format!("{ROOT}old/{i}"));
            }
            4 => o.truncated_links = Some(7),
            5 => o.meta_refresh = Some(format!("0; url={}", url(rng.below(pages)))),
            _ => {}
        }
        site.ingest(o).expect("ingest");
    }
    site
}

#[test]
fn observed_sites_with_every_flag_export_like_the_document() {
    for seed in 1..=12 {
        let site = varied_site(seed);
        assert_same_export(&site, &format!("varied site, seed {seed}"));
    }
}

#[test]
fn empty_site_exports_like_the_document() {
    let site = Site::new(ROOT, Settings::default()).expect("site");
    assert_same_export(&site, "empty site");
}

#[test]
fn demo_site_exports_like_the_document() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-site");
    let base = url::Url::parse("http://127.0.0.1:8000/").expect("base");
    let mut site = Site::new(base.as_str(), Settings::default()).expect("site");
    for o in linkflow::scan::scan_dir(&dir, &base).expect("scan the demo site") {
        // A page the core refuses is skipped, as the CLI does.
        let _ = site.ingest(o);
    }
    assert!(site.graph().page_count() > 10, "the demo site was read");
    assert_same_export(&site, "demo site");
}

/// The import parses the text once; a refused file still gets the message for its first
/// problem, in the order truncated / not JSON / not an export / schema / version / shape.
#[test]
fn refused_imports_say_why() {
    let good = varied_site(3).export_json();
    let mut v: serde_json::Value = serde_json::from_str(&good).expect("JSON");
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut d = v.clone();
        f(&mut d);
        d.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        (good[..good.len() / 2].to_string(), "the file is truncated"),
        ("{\"graph\": nope}".into(), "the file is not JSON"),
        (
            "[1, 2]".into(),
            "the file is JSON but not a Linkflow export",
        ),
        ("{\"nodes\": []}".into(), "no \"graph\" object"),
        (
            edit(&|d| d["graph"]["schema"] = "other".into()),
            "graph.schema is not",
        ),
        (
            edit(&|d| d["graph"]["schema"] = 7.into()),
            "graph.schema is not",
        ),
        (
            edit(&|d| d["graph"]["version"] = 2.into()),
            "version 2 is not supported",
        ),
        (
            edit(&|d| d["graph"]["version"] = 5_000_000_000u64.into()),
            "version 5000000000 is not",
        ),
        (
            edit(&|d| d["graph"]["version"] = "1".into()),
            "graph.version is missing",
        ),
        (
            edit(&|d| {
                d["graph"].as_object_mut().map(|g| g.remove("version"));
            }),
            "graph.version is missing",
        ),
        (
            edit(&|d| {
                d["graph"]["version"] = 2.into();
                d["nodes"] = 3.into();
            }),
            "version 2 is not supported",
        ),
        (
            edit(&|d| d["nodes"] = 3.into()),
            "invalid export: invalid type",
        ),
        (
            edit(&|d| d["multigraph"] = true.into()),
            "directed and not a multigraph",
        ),
    ];
    for (text, want) in cases {
        let mut site = Site::new(ROOT, Settings::default()).expect("site");
        let e = site.import_json(&text).expect_err("refused").to_string();
        assert!(e.contains(want), "{want:?} not in {e:?}");
        let e = Site::from_export_json(&text).err().map(|e| e.to_string());
        assert!(
            e.is_some_and(|e| e.contains(want)),
            "from_export_json: {want:?}"
        );
    }
    v["graph"]["generator"] = "someone else".into();
    Site::from_export_json(&v.to_string()).expect("a valid export imports");
}
