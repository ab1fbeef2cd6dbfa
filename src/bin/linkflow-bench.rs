//! `linkflow-bench`: native timings of the core on synthetic sites, printed as JSON, for
//! `scripts/bench-peers.py` and `docs/BENCHMARKS.md`.
//!
//! ```text
//! linkflow-bench pagerank --pages N --lpp L [--seed S] [--reps R] [--edges FILE] [--ranks FILE]
//!     Classic PageRank kernel (power_iteration over a prebuilt CSR) at the documented
//!     criterion (δ·d/(1−d) ≤ 1e-9) and at plain δ < 1e-9, plus a streaming/gather probe
//!     (the memory floor of one iteration). --edges writes the graph as "src dst" lines
//!     (little-endian u32 pairs when the path ends in .bin), --ranks the rank vector (one float a line) for accuracy checks.
//! linkflow-bench pagerank-turns --pages N --lpp L [--seed S]
//!     The same kernel on the same graph, one ranking per line read from stdin: prints
//!     `{"ready": true, "edges": E}` once the CSR is built, then `{"ms": …, "iterations": …}`
//!     per line, until stdin ends. `scripts/bench-browser.mjs` ranks in wasm and here in
//!     turns, one ranking each, so that each ratio compares the same second.
//! linkflow-bench site --pages N --lpp L [--seed S] [--reps R]
//!     Ingest of a 5,000-link observation, re-rank after one visit, page report, snapshot
//!     and restore, JSON export and import, memory per link occurrence (native: resident
//!     memory growth while the site is built, over its occurrences).
//! linkflow-bench restore --pages N --lpp L [--reps R]
//!     Snapshot once, then time restore alone (for profiling).
//! linkflow-bench csr --pages N --lpp L [--reps R]
//!     Time build_csr (prominence) alone (for profiling the re-rank).
//! linkflow-bench rerank --pages N --lpp L [--reps R]
//!     Revisit a page and re-rank, split into ingest and authority (for profiling).
//! linkflow-bench export --pages N --lpp L [--reps R]
//!     JSON export as written (straight from the graph) and through the typed document
//!     (the way before), checked equal, and the import.
//! linkflow-bench ingest --pages N --lpp L [--reps R]
//!     Ingest of a 5,000-link observation, again and again (for profiling).
//! ```

use std::io::Write as _;
use std::time::Instant;

use linkflow::authority::{build_csr, power_iteration, Csr};
use linkflow::synth::{Synth, SynthConfig};
use linkflow::{Model, ObservationRef, Site};

/// Resident memory of this process in bytes (Linux `/proc/self/statm`; 0 elsewhere).
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<usize>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

struct Args {
    cmd: String,
    pages: usize,
    lpp: usize,
    seed: u64,
    reps: usize,
    edges: Option<String>,
    ranks: Option<String>,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let cmd = it
        .next()
        .ok_or("usage: linkflow-bench pagerank|site [options]")?;
    let mut a = Args {
        cmd,
        pages: 100_000,
        lpp: 10,
        seed: 1,
        reps: 5,
        edges: None,
        ranks: None,
    };
    while let Some(k) = it.next() {
        let v = it.next().ok_or(format!("{k} needs a value"))?;
        let num = |v: &str| v.parse::<usize>().map_err(|e| format!("{k}: {e}"));
        match k.as_str() {
            "--pages" => a.pages = num(&v)?,
            "--lpp" => a.lpp = num(&v)?,
            "--seed" => a.seed = num(&v)? as u64,
            "--reps" => a.reps = num(&v)?.max(1),
            "--edges" => a.edges = Some(v),
            "--ranks" => a.ranks = Some(v),
            _ => return Err(format!("unknown option {k}")),
        }
    }
    Ok(a)
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn stats(v: &[f64]) -> String {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(0.0, f64::max);
    format!(
        "{{\"median\": {:.3}, \"min\": {lo:.3}, \"max\": {hi:.3}, \"runs\": {}}}",
        median(v),
        v.len()
    )
}

fn synth(a: &Args) -> Synth {
    Synth::new(SynthConfig {
        pages: a.pages,
        links_per_page: a.lpp,
        seed: a.seed,
        ..Default::default()
    })
}

/// The memory floor of one pull iteration: stream the in-link sources and offsets, gather
/// one value per in-link from a vector of `n` values, write `n` values. Returns ms per pass
/// for f64 and f32 gathered values.
/// One pass of the probe over `csr` reading `x`: stream the offsets and sources, gather
/// one value per link, write one per page. Returns its milliseconds.
fn probe_pass<T: Copy + Into<f64>>(csr: &Csr, x: &[T], y: &mut [f64]) -> f64 {
    let t = Instant::now();
    for (i, yi) in y.iter_mut().enumerate() {
        let (a, b) = (csr.off[i] as usize, csr.off[i + 1] as usize);
        let mut acc = 0.0f64;
        for &s in &csr.src[a..b] {
            acc += x[s as usize].into();
        }
        *yi = acc;
    }
    ms(t)
}

/// The probe: the least one pull iteration must touch (f64 and f32 gathered values).
struct Probe {
    x64: Vec<f64>,
    x32: Vec<f32>,
    y: Vec<f64>,
    t64: Vec<f64>,
    t32: Vec<f64>,
}

impl Probe {
    fn new(n: usize) -> Probe {
        let x64: Vec<f64> = (0..n).map(|i| 1.0 / (i + 1) as f64).collect();
        let x32 = x64.iter().map(|&v| v as f32).collect();
        Probe {
            x64,
            x32,
            y: vec![0f64; n],
            t64: Vec::new(),
            t32: Vec::new(),
        }
    }

    /// `passes` passes of each kind; returns the median f64 and f32 passes of these.
    fn run(&mut self, csr: &Csr, passes: usize) -> (f64, f64) {
        let (mut t64, mut t32) = (Vec::new(), Vec::new());
        for _ in 0..passes {
            t64.push(probe_pass(csr, &self.x64, &mut self.y));
            t32.push(probe_pass(csr, &self.x32, &mut self.y));
            std::hint::black_box(self.y[self.y.len() / 2]);
        }
        self.t64.extend(&t64);
        self.t32.extend(&t32);
        (median(&t64), median(&t32))
    }
}

/// `pagerank-turns` (see the module docs).
fn pagerank_turns(a: &Args) -> Result<(), String> {
    use std::io::BufRead as _;
    let s = synth(a);
    let edges = s.classic_edges();
    let n = s.pages();
    let csr = Csr::from_unit_edges(n, &edges);
    let tele = vec![1.0 / n as f64; n];
    let mut out = std::io::stdout().lock();
    let say = |out: &mut std::io::StdoutLock<'_>, line: String| -> Result<(), String> {
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())
    };
    say(
        &mut out,
        format!("{{\"ready\": true, \"edges\": {}}}", edges.len()),
    )?;
    for line in std::io::stdin().lock().lines() {
        line.map_err(|e| e.to_string())?;
        let t = Instant::now();
        let r = power_iteration(&csr, 0.85, &tele, 1e-9, 10_000, None);
        let run = ms(t);
        say(
            &mut out,
            format!("{{\"ms\": {run:.3}, \"iterations\": {}}}", r.iterations),
        )?;
    }
    Ok(())
}

fn pagerank(a: &Args) -> Result<(), String> {
    let t = Instant::now();
    let s = synth(a);
    let edges = s.classic_edges();
    let gen_ms = ms(t);
    let n = s.pages();
    let occurrences: usize = (0..n).map(|i| s.links(i).len()).sum();
    if let Some(path) = &a.edges {
        let f = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
        let mut w = std::io::BufWriter::new(f);
        let binary = path.ends_with(".bin");
        for &(x, y) in &edges {
            if binary {
                w.write_all(&x.to_le_bytes()).map_err(|e| e.to_string())?;
                w.write_all(&y.to_le_bytes()).map_err(|e| e.to_string())?;
            } else {
                writeln!(w, "{x} {y}").map_err(|e| e.to_string())?;
            }
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    let t = Instant::now();
    let csr = Csr::from_unit_edges(n, &edges);
    let csr_ms = ms(t);
    let tele = vec![1.0 / n as f64; n];
    let d = 0.85;
    // Documented criterion: δ·d/(1−d) ≤ 1e-9. Plain: δ < 1e-9 (tolerance scaled to match).
    let mut strict = Vec::new();
    let mut plain = Vec::new();
    let mut res = None;
    let mut res_plain = None;
    // The probe runs between the ranking runs, and each run's time per iteration is divided
    // by the probe of the same moment: on a shared machine the memory bandwidth left to us
    // changes from one second to the next.
    let mut probe = Probe::new(n);
    // Against the f64 probe, and the f32 one: a cold ranking of 2^18+ pages gathers f32
    // values in its first sweeps, so its floor lies between the two.
    let (mut ratios, mut ratios32) = (Vec::new(), Vec::new());
    for _ in 0..a.reps {
        let before = probe.run(&csr, 3);
        let t = Instant::now();
        let r = power_iteration(&csr, d, &tele, 1e-9, 10_000, None);
        let run = ms(t);
        let after = probe.run(&csr, 3);
        let per_sweep = run / f64::from(r.iterations);
        ratios.push(per_sweep / median(&[before.0, after.0]));
        ratios32.push(per_sweep / median(&[before.1, after.1]));
        strict.push(run);
        res = Some(r);
        let t = Instant::now();
        let r = power_iteration(&csr, d, &tele, 1e-9 * d / (1.0 - d), 10_000, None);
        plain.push(ms(t));
        res_plain = Some(r);
    }
    let (res, res_plain) = (res.ok_or("no run")?, res_plain.ok_or("no run")?);
    if let Some(path) = &a.ranks {
        let f = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
        let mut w = std::io::BufWriter::new(f);
        for v in &res.rank {
            writeln!(w, "{v:.17e}").map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    let (p64, p32) = (median(&probe.t64), median(&probe.t32));
    let per_iter = median(&strict) / f64::from(res.iterations);
    println!(
        "{{\"bench\": \"pagerank\", \"pages\": {n}, \"occurrences\": {occurrences}, \
         \"edges\": {}, \"generate_ms\": {gen_ms:.1}, \"csr_ms\": {csr_ms:.1}, \
         \"strict\": {{\"ms\": {}, \"iterations\": {}, \"residual\": {:.3e}}}, \
         \"plain\": {{\"ms\": {}, \"iterations\": {}, \"residual\": {:.3e}}}, \
         \"per_iteration_ms\": {per_iter:.3}, \
         \"probe_ms\": {{\"gather_f64\": {p64:.3}, \"gather_f32\": {p32:.3}}}, \
         \"per_iteration_over_probe\": {}, \"per_iteration_over_probe_f32\": {}}}",
        edges.len(),
        stats(&strict),
        res.iterations,
        res.residual,
        stats(&plain),
        res_plain.iterations,
        res_plain.residual,
        stats(&ratios),
        stats(&ratios32),
    );
    Ok(())
}

fn site_suite(a: &Args) -> Result<(), String> {
    let s = synth(a);
    let before = rss();
    let t = Instant::now();
    let mut site = s.site();
    let build_ms = ms(t);
    let live = rss().saturating_sub(before);
    let g = site.graph();
    let occ = g.occurrence_count();
    let (pages, edges) = (g.page_count(), g.edge_count());
    let bytes_per_occ = live as f64 / occ as f64;

    // Authority from cold (CSR build + power iteration + order).
    let t = Instant::now();
    let cold = site.authority(Model::Prominence);
    let cold_ms = ms(t);
    let cold_iter = cold.iterations;
    drop(cold);
    let t = Instant::now();
    let classic = site.authority(Model::Classic);
    let cold_classic_ms = ms(t);
    let classic_iter = classic.iterations;
    drop(classic);

    // Where a cold authority run goes: CSR build, then the power iteration.
    let t = Instant::now();
    let (_, _, pcsr) = build_csr(site.graph(), Model::Prominence, site.settings());
    let build_csr_ms = ms(t);
    let tele = vec![1.0 / pcsr.len() as f64; pcsr.len()];
    let t = Instant::now();
    let pr = power_iteration(&pcsr, 0.85, &tele, 1e-9, 1000, None);
    let power_ms = ms(t);
    std::hint::black_box(pr);

    // Re-rank after one visit: page 17 is revisited with one extra body link.
    let mut rerank = Vec::new();
    let mut rerank_iter = 0;
    let mut ingest_one = Vec::new();
    for k in 0..a.reps {
        let mut obs = s.observation(17 + k);
        let mut extra = obs.links[obs.links.len() / 2].clone();
        extra.href = s.url(1000 + k);
        extra.text = Some(s.title(1000 + k));
        obs.links.push(extra);
        let t = Instant::now();
        site.ingest(obs).map_err(|e| e.to_string())?;
        ingest_one.push(ms(t));
        let t = Instant::now();
        let auth = site.authority(Model::Prominence);
        rerank.push(ms(t));
        rerank_iter = auth.iterations;
    }

    // Popup data: page report of a popular page, cache warm (authority already computed).
    let mut report = Vec::new();
    for k in 0..a.reps {
        let url = s.url(1 + k % 3);
        let t = Instant::now();
        let r = site.page_report(&url).map_err(|e| e.to_string())?;
        report.push(ms(t));
        std::hint::black_box(r);
    }

    // A typical (body) page.
    let mut report_body = Vec::new();
    for k in 0..a.reps {
        let url = s.url(5_000 + k);
        let t = Instant::now();
        let r = site.page_report(&url).map_err(|e| e.to_string())?;
        report_body.push(ms(t));
        std::hint::black_box(r);
    }

    // Ingest of a 5,000-link observation as the worker gets it, JSON text (after a first
    // visit, so it replaces outlinks).
    let wide = s.wide_observation_json(5_000);
    let t = Instant::now();
    ingest_json(&mut site, &wide)?;
    let ingest_first = ms(t);
    let mut ingest = Vec::new();
    for _ in 0..a.reps {
        let t = Instant::now();
        ingest_json(&mut site, &wide)?;
        ingest.push(ms(t));
    }

    // Snapshot and restore (the storage half of a cold wake), then the first report.
    let mut snap = Vec::new();
    let mut restore = Vec::new();
    let mut wake = Vec::new();
    let mut bytes = Vec::new();
    for _ in 0..a.reps {
        let t = Instant::now();
        bytes = site.snapshot();
        snap.push(ms(t));
        let t = Instant::now();
        let r = Site::restore(&bytes).map_err(|e| e.to_string())?;
        restore.push(ms(t));
        let rep = r.page_report(&s.url(1)).map_err(|e| e.to_string())?;
        wake.push(ms(t));
        std::hint::black_box(rep);
    }

    // JSON export and import.
    let mut export = Vec::new();
    let mut import = Vec::new();
    let mut json_len = 0;
    for _ in 0..a.reps.min(3) {
        let t = Instant::now();
        let json = site.export_json();
        export.push(ms(t));
        json_len = json.len();
        let t = Instant::now();
        let r = Site::from_export_json(&json).map_err(|e| e.to_string())?;
        import.push(ms(t));
        std::hint::black_box(r);
    }
    println!(
        "{{\"bench\": \"site\", \"pages\": {pages}, \"edges\": {edges}, \"occurrences\": {occ}, \
         \"build_ms\": {build_ms:.1}, \"rss_growth_bytes\": {live}, \
         \"bytes_per_occurrence\": {bytes_per_occ:.1}, \
         \"authority_cold_ms\": {{\"prominence\": {cold_ms:.1}, \"iterations\": {cold_iter}, \
         \"classic\": {cold_classic_ms:.1}, \"classic_iterations\": {classic_iter}, \
         \"build_csr_prominence\": {build_csr_ms:.1}, \"power_prominence\": {power_ms:.1}}}, \
         \"ingest_revisit_ms\": {}, \"rerank_ms\": {}, \"rerank_iterations\": {rerank_iter}, \
         \"page_report_hub_ms\": {}, \"page_report_body_ms\": {}, \"ingest_5000_first_ms\": {ingest_first:.2}, \"ingest_5000_ms\": {}, \
         \"snapshot_ms\": {}, \"snapshot_bytes\": {}, \"restore_ms\": {}, \
         \"restore_to_report_ms\": {}, \"export_ms\": {}, \"export_bytes\": {json_len}, \
         \"import_ms\": {}}}",
        stats(&ingest_one),
        stats(&rerank),
        stats(&report),
        stats(&report_body),
        stats(&ingest),
        stats(&snap),
        bytes.len(),
        stats(&restore),
        stats(&wake),
        stats(&export),
        stats(&import),
    );
    Ok(())
}

/// Snapshot → restore only, `reps` times (for profiling the cold wake).
fn restore_only(a: &Args) -> Result<(), String> {
    let s = synth(a);
    let site = s.site();
    let body = s.url(5000.min(a.pages - 1));
    // Ranked before the snapshot, as in the extension: the snapshot carries the shares.
    site.page_report(&body).map_err(|e| e.to_string())?;
    let bytes = site.snapshot();
    drop(site);
    let (mut times, mut auth, mut st, mut rep) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..a.reps {
        let t = Instant::now();
        let r = Site::restore(&bytes).map_err(|e| e.to_string())?;
        times.push(ms(t));
        // The first report after a wake, in its parts.
        let t = Instant::now();
        r.authority(r.settings().model);
        auth.push(ms(t));
        let t = Instant::now();
        r.structure();
        st.push(ms(t));
        let t = Instant::now();
        r.page_report(&body).map_err(|e| e.to_string())?;
        rep.push(ms(t));
        std::mem::forget(r); // keep drop time (and allocator reuse) out of the profile
    }
    println!(
        "{{\"bench\": \"restore\", \"bytes\": {}, \"restore_ms\": {}, \"first_authority_ms\": {}, \"first_structure_ms\": {}, \"first_report_rest_ms\": {}}}",
        bytes.len(),
        stats(&times),
        stats(&auth),
        stats(&st),
        stats(&rep)
    );
    Ok(())
}

/// `build_csr` (prominence) alone, `reps` times (for profiling the re-rank).
fn csr_only(a: &Args) -> Result<(), String> {
    let site = synth(a).site();
    let mut times = Vec::new();
    for _ in 0..a.reps {
        let t = Instant::now();
        let r = build_csr(site.graph(), Model::Prominence, site.settings());
        times.push(ms(t));
        std::hint::black_box(r);
    }
    println!("{{\"bench\": \"build_csr\", \"ms\": {}}}", stats(&times));
    Ok(())
}

/// Revisit one page (one extra link) and re-rank, `reps` times, split into the ingest and
/// the authority run (for profiling).
fn rerank_only(a: &Args) -> Result<(), String> {
    let s = synth(a);
    let mut site = s.site();
    site.authority(Model::Prominence);
    let (mut ingest, mut rank) = (Vec::new(), Vec::new());
    let mut iterations = 0;
    for k in 0..a.reps {
        let mut obs = s.observation(17 + k);
        let mut extra = obs.links[obs.links.len() / 2].clone();
        extra.href = s.url(1000 + k);
        obs.links.push(extra);
        let t = Instant::now();
        site.ingest(obs).map_err(|e| e.to_string())?;
        ingest.push(ms(t));
        let t = Instant::now();
        iterations = site.authority(Model::Prominence).iterations;
        rank.push(ms(t));
    }
    // What the popup waits for after a visit: the report of a page (authority, structure,
    // inlinks), as bench-browser.mjs measures it in wasm.
    let body = s.url(5000.min(a.pages - 1));
    let mut report = Vec::new();
    for k in 0..a.reps {
        let mut obs = s.observation(17 + a.reps + k);
        let mut extra = obs.links[obs.links.len() / 2].clone();
        extra.href = s.url(2000 + k);
        obs.links.push(extra);
        let t = Instant::now();
        site.ingest(obs).map_err(|e| e.to_string())?;
        site.page_report(&body).map_err(|e| e.to_string())?;
        report.push(ms(t));
    }
    println!(
        "{{\"bench\": \"rerank\", \"ingest_ms\": {}, \"authority_ms\": {}, \"iterations\": {iterations}, \"visit_then_report_ms\": {}}}",
        stats(&ingest),
        stats(&rank),
        stats(&report)
    );
    Ok(())
}

/// JSON export of the site: as written (straight from the graph into bytes) and through the
/// typed document (`export_doc` + `serde_json::to_string`, the way before the direct
/// writer, same bytes), with the size, and the import of it.
fn export_only(a: &Args) -> Result<(), String> {
    let site = synth(a).site();
    site.authority(Model::Prominence);
    site.authority(Model::Classic);
    site.structure();
    let (mut direct_ms, mut doc_ms, mut string_ms, mut import_ms) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut bytes = 0;
    for _ in 0..a.reps {
        let t = Instant::now();
        let direct = site.export_json_bytes();
        direct_ms.push(ms(t));
        let t = Instant::now();
        let doc = site.export_doc();
        doc_ms.push(ms(t));
        let t = Instant::now();
        let compact = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
        string_ms.push(ms(t));
        drop(doc);
        if direct != compact.as_bytes() {
            return Err("the direct export differs from the document's".into());
        }
        bytes = direct.len();
        drop(direct);
        let t = Instant::now();
        let r = Site::from_export_json(&compact).map_err(|e| e.to_string())?;
        import_ms.push(ms(t));
        drop(r);
    }
    let total: Vec<f64> = doc_ms.iter().zip(&string_ms).map(|(a, b)| a + b).collect();
    println!(
        "{{\"bench\": \"export\", \"export_ms\": {}, \"export_bytes\": {bytes}, \
         \"via_doc_ms\": {}, \"via_doc_build_ms\": {}, \"via_doc_string_ms\": {}, \
         \"import_ms\": {}}}",
        stats(&direct_ms),
        stats(&total),
        stats(&doc_ms),
        stats(&string_ms),
        stats(&import_ms)
    );
    Ok(())
}

/// Ingest of a 5,000-link observation, `reps` times, into a 100k-page site (profiling).
/// Parses observation JSON in place and ingests it: the worker's `ingestJson`.
fn ingest_json(site: &mut Site, text: &str) -> Result<(), String> {
    let o = ObservationRef::from_js_json(text).map_err(|e| e.to_string())?;
    site.ingest(o).map_err(|e| e.to_string())?;
    Ok(())
}

/// Ingest of a 5,000-link observation: from the content script's JSON text (the worker's
/// path), and from an owned `RawObservation` (parsing left out), alternated.
fn ingest_only(a: &Args) -> Result<(), String> {
    let s = synth(a);
    let mut site = s.site();
    let text = s.wide_observation_json(5_000);
    let rows_text = s.wide_observation_rows_json(5_000);
    let owned = s.wide_observation(5_000);
    let (mut json, mut rows, mut obj) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..a.reps {
        let t = Instant::now();
        ingest_json(&mut site, &text)?;
        json.push(ms(t));
        let t = Instant::now();
        ingest_json(&mut site, &rows_text)?;
        rows.push(ms(t));
        let o = owned.clone();
        let t = Instant::now();
        site.ingest(o).map_err(|e| e.to_string())?;
        obj.push(ms(t));
    }
    println!(
        "{{\"bench\": \"ingest_5000\", \"json_bytes\": {}, \"ms\": {}, \"rows_json_bytes\": {}, \"rows_ms\": {}, \"owned_ms\": {}}}",
        text.len(),
        stats(&json),
        rows_text.len(),
        stats(&rows),
        stats(&obj)
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let r = parse().and_then(|a| match a.cmd.as_str() {
        "pagerank" => pagerank(&a),
        "pagerank-turns" => pagerank_turns(&a),
        "site" => site_suite(&a),
        "restore" => restore_only(&a),
        "csr" => csr_only(&a),
        "rerank" => rerank_only(&a),
        "export" => export_only(&a),
        "ingest" => ingest_only(&a),
        other => Err(format!("unknown command {other}")),
    });
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("linkflow-bench: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
