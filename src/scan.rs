//! A static scan of saved HTML pages into page observations (for the CLI, the tests and
//! people who check static sites in CI). It sees only what the HTML holds: links that
//! JavaScript builds are missing, which is why the extension reads the rendered page.

use std::path::{Path, PathBuf};

use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::error::{Error, Result};
use crate::observe::{RawLink, RawObservation, Region};

/// Parses one HTML document served at `page_url` into an observation.
pub fn observe_html(html: &str, page_url: &Url) -> RawObservation {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).ok();
    let first_text = |s: &str| -> Option<String> {
        let se = sel(s)?;
        doc.select(&se)
            .next()
            .map(|e| collapse(&e.text().collect::<String>()))
    };
    let attr_of = |s: &str, a: &str| -> Option<String> {
        let se = sel(s)?;
        doc.select(&se)
            .next()
            .and_then(|e| e.value().attr(a))
            .map(str::to_string)
    };
    let base = attr_of("base[href]", "href")
        .and_then(|b| page_url.join(&b).ok())
        .unwrap_or_else(|| page_url.clone());
    let resolve = |h: &str| base.join(h.trim()).ok().map(|u| u.to_string());
    let meta_refresh = attr_of("meta[http-equiv=refresh i]", "content").and_then(|c| {
        let lower = c.to_ascii_lowercase();
        let i = lower.find("url=")?;
        let target = c[i + 4..].trim().trim_matches(|ch| ch == '\'' || ch == '"');
        resolve(target)
    });
    let mut links = Vec::new();
    if let Some(se) = sel("a[href], area[href]") {
        for (order, el) in doc.select(&se).enumerate() {
            let raw = el.value().attr("href").unwrap_or("");
            let href = resolve(raw).unwrap_or_else(|| raw.to_string());
            let is_area = el.value().name() == "area";
            let img_sel = sel("img");
            let imgs: Vec<ElementRef> = img_sel
                .as_ref()
                .map(|s| el.select(s).collect())
                .unwrap_or_default();
            let alt: Vec<String> = imgs
                .iter()
                .filter_map(|i| i.value().attr("alt"))
                .map(collapse)
                .filter(|s| !s.is_empty())
                .collect();
            let text = if is_area {
                String::new()
            } else {
                collapse(&el.text().collect::<String>())
            };
            links.push(RawLink {
                href,
                raw: Some(raw.to_string()),
                text: Some(text),
                alt: if is_area {
                    el.value().attr("alt").map(collapse)
                } else if alt.is_empty() {
                    None
                } else {
                    Some(alt.join(" "))
                },
                aria_label: el.value().attr("aria-label").map(collapse),
                title: el.value().attr("title").map(collapse),
                rel: el.value().attr("rel").map(str::to_string),
                region: Some(region_of(el)),
                visible: Some(!hidden(el)),
                in_viewport: None,
                order: u32::try_from(order).ok(),
                width: None,
                height: None,
                area: Some(is_area),
                has_image: Some(!imgs.is_empty()),
            });
        }
    }
    RawObservation {
        url: page_url.to_string(),
        requested_url: None,
        title: first_text("title"),
        h1: first_text("h1"),
        canonical: attr_of("link[rel~=canonical]", "href").and_then(|h| resolve(&h)),
        meta_robots: attr_of("meta[name=robots i]", "content"),
        lang: attr_of("html", "lang"),
        meta_refresh,
        links,
        truncated_links: None,
        observed_at: None,
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The landmark region of an element, like the content script computes it.
fn region_of(el: ElementRef) -> Region {
    for a in el.ancestors().filter_map(ElementRef::wrap) {
        let name = a.value().name();
        let role = a.value().attr("role").unwrap_or("");
        match (name, role) {
            (_, "navigation") | ("nav", _) => return Region::Nav,
            (_, "main") | ("main", _) | ("article", _) => return Region::Main,
            (_, "complementary") | ("aside", _) => return Region::Aside,
            (_, "banner") => return Region::Header,
            (_, "contentinfo") => return Region::Footer,
            ("header", _) | ("footer", _) => {
                // Only a page-level header/footer counts (not one inside a section).
                let scoped = a.ancestors().filter_map(ElementRef::wrap).any(|x| {
                    matches!(
                        x.value().name(),
                        "article" | "aside" | "main" | "nav" | "section"
                    )
                });
                if !scoped {
                    return if name == "header" {
                        Region::Header
                    } else {
                        Region::Footer
                    };
                }
            }
            _ => {}
        }
    }
    Region::Other
}

/// Statically hidden: a `hidden` attribute or inline `display:none` on it or an ancestor.
fn hidden(el: ElementRef) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(|e| {
            e.value().attr("hidden").is_some()
                || e.value().attr("style").is_some_and(|s| {
                    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                    s.to_ascii_lowercase().contains("display:none")
                })
        })
}

/// Every `.html`/`.htm` file under `dir`, sorted.
pub fn html_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| Error::Io {
            path: d.display().to_string(),
            reason: e.to_string(),
        })?;
        for entry in rd.flatten() {
            let p = entry.path();
            let ft = entry.file_type().map_err(|e| Error::Io {
                path: p.display().to_string(),
                reason: e.to_string(),
            })?;
            if ft.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The URL a file is served at, when `dir` stands at `base`.
pub fn url_for(dir: &Path, file: &Path, base: &Url) -> Result<Url> {
    let rel = file.strip_prefix(dir).map_err(|_| Error::Io {
        path: file.display().to_string(),
        reason: "not inside the scanned folder".into(),
    })?;
    let mut path = String::new();
    for c in rel.components() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&c.as_os_str().to_string_lossy());
    }
    let mut b = base.clone();
    if !b.path().ends_with('/') {
        let p = format!("{}/", b.path());
        b.set_path(&p);
    }
    b.join(&path).map_err(|e| Error::InvalidUrl {
        url: path,
        reason: e.to_string(),
    })
}

/// Reads every HTML file under `dir` into observations (pages served at `base`).
pub fn scan_dir(dir: &Path, base: &Url) -> Result<Vec<RawObservation>> {
    let mut out = Vec::new();
    for f in html_files(dir)? {
        let bytes = std::fs::read(&f).map_err(|e| Error::Io {
            path: f.display().to_string(),
            reason: e.to_string(),
        })?;
        let html = String::from_utf8_lossy(&bytes);
        let url = url_for(dir, &f, base)?;
        out.push(observe_html(&html, &url));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_links_regions_and_head() {
        let html = r#"<html lang="en"><head><title> T </title>
            <link rel="canonical" href="/c.html"><meta name="robots" content="noindex">
            <meta http-equiv="refresh" content="0; url=next.html"></head>
            <body><header><nav><a href="/a.html">A</a></nav></header>
            <main><a href="b.html" rel="nofollow"><img src="x.png" alt="Bee"></a>
            <article><header><a href="/h.html">in article header</a></header></article></main>
            <footer><a href="/f.html" aria-label="Foot">F</a></footer>
            <div style="display: none"><a href="/hidden.html">h</a></div>
            <map><area href="/area.html" alt="Area"></map></body></html>"#;
        let u = Url::parse("https://s.test/dir/p.html").expect("url");
        let o = observe_html(html, &u);
        assert_eq!(o.title.as_deref(), Some("T"));
        assert_eq!(o.lang.as_deref(), Some("en"));
        assert_eq!(o.canonical.as_deref(), Some("https://s.test/c.html"));
        assert_eq!(o.meta_robots.as_deref(), Some("noindex"));
        assert_eq!(
            o.meta_refresh.as_deref(),
            Some("https://s.test/dir/next.html")
        );
        let regions: Vec<_> = o.links.iter().map(|l| l.region).collect();
        assert_eq!(
            regions,
            vec![
                Some(Region::Nav),
                Some(Region::Main),
                Some(Region::Main),
                Some(Region::Footer),
                Some(Region::Other),
                Some(Region::Other)
            ]
        );
        assert_eq!(o.links[1].href, "https://s.test/dir/b.html");
        assert_eq!(o.links[1].alt.as_deref(), Some("Bee"));
        assert_eq!(o.links[1].rel.as_deref(), Some("nofollow"));
        assert_eq!(o.links[4].visible, Some(false));
        assert_eq!(o.links[5].area, Some(true));
    }

    #[test]
    fn url_for_maps_files_under_base() {
        let dir = Path::new("/x/site");
        let base = Url::parse("http://127.0.0.1:8000/book").expect("url");
        let u = url_for(dir, Path::new("/x/site/ch01/a.html"), &base).expect("ok");
        assert_eq!(u.as_str(), "http://127.0.0.1:8000/book/ch01/a.html");
    }
}
