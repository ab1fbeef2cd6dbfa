//! `linkflow`: the core on the command line.
//!
//! ```text
//! linkflow scan DIR --base URL [--start URL] [-o graph.json]
//! linkflow report graph.json [--model classic|prominence] [--json] [--page URL]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use linkflow::{Model, Settings, Site};

/// `println!` that ignores a closed pipe (`linkflow report … | head`).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

const USAGE: &str = "usage:
  linkflow scan DIR --base URL [--start URL] [-o graph.json]
      Build the link graph of a folder of saved HTML pages (a static parse; the folder
      stands at --base). Depth counts from --start (default: --base).
  linkflow report graph.json [--model classic|prominence] [--json] [--page URL]
      Print the site report of an export (or one page's report with --page).";

struct Args {
    positional: Vec<String>,
    base: Option<String>,
    start: Option<String>,
    out: Option<PathBuf>,
    model: Option<Model>,
    json: bool,
    page: Option<String>,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        positional: Vec::new(),
        base: None,
        start: None,
        out: None,
        model: None,
        json: false,
        page: None,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--base" => a.base = Some(value("--base")?),
            "--start" => a.start = Some(value("--start")?),
            "-o" | "--output" => a.out = Some(PathBuf::from(value("-o")?)),
            "--page" => a.page = Some(value("--page")?),
            "--json" => a.json = true,
            "--model" => {
                a.model = Some(match value("--model")?.as_str() {
                    "classic" => Model::Classic,
                    "prominence" => Model::Prominence,
                    other => {
                        return Err(format!("unknown model {other:?} (classic or prominence)"))
                    }
                })
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => a.positional.push(arg),
        }
    }
    Ok(a)
}

fn run() -> Result<(), String> {
    let args = parse(std::env::args().skip(1))?;
    match args.positional.first().map(String::as_str) {
        Some("scan") => {
            let dir = args.positional.get(1).ok_or("scan needs a folder")?;
            let base = args.base.as_deref().ok_or("scan needs --base URL")?;
            let base_url = url::Url::parse(base).map_err(|e| format!("--base {base}: {e}"))?;
            let settings = Settings {
                start_url: Some(args.start.clone().unwrap_or_else(|| base.to_string())),
                model: args.model.unwrap_or_default(),
                ..Settings::default()
            };
            let mut site = Site::new(base, settings).map_err(|e| e.to_string())?;
            let dir = PathBuf::from(dir);
            let observations =
                linkflow::scan::scan_dir(&dir, &base_url).map_err(|e| e.to_string())?;
            let mut skipped = 0;
            for o in observations {
                if let Err(e) = site.ingest(o) {
                    eprintln!("skipped: {e}");
                    skipped += 1;
                }
            }
            let json = site.export_json();
            match &args.out {
                Some(p) => std::fs::write(p, json).map_err(|e| format!("{}: {e}", p.display()))?,
                None => out!("{json}"),
            }
            let g = site.graph();
            eprintln!(
                "scanned {} pages ({} skipped): {} known pages, {} links",
                g.page_ids()
                    .filter(|&i| g.page(i).is_some_and(|p| p.visited))
                    .count(),
                skipped,
                g.page_count(),
                g.occurrence_count()
            );
            Ok(())
        }
        Some("report") => {
            let file = args
                .positional
                .get(1)
                .ok_or("report needs an export file")?;
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            let mut site = Site::from_export_json(&text).map_err(|e| format!("{file}: {e}"))?;
            if let Some(m) = args.model {
                let s = Settings {
                    model: m,
                    ..site.settings().clone()
                };
                site.set_settings(s).map_err(|e| e.to_string())?;
            }
            if let Some(page) = &args.page {
                let r = site.page_report(page).map_err(|e| e.to_string())?;
                if args.json {
                    out!(
                        "{}",
                        serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?
                    );
                } else {
                    print_page(&r);
                }
                return Ok(());
            }
            let r = site.site_report();
            if args.json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&r).map_err(|e| e.to_string())?
                );
            } else {
                print_site(&r);
            }
            Ok(())
        }
        _ => Err(String::new()),
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn so_far(is_final: bool) -> &'static str {
    if is_final {
        ""
    } else {
        " (so far)"
    }
}

fn print_site(r: &linkflow::report::SiteReport) {
    out!("Site {}  model {}", r.site, r.model);
    out!(
        "  {} pages ({} visited, {} not yet visited), {} internal links, {} external",
        r.counts.pages,
        r.counts.visited,
        r.counts.discovered,
        r.counts.occurrences,
        r.counts.external
    );
    out!(
        "  pooling: home {} holds {}; top 1% ({} pages) hold {}; flat would be {} each",
        r.pooling.home.as_deref().unwrap_or("-"),
        pct(r.pooling.home_share),
        r.pooling.top1_pct_count,
        pct(r.pooling.top1_pct_share),
        pct(r.pooling.uniform_share)
    );
    out!("Top pages:");
    for p in &r.top_pages {
        out!(
            "  #{:<3} {:>7}  score {:>5.1}  depth {:<4} {}",
            p.rank,
            pct(p.share),
            p.score,
            p.depth.map_or("-".to_string(), |d| d.to_string()),
            p.url
        );
    }
    out!(
        "Orphans{}: {}",
        so_far(r.orphans.is_final),
        r.orphans.pages.len()
    );
    for p in &r.orphans.pages {
        out!("  {}", p.url);
    }
    out!(
        "Deep pages (depth > {}){}: {}",
        r.deep_pages.threshold,
        so_far(r.deep_pages.is_final),
        r.deep_pages.pages.len()
    );
    for p in r.deep_pages.pages.iter().take(20) {
        out!("  {:>2}  {}", p.depth, p.url);
    }
    out!("Unreachable: {}", r.unreachable.len());
    out!("Poor anchors:");
    for g in r.generic_anchors.iter().take(20) {
        out!(
            "  {:>5}× {:?} ({}) → {} pages",
            g.count,
            g.anchor,
            g.code.as_str(),
            g.targets
        );
    }
    out!("Links to redirects: {}", r.links_to_redirects.len());
    for l in r.links_to_redirects.iter().take(20) {
        out!("  {} → {} → {}", l.source, l.target, l.redirect_to);
    }
}

fn print_page(r: &linkflow::report::PageReport) {
    out!("{}  ({:?})", r.url, r.state);
    if let Some(a) = &r.authority {
        out!(
            "  share {}  #{} of {}  score {:.0}",
            pct(a.share),
            a.rank,
            a.of,
            a.score
        );
    }
    out!(
        "  depth {}{}",
        r.depth.map_or("unreachable".to_string(), |d| d.to_string()),
        so_far(r.depth_final)
    );
    out!("  inlinks from {} pages:", r.inlink_stats.sources);
    for g in &r.inlinks {
        for l in &g.links {
            out!(
                "    {} {:?} [{}{}] {}",
                g.source,
                l.anchor,
                l.quality.code.as_str(),
                if l.nofollow { ", nofollow" } else { "" },
                l.region
            );
        }
    }
    for p in &r.problems {
        out!("  ! {}{}", p.message, so_far(p.is_final));
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_empty() => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("linkflow: {e}");
            ExitCode::FAILURE
        }
    }
}
