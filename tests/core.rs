//! Named cases for the core's rules, through the public API.

use linkflow::anchor::AnchorCode;
use linkflow::graph::PageState;
use linkflow::{Error, Model, RawLink, RawObservation, Region, Settings, Site};

const ROOT: &str = "https://site.test/";

fn u(path: &str) -> String {
    format!("https://site.test{path}")
}

fn link(path: &str, text: &str) -> RawLink {
    RawLink {
        href: u(path),
        text: Some(text.into()),
        region: Some(Region::Main),
        visible: Some(true),
        ..Default::default()
    }
}

fn with(mut l: RawLink, f: impl FnOnce(&mut RawLink)) -> RawLink {
    f(&mut l);
    l
}

fn page(path: &str, links: Vec<RawLink>) -> RawObservation {
    RawObservation {
        url: u(path),
        title: Some(format!("Title of {path}")),
        links,
        ..Default::default()
    }
}

fn site(model: Model) -> Site {
    Site::new(
        ROOT,
        Settings {
            model,
            tolerance: 1e-12,
            ..Settings::default()
        },
    )
    .expect("site")
}

fn share(s: &Site, model: Model, path: &str) -> f64 {
    let id = s.graph().find(&u(path)).expect("url").expect("known");
    s.authority(model).share_of(id).expect("ranked")
}

/// Home links to a and b; a and b link home.
fn star(model: Model, a_link: RawLink) -> Site {
    let mut s = site(model);
    s.ingest(page("/", vec![a_link, link("/b", "Bread recipes")]))
        .expect("ingest");
    s.ingest(page("/a", vec![link("/", "Home")]))
        .expect("ingest");
    s.ingest(page("/b", vec![link("/", "Home")]))
        .expect("ingest");
    s
}

#[test]
fn classic_equals_textbook_on_a_small_graph() {
    // 0 -> 1, 1 dangling: r1 = (1+d)/(2+d).
    let mut s = site(Model::Classic);
    s.ingest(page("/", vec![link("/x", "X page")]))
        .expect("ingest");
    let d = 0.85;
    assert!((share(&s, Model::Classic, "/x") - (1.0 + d) / (2.0 + d)).abs() < 1e-11);
}

#[test]
fn classic_counts_each_pair_once_and_ignores_nofollow() {
    let mut s = site(Model::Classic);
    s.ingest(page(
        "/",
        vec![
            link("/a", "A"),
            link("/a", "A again"),
            link("/b", "B"),
            with(link("/c", "C"), |l| l.rel = Some("nofollow".into())),
        ],
    ))
    .expect("ingest");
    let (a, b) = (
        share(&s, Model::Classic, "/a"),
        share(&s, Model::Classic, "/b"),
    );
    assert!(
        (a - b).abs() < 1e-12,
        "duplicate links count once: {a} vs {b}"
    );
    assert!(
        share(&s, Model::Classic, "/c") < b,
        "nofollow passes nothing"
    );
}

#[test]
fn prominence_hidden_links_pass_nothing() {
    let s = star(
        Model::Prominence,
        with(link("/a", "Apples"), |l| l.visible = Some(false)),
    );
    assert!(share(&s, Model::Prominence, "/a") < share(&s, Model::Prominence, "/b"));
    // Classic does not look at visibility.
    let c = share(&s, Model::Classic, "/a") - share(&s, Model::Classic, "/b");
    assert!(c.abs() < 1e-12);
}

#[test]
fn prominence_nav_and_footer_weigh_less_than_body() {
    let nav = star(
        Model::Prominence,
        with(link("/a", "Apples"), |l| l.region = Some(Region::Nav)),
    );
    assert!(share(&nav, Model::Prominence, "/a") < share(&nav, Model::Prominence, "/b"));
    let footer = star(
        Model::Prominence,
        with(link("/a", "Apples"), |l| l.region = Some(Region::Footer)),
    );
    assert!(share(&footer, Model::Prominence, "/a") < share(&nav, Model::Prominence, "/a"));
}

#[test]
fn prominence_nofollow_and_external_links_evaporate() {
    let base = star(Model::Prominence, link("/a", "Apples"));
    let mut ext = site(Model::Prominence);
    ext.ingest(page(
        "/",
        vec![
            link("/a", "Apples"),
            link("/b", "Bread recipes"),
            RawLink {
                href: "https://elsewhere.test/".into(),
                text: Some("Elsewhere".into()),
                region: Some(Region::Main),
                ..Default::default()
            },
            with(link("/c", "C"), |l| l.rel = Some("nofollow".into())),
        ],
    ))
    .expect("ingest");
    ext.ingest(page("/a", vec![link("/", "Home")]))
        .expect("ingest");
    ext.ingest(page("/b", vec![link("/", "Home")]))
        .expect("ingest");
    // The external and nofollow links take part of the home page's out-weight with them.
    assert!(share(&ext, Model::Prominence, "/a") < share(&base, Model::Prominence, "/a"));
    let sum: f64 = ext.authority(Model::Prominence).share.iter().sum();
    assert!((sum - 1.0).abs() < 1e-12);
}

#[test]
fn prominence_merges_redirect_aliases_and_canonicals() {
    let mut s = site(Model::Prominence);
    s.ingest(page(
        "/",
        vec![link("/old", "Old menu"), link("/print", "Print")],
    ))
    .expect("ingest");
    let mut new = page("/menu", vec![]);
    new.requested_url = Some(u("/old"));
    s.ingest(new).expect("ingest");
    let mut print = page("/print", vec![]);
    print.canonical = Some(u("/menu"));
    s.ingest(print).expect("ingest");
    let a = s.authority(Model::Prominence);
    let old = s.graph().find(&u("/old")).expect("ok").expect("alias");
    let pr = s.graph().find(&u("/print")).expect("ok").expect("print");
    assert!(
        a.share_of(old).is_none() && a.share_of(pr).is_none(),
        "merged pages are not ranked"
    );
    assert_eq!(a.len(), 2);
    let r = s.page_report(&u("/old")).expect("report");
    assert_eq!(r.state, PageState::Redirect);
    assert_eq!(r.redirect_to.as_deref(), Some(u("/menu").as_str()));
    let menu = s.page_report(&u("/menu")).expect("report");
    assert_eq!(menu.inlinks.len(), 1);
    assert_eq!(menu.inlinks[0].via.as_deref(), Some(u("/old").as_str()));
}

#[test]
fn depth_counts_clicks_and_redirects_are_free() {
    let mut s = site(Model::Prominence);
    s.ingest(page("/", vec![link("/1", "One")]))
        .expect("ingest");
    s.ingest(page("/1", vec![link("/2-old", "Two")]))
        .expect("ingest");
    let mut two = page("/2", vec![link("/3", "Three")]);
    two.requested_url = Some(u("/2-old"));
    s.ingest(two).expect("ingest");
    let st = s.structure();
    let depth = |p: &str| st.depth_of(s.graph().find(&u(p)).expect("ok").expect("known"));
    assert_eq!(depth("/"), Some(0));
    assert_eq!(depth("/1"), Some(1));
    assert_eq!(depth("/2-old"), Some(2));
    assert_eq!(depth("/2"), Some(2));
    assert_eq!(depth("/3"), Some(3));
    // /3 is not visited: its own depth is final, but anything below it may still change.
    assert!(st.depth_final(s.graph().find(&u("/3")).expect("ok").expect("known")));
}

#[test]
fn depth_uses_the_configured_start_page() {
    let mut s = Site::new(
        ROOT,
        Settings {
            start_url: Some(u("/docs/")),
            ..Settings::default()
        },
    )
    .expect("site");
    s.ingest(page("/docs/", vec![link("/docs/a", "A")]))
        .expect("ingest");
    let r = s.page_report(&u("/docs/a")).expect("report");
    assert_eq!(r.depth, Some(1));
    assert!(Site::new(
        ROOT,
        Settings {
            start_url: Some("https://other.test/".into()),
            ..Settings::default()
        }
    )
    .is_err());
}

#[test]
fn orphans_unreachable_and_coverage_with_finality() {
    let mut s = site(Model::Prominence);
    s.ingest(page("/", vec![link("/a", "A")])).expect("ingest");
    s.ingest(page("/orphan", vec![link("/", "Home")]))
        .expect("ingest");
    let r = s.site_report();
    assert_eq!(r.orphans.pages.len(), 1);
    assert_eq!(r.orphans.pages[0].url, u("/orphan"));
    assert!(
        !r.orphans.is_final,
        "/a is not visited yet: it may link to the orphan"
    );
    assert_eq!((r.coverage.visited, r.coverage.discovered), (2, 1));
    assert_eq!(r.unreachable.len(), 1);
    s.ingest(page("/a", vec![])).expect("ingest");
    let r = s.site_report();
    assert!(r.orphans.is_final && r.coverage.complete);
    let p = s.page_report(&u("/orphan")).expect("report");
    let orphan = p
        .problems
        .iter()
        .find(|p| p.code == "orphan")
        .expect("orphan problem");
    assert!(orphan.is_final);
    assert!(p.problems.iter().any(|p| p.code == "unreachable"));
}

#[test]
fn deep_pages_are_reported() {
    let mut s = site(Model::Prominence);
    let chain = ["/", "/1", "/2", "/3", "/4", "/5"];
    for w in chain.windows(2) {
        s.ingest(page(w[0], vec![link(w[1], "Next chapter")]))
            .expect("ingest");
    }
    s.ingest(page("/5", vec![])).expect("ingest");
    let r = s.site_report();
    let deep: Vec<(String, u32)> = r
        .deep_pages
        .pages
        .iter()
        .map(|p| (p.url.clone(), p.depth))
        .collect();
    assert_eq!(deep, vec![(u("/5"), 5), (u("/4"), 4)]);
    assert!(r.deep_pages.is_final);
    let p = s.page_report(&u("/5")).expect("report");
    assert!(p.problems.iter().any(|p| p.code == "deep"));
}

#[test]
fn page_report_groups_inlinks_with_anchor_flags() {
    let mut s = site(Model::Prominence);
    s.ingest(page(
        "/",
        vec![
            link("/t", "Sourdough starter guide"),
            link("/t", "click here"),
            with(link("/t", ""), |l| l.has_image = Some(true)),
        ],
    ))
    .expect("ingest");
    s.ingest(page(
        "/other",
        vec![with(link("/t", "read more"), |l| {
            l.rel = Some("nofollow ugc".into())
        })],
    ))
    .expect("ingest");
    let mut t = page("/t", vec![]);
    t.title = Some("Sourdough starter".into());
    s.ingest(t).expect("ingest");
    let r = s.page_report(&u("/t")).expect("report");
    assert_eq!(r.inlinks.len(), 2);
    let home = r
        .inlinks
        .iter()
        .find(|g| g.source == u("/"))
        .expect("home group");
    let codes: Vec<AnchorCode> = home.links.iter().map(|l| l.quality.code).collect();
    assert_eq!(
        codes,
        vec![
            AnchorCode::Descriptive,
            AnchorCode::Generic,
            AnchorCode::ImageNoAlt
        ]
    );
    let other = r
        .inlinks
        .iter()
        .find(|g| g.source == u("/other"))
        .expect("other group");
    assert!(other.links[0].nofollow);
    assert_eq!(r.inlink_stats.occurrences, 4);
    assert!((r.inlink_stats.descriptive_share - 0.25).abs() < 1e-12);
    assert!(r
        .inlink_stats
        .match_words
        .contains(&"sourdough".to_string()));
    assert!(r.problems.iter().any(|p| p.code == "generic-anchors"));
    let a = r.authority.expect("ranked");
    assert!(a.rank >= 1 && a.rank <= a.of && (0.0..=100.0).contains(&a.score));
}

#[test]
fn site_report_pooling_generic_anchors_and_redirect_links() {
    let mut s = site(Model::Prominence);
    s.ingest(page(
        "/",
        vec![
            link("/a", "read more"),
            link("/b", "read more"),
            link("/old", "Old"),
        ],
    ))
    .expect("ingest");
    let mut n = page("/new", vec![]);
    n.requested_url = Some(u("/old"));
    s.ingest(n).expect("ingest");
    let r = s.site_report();
    let g = r
        .generic_anchors
        .iter()
        .find(|g| g.anchor == "read more")
        .expect("generic");
    assert_eq!((g.count, g.targets), (2, 2));
    assert_eq!(r.links_to_redirects.len(), 1);
    assert_eq!(r.links_to_redirects[0].redirect_to, u("/new"));
    assert_eq!(r.pooling.home.as_deref(), Some(ROOT));
    assert!(r.pooling.top1_pct_count >= 1 && r.pooling.top1_pct_share >= r.pooling.uniform_share);
    let home = s.page_report(ROOT).expect("report");
    assert!(home.problems.iter().any(|p| p.code == "links-to-redirects"));
}

#[test]
fn unknown_page_report_says_not_visited() {
    let s = site(Model::Prominence);
    let r = s.page_report(&u("/nowhere")).expect("report");
    assert!(!r.known);
    assert_eq!(r.problems[0].code, "not-visited");
    assert!(matches!(
        s.page_report("https://other.test/"),
        Err(Error::OutOfScope { .. })
    ));
}

#[test]
fn export_is_networkx_node_link_and_round_trips() {
    let s = star(Model::Prominence, link("/a", "Apples"));
    let text = s.export_json();
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["directed"], true);
    assert_eq!(v["multigraph"], false);
    assert_eq!(v["graph"]["schema"], "linkflow");
    assert_eq!(v["graph"]["version"], 1);
    assert_eq!(v["nodes"].as_array().map(Vec::len), Some(3));
    assert!(v["links"][0]["source"].is_string() && v["links"][0]["occurrences"].is_array());
    let again = Site::from_export_json(&text).expect("import").export_json();
    assert_eq!(again, text);
}

#[test]
fn import_merges_and_latest_visit_wins() {
    let mut a = site(Model::Prominence);
    let mut p = page("/", vec![link("/x", "X")]);
    p.observed_at = Some(1000.0);
    a.ingest(p).expect("ingest");
    let mut b = site(Model::Prominence);
    let mut p = page("/", vec![link("/y", "Y")]);
    p.observed_at = Some(2000.0);
    b.ingest(p).expect("ingest");
    b.ingest(page("/z", vec![])).expect("ingest");
    let summary = a.import_json(&b.export_json()).expect("import");
    assert!(summary.imported >= 2);
    let home = a.page_report(ROOT).expect("report");
    assert_eq!(home.outlinks.unique, 1);
    assert!(a.graph().find(&u("/y")).expect("ok").is_some());
    assert!(
        a.graph().find(&u("/x")).expect("ok").is_none(),
        "the older visit's link is gone"
    );
    assert!(a.graph().find(&u("/z")).expect("ok").is_some());
    // Importing an older visit keeps ours.
    let mut c = site(Model::Prominence);
    let mut p = page("/", vec![link("/old-link", "Old")]);
    p.observed_at = Some(10.0);
    c.ingest(p).expect("ingest");
    let s = a.import_json(&c.export_json()).expect("import");
    assert_eq!(s.kept, 1);
    assert!(a.graph().find(&u("/old-link")).expect("ok").is_none());
}

#[test]
fn bad_imports_are_refused_and_change_nothing() {
    let mut s = star(Model::Prominence, link("/a", "Apples"));
    let before = s.export_json();
    let other = Site::new("https://other.test/", Settings::default()).expect("site");
    let cases: Vec<(String, &str)> = vec![
        (before[..before.len() / 2].to_string(), "truncated"),
        (
            "{\"name\": \"a-package\", \"version\": \"1.0.0\"}".into(),
            "not a Linkflow export",
        ),
        (
            before.replace("\"version\":1", "\"version\":99"),
            "version 99",
        ),
        (other.export_json(), "other.test"),
        ("[1,2,3]".into(), "not an object"),
        ("not json at all".into(), "not JSON"),
        (
            before.replacen(
                "\"target\":\"https://site.test/a\"",
                "\"target\":\"https://site.test/nope\"",
                1,
            ),
            "not a node",
        ),
    ];
    for (text, expect) in cases {
        let e = s.import_json(&text).expect_err(expect);
        assert!(matches!(e, Error::Import(_)), "{e}");
        assert!(e.to_string().contains(expect), "{expect:?} not in {e}");
        assert_eq!(
            s.export_json(),
            before,
            "a refused import changed the graph ({expect})"
        );
    }
}

#[test]
fn snapshot_restores_the_same_graph_and_refuses_damage() {
    let s = star(Model::Prominence, link("/a", "Apples"));
    let bytes = s.snapshot();
    let r = Site::restore(&bytes).expect("restore");
    assert_eq!(r.export_json(), s.export_json());
    assert!(Site::restore(&bytes[..bytes.len() / 2]).is_err());
    assert!(Site::restore(b"garbage").is_err());
    assert!(Site::restore(&[]).is_err());
}

#[test]
fn revisit_replaces_and_noindex_nofollow_are_honoured() {
    let mut s = site(Model::Classic);
    s.ingest(page("/", vec![link("/a", "A")])).expect("ingest");
    let mut p = page("/", vec![link("/a", "A")]);
    p.meta_robots = Some("noindex,nofollow".into());
    s.ingest(p).expect("ingest");
    let r = s.page_report(ROOT).expect("report");
    assert_eq!(r.state, PageState::Noindex);
    assert_eq!(r.outlinks.nofollow, 1);
    let d: f64 = 0.85;
    // Home passes nothing now: both pages are effectively dangling, shares are equal.
    assert!((share(&s, Model::Classic, "/a") - 0.5).abs() < 1e-9, "{d}");
}

#[test]
fn settings_are_validated_and_normalisation_is_fixed() {
    let bad = Settings {
        damping: 1.5,
        ..Settings::default()
    };
    assert!(matches!(Site::new(ROOT, bad), Err(Error::InvalidConfig(_))));
    let mut s = site(Model::Prominence);
    let mut changed = s.settings().clone();
    changed.normalize.strip_index = false;
    assert!(s.set_settings(changed).is_err());
    let mut m = s.settings().clone();
    m.model = Model::Classic;
    s.set_settings(m).expect("model change");
    assert_eq!(s.site_report().model, "classic");
}

#[test]
fn personalization_moves_teleport() {
    let mut s = Site::new(
        ROOT,
        Settings {
            model: Model::Classic,
            personalization: Some([(u("/b"), 1.0)].into_iter().collect()),
            ..Settings::default()
        },
    )
    .expect("site");
    s.ingest(page("/", vec![link("/a", "A"), link("/b", "B")]))
        .expect("ingest");
    assert!(share(&s, Model::Classic, "/b") > share(&s, Model::Classic, "/a"));
}

#[test]
fn links_lighthouse_fails_are_flagged_even_when_their_name_is_descriptive() {
    let mut s = site(Model::Prominence);
    s.ingest(page(
        "/",
        vec![
            with(link("/t", "Read more"), |l| {
                l.aria_label = Some("Rye sourdough recipe".into())
            }),
            link("/t", "Rye sourdough recipe"),
        ],
    ))
    .expect("ingest");
    let r = s.page_report(&u("/t")).expect("report");
    let links = &r.inlinks[0].links;
    assert_eq!(
        links[0].quality.code,
        AnchorCode::Descriptive,
        "the accessible name is descriptive"
    );
    assert!(
        links[0].lighthouse_fails,
        "but Lighthouse reads the visible text"
    );
    assert!(!links[1].lighthouse_fails);
    assert!(r.problems.iter().any(|p| p.code == "generic-anchors"));
    let v: serde_json::Value = serde_json::from_str(&s.export_json()).expect("json");
    assert_eq!(v["links"][0]["occurrences"][0]["lighthouseFails"], true);
    let again = Site::restore(&s.snapshot()).expect("restore");
    assert!(again.page_report(&u("/t")).expect("report").inlinks[0].links[0].lighthouse_fails);
}

#[test]
fn hub_page_report_lists_the_strongest_sources_and_counts_the_rest() {
    let mut s = site(Model::Prominence);
    let n = linkflow::report::INLINK_GROUP_LIMIT + 50;
    let mut home = vec![];
    for i in 0..n {
        s.ingest(page(&format!("/p{i}"), vec![link("/", "Home")]))
            .expect("ingest");
        if i < 3 {
            home.push(link(&format!("/p{i}"), "Strong page"));
        }
    }
    s.ingest(page("/", home)).expect("ingest");
    let r = s.page_report(ROOT).expect("report");
    assert_eq!(r.inlinks.len(), linkflow::report::INLINK_GROUP_LIMIT);
    assert_eq!(r.inlinks_omitted, 50);
    assert_eq!(r.inlink_stats.sources, n);
    assert_eq!(r.inlink_stats.occurrences, n);
    // The three pages the home page links to are the strongest sources: listed first.
    let first: Vec<&str> = r.inlinks[..3].iter().map(|g| g.source.as_str()).collect();
    for i in 0..3 {
        assert!(first.contains(&u(&format!("/p{i}")).as_str()), "{first:?}");
    }
    // Equal shares: the sources in the order they were first seen (page index).
    let rest: Vec<&str> = r.inlinks[3..6].iter().map(|g| g.source.as_str()).collect();
    assert_eq!(rest, [u("/p3"), u("/p4"), u("/p5")], "{rest:?}");
}
