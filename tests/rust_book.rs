//! End to end on a real site: the Rust Book shipped with the toolchain
//! (`$(rustc --print sysroot)/share/doc/rust/html/book`), scanned as if served at
//! `http://127.0.0.1:8000/`, then checked against networkx by `tests/networkx_check.py`:
//! classic PageRank (L1 ≤ 1e-9) and click depth (equal for every page).
//!
//! The Python interpreter is `$LINKFLOW_PYTHON` (build.sh points it at `.venv/bin/python`),
//! else `.venv/bin/python` in the crate. Without one that has networkx, the test fails and
//! says to run `./build.sh test`, unless `LINKFLOW_SKIP_PYTHON=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use linkflow::graph::PageState;
use linkflow::{Settings, Site};
use url::Url;

const BASE: &str = "http://127.0.0.1:8000/";

fn book_dir() -> PathBuf {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{rustc} --print sysroot`: {e}"));
    assert!(out.status.success(), "`{rustc} --print sysroot` failed");
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dir = Path::new(&sysroot).join("share/doc/rust/html/book");
    assert!(
        dir.join("index.html").is_file(),
        "the Rust Book is not at {} (install it with `rustup component add rust-docs`)",
        dir.display()
    );
    dir
}

fn scan_book() -> Site {
    let dir = book_dir();
    let base = Url::parse(BASE).expect("base URL");
    let observations = linkflow::scan::scan_dir(&dir, &base).expect("scan the book");
    let settings = Settings {
        start_url: Some(BASE.to_string()),
        ..Settings::default()
    };
    let mut site = Site::new(BASE, settings).expect("site");
    for o in observations {
        let url = o.url.clone();
        site.ingest(o)
            .unwrap_or_else(|e| panic!("ingest {url}: {e}"));
    }
    site
}

fn state_of(site: &Site, path: &str) -> Option<PageState> {
    let g = site.graph();
    let id = g.find(&format!("{BASE}{path}")).ok().flatten()?;
    g.page(id).map(|p| p.state())
}

/// The interpreter to run, or `None` when the Python check is explicitly skipped.
fn python() -> Option<PathBuf> {
    if std::env::var("LINKFLOW_SKIP_PYTHON").is_ok_and(|v| v == "1") {
        eprintln!("LINKFLOW_SKIP_PYTHON=1: the networkx comparison is skipped");
        return None;
    }
    let py = std::env::var_os("LINKFLOW_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    assert!(
        py.exists(),
        "no Python interpreter at {} (LINKFLOW_PYTHON or .venv/bin/python): run `./build.sh test` \
         to create the venv with networkx, or set LINKFLOW_SKIP_PYTHON=1 to skip this check",
        py.display()
    );
    Some(py)
}

#[test]
fn rust_book_matches_networkx() {
    let site = scan_book();

    // Facts about the Book.
    let st = site.structure();
    assert!(st.visited >= 400, "only {} visited pages", st.visited);
    // The moved chapters are meta-refresh pages: redirects to their new place.
    let moved = site
        .graph()
        .page_ids()
        .filter_map(|id| site.graph().page(id))
        .filter(|p| p.meta_refresh)
        .count();
    assert!(moved >= 20, "only {moved} meta-refresh pages");
    assert_eq!(
        state_of(&site, "ch17-00-oop.html"),
        Some(PageState::Redirect)
    );
    let g = site.graph();
    let oop = g
        .find(&format!("{BASE}ch17-00-oop.html"))
        .expect("normalises")
        .expect("known");
    let target = g.page(oop).and_then(|p| p.redirect_to);
    assert_eq!(
        target.and_then(|t| g.page(t)).map(|p| p.url.to_string()),
        Some(format!("{BASE}ch18-00-oop.html"))
    );
    // The first-edition stubs such as associated-types.html are no redirects but
    // `noindex` pages that link to the new place.
    assert_eq!(
        state_of(&site, "associated-types.html"),
        Some(PageState::Noindex)
    );
    // The start page is the Book's index.html, at depth 0.
    let start = st.start.expect("the start page is known");
    assert_eq!(st.depth_of(start), Some(0));

    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let export_path = dir.path().join("book.json");
    std::fs::write(&export_path, site.export_json()).expect("write the export");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/networkx_check.py");
    let out = Command::new(&py)
        .arg(&script)
        .arg(&export_path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", py.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} {} failed ({}); if networkx is missing, run `./build.sh test`\n{stdout}\n{stderr}",
        py.display(),
        script.display(),
        out.status
    );
    eprintln!("{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    let r: serde_json::Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("the script's last line is not JSON ({e}): {stdout}"));

    let nodes = r["nodes"].as_u64().expect("nodes");
    assert_eq!(nodes as usize, site.graph().page_count());
    assert!(r["followed_edges"].as_u64().expect("edges") > 2000, "{r}");
    assert_eq!(r["missing_share"], serde_json::json!([]), "{r}");
    let l1 = r["l1"].as_f64().expect("l1");
    assert!(
        l1 <= 1e-9,
        "classic PageRank vs networkx: L1 {l1:e} > 1e-9 ({r})"
    );
    assert_eq!(r["depth_mismatches"], 0, "depth differs from networkx: {r}");
    // The sidebar of the Book is built by JavaScript (toc.js), so a static scan reaches
    // only the pages linked from the content (about 140 of the ~500 from the index).
    let reachable = st.depth.iter().filter(|d| d.is_some()).count();
    assert!(
        reachable >= 100,
        "only {reachable} pages reachable from the index"
    );
    assert_eq!(r["reachable"].as_u64(), Some(reachable as u64), "{r}");
}
