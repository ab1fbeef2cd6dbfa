//! Criterion benchmarks of the core on synthetic sites (`linkflow::synth`).
//!
//! `cargo bench --bench core` measures; `cargo bench --bench core -- --test` (CI's smoke run)
//! runs each benchmark once on small sites. `LINKFLOW_BENCH_SMOKE=1` also shrinks the sizes.
//! The 1M-page figures come from `src/bin/linkflow-bench.rs` (see docs/BENCHMARKS.md).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use linkflow::authority::{power_iteration, Csr};
use linkflow::synth::{Synth, SynthConfig};
use linkflow::{Model, ObservationRef, Site};

/// Small sizes for CI: `-- --test` or `LINKFLOW_BENCH_SMOKE=1`.
fn smoke() -> bool {
    std::env::args().any(|a| a == "--test")
        || std::env::var("LINKFLOW_BENCH_SMOKE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Pages of the "100k-page" site (2,000 in smoke mode).
fn pages() -> usize {
    if smoke() {
        2_000
    } else {
        100_000
    }
}

fn synth(pages: usize, lpp: usize) -> Synth {
    Synth::new(SynthConfig {
        pages,
        links_per_page: lpp,
        ..Default::default()
    })
}

fn classic_csr(s: &Synth) -> Csr {
    Csr::from_unit_edges(s.pages(), &s.classic_edges())
}

fn pagerank(c: &mut Criterion) {
    let s = synth(pages(), 10);
    let csr = classic_csr(&s);
    let n = csr.len();
    let tele = vec![1.0 / n as f64; n];
    let mut g = c.benchmark_group("pagerank");
    g.sample_size(20);
    g.bench_function("kernel classic 100k/1M", |b| {
        b.iter(|| black_box(power_iteration(&csr, 0.85, &tele, 1e-9, 1000, None)));
    });
    let site = s.site();
    g.bench_function("authority prominence 100k/1M cold", |b| {
        b.iter_batched(
            || site.clone(),
            |site| black_box(site.authority(Model::Prominence).iterations),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn visits(c: &mut Criterion) {
    let s = synth(pages(), 10);
    let mut site = s.site();
    site.authority(Model::Prominence);
    let mut g = c.benchmark_group("visit");
    g.sample_size(10);
    let mut k = 0usize;
    g.bench_function("re-rank after one visit 100k", |b| {
        b.iter(|| {
            k += 1;
            let mut obs = s.observation(17 + k % 50);
            let mut extra = obs.links[obs.links.len() / 2].clone();
            extra.href = s.url(1000 + k % 1000);
            obs.links.push(extra);
            site.ingest(obs).expect("ingest");
            black_box(site.authority(Model::Prominence).iterations)
        });
    });
    // As the worker ingests it: the content script's JSON text, read in place.
    let wide = s.wide_observation_json(5_000);
    g.bench_function("ingest 5000-link observation (JSON text)", |b| {
        b.iter(|| {
            let o = ObservationRef::from_js_json(&wide).expect("parses");
            black_box(site.ingest(o).expect("ingest").internal)
        });
    });
    site.authority(Model::Prominence);
    let body = s.url(5_000.min(s.pages() - 1));
    g.bench_function("page report, body page, 100k", |b| {
        b.iter(|| black_box(site.page_report(&body).expect("report")));
    });
    let hub = s.url(1);
    g.bench_function("page report, hub page, 100k", |b| {
        b.iter(|| black_box(site.page_report(&hub).expect("report")));
    });
    g.finish();
}

fn storage(c: &mut Criterion) {
    let s = synth(pages(), 10);
    let site = s.site();
    let mut g = c.benchmark_group("storage");
    g.sample_size(10);
    g.bench_function("snapshot 100k", |b| b.iter(|| black_box(site.snapshot())));
    let bytes = site.snapshot();
    // The restored site is dropped outside the timing (freeing 1M small blocks is slow).
    g.bench_function("restore 100k", |b| {
        b.iter_with_large_drop(|| Site::restore(&bytes).expect("restore"));
    });
    let url = s.url(1);
    g.bench_function("cold wake 100k (restore + first page report)", |b| {
        b.iter_with_large_drop(|| {
            let site = Site::restore(&bytes).expect("restore");
            let report = site.page_report(&url).expect("report");
            (site, report)
        });
    });
    g.finish();
}

fn export(c: &mut Criterion) {
    // 1M links in full mode: 100k pages × 10.
    let s = synth(pages(), 10);
    let site = s.site();
    site.authority(Model::Prominence);
    site.authority(Model::Classic);
    let mut g = c.benchmark_group("export");
    g.sample_size(10);
    g.bench_function("export json 1M links", |b| {
        // Bytes straight from the graph, as the extension's worker writes the file.
        b.iter_with_large_drop(|| black_box(site.export_json_bytes()));
    });
    let json = site.export_json();
    g.bench_function("import json 1M links", |b| {
        b.iter_with_large_drop(|| Site::from_export_json(&json).expect("import"));
    });
    g.finish();
}

criterion_group!(benches, pagerank, visits, storage, export);
criterion_main!(benches);
