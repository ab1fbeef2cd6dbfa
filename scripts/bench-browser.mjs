#!/usr/bin/env node
// In-browser figures for docs/BENCHMARKS.md: the built extension's wasm core, in headless
// Debian Chromium (playwright-core), inside the real extension.
//
//   node scripts/bench-browser.mjs --pkg DIR [--quick] [--reps N] [--instances N]   (DIR: a wasm built with
//   `--features bench`, see docs/BENCHMARKS.md)
//                                                      [--only pagerank,site,ingest,export,wake]
//                                                      [--ext DIR]  (default: extension/)
//                                                      [--native BIN|none]  (PageRank: wasm and
//                                                      native in turns; default target/release/linkflow-bench)
//                                                      [--busy N]  (N processes spin on a core
//                                                      each for the whole run: figures under load)
//   (`ingest` times the 5,000-link ingest as the worker makes it, `ingestJson(text, url)`
//   on the JSON text the content script sends, beside `ingest(object)`, in one page)
//
// The extension folder (extension/, with pkg/ from `./build.sh build`, or --pkg DIR) is
// copied to a temporary folder with one extra empty page, bench.html, so timings run in an
// extension page (same V8, same wasm, same IndexedDB as the worker). The cold wake is timed
// in the real service worker: a 100k-page snapshot is written to IndexedDB through
// extension/storage.js, the worker is stopped (CDP), and a pageReport message wakes it;
// then the same with one visit in the journal after the snapshot (cold_wake_journal1_100k).
// Prints one JSON document on stdout; progress on stderr.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const QUICK = argv.includes("--quick");
// --only pagerank,site,ingest,export,wake: run only these groups.
const ONLY = new Set(opt("--only", "pagerank,site,ingest,export,wake").split(","));
const REPS = Number(opt("--reps", QUICK ? 2 : 5));
// --instances N: fresh pages the ingest group runs in (default 5).
const INSTANCES = Number(opt("--instances", QUICK ? 1 : 5));
const PKG = path.resolve(opt("--pkg", path.join(ROOT, "extension/pkg")));
// --ext DIR: bench another copy of extension/ (e.g. an older commit's, to compare wakes).
const EXT = path.resolve(opt("--ext", path.join(ROOT, "extension")));
// --native BIN: the native benchmark binary the PageRank group runs in turns with wasm, one
// ranking each (`BIN pagerank-turns`; default target/release/linkflow-bench; skipped when
// absent, or with --native none).
const NATIVE = opt("--native", path.join(ROOT, "target/release/linkflow-bench"));
// --busy N: N other processes, each spinning on a core for the whole run, so that figures
// "with a core taken" come from a command too (on this 2-core machine, --busy 1).
const BUSY = Number(opt("--busy", 0));
if (!Number.isInteger(BUSY) || BUSY < 0) {
  console.error("bench-browser: --busy takes a number of processes (0, 1, …)");
  process.exit(2);
}
// The benchmark entry points (BenchGraph, benchSite…) exist only in a wasm built with
// `--features bench`; the shipped extension leaves them out.
if (!fs.readFileSync(path.join(PKG, "linkflow.js"), "utf8").includes("BenchGraph")) {
  console.error(
    `bench-browser: ${PKG} has no benchmark entry points. Build them with\n` +
      "  cargo build --release --target wasm32-unknown-unknown --lib --features bench\n" +
      "  .tools/bin/wasm-bindgen --target web --no-typescript --remove-name-section --out-dir /tmp/pkg \\\n" +
      "      --out-name linkflow target/wasm32-unknown-unknown/release/linkflow.wasm\n" +
      "and run again with --pkg /tmp/pkg.",
  );
  process.exit(2);
}
const SMALL = QUICK ? 2_000 : 100_000; // "100k pages" (1M links)
const BIG = QUICK ? 20_000 : 1_000_000; // "1M pages" (10M links)
const LPP = 10;
const SEED = 1;

const log = (...a) => console.error(...a);
// The median of numbers (the functions run in pages keep their own copy: they are sent as
// source and cannot see this one).
const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

function prepareExtension() {
  for (const f of ["linkflow.js", "linkflow_bg.wasm"]) {
    if (!fs.existsSync(path.join(PKG, f))) throw new Error(`${path.join(PKG, f)} is missing: run ./build.sh build`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "linkflow-bench-ext-"));
  fs.cpSync(EXT, dir, { recursive: true });
  fs.rmSync(path.join(dir, "pkg"), { recursive: true, force: true });
  fs.cpSync(PKG, path.join(dir, "pkg"), { recursive: true });
  fs.writeFileSync(path.join(dir, "bench.html"), "<!doctype html><meta charset=utf-8><title>bench</title>\n");
  return dir;
}

/**
 * One cold wake, step by step, from the page's send/receive times and the worker's marks
 * (extension/background.js `mark`; both on the same clock: timeOrigin + now). Reading
 * IndexedDB overlaps the wasm compilation, so the steps do not add up to the total; the
 * marks also come as a timeline (ms since the message was sent). Older workers lack some
 * marks: idbStart (IndexedDB opened after the wasm), siteRead (snapshotRead: the journal
 * was read after the restore, inside "journal"), restoreStart.
 */
function wakeSteps(r, w) {
  const fixed = { sent: r.sent, received: r.received, origin: w.origin };
  const at = (k) => fixed[k] ?? (w[k] == null ? NaN : w.origin + w[k]);
  w = { ...w, idbStart: w.idbStart ?? w.wasmReady, siteRead: w.siteRead ?? w.snapshotRead };
  w.restoreStart ??= w.siteRead;
  const steps = [
    ["worker_start", "sent", "origin"], // the browser starts the worker for the message
    ["scripts", "origin", "script"], // background.js + imports fetched, compiled, run
    ["wasm_init", "script", "wasmReady"], // fetch + compile + instantiate the module
    ["idb_open", "idbStart", "idbOpen"],
    ["idb_sites", "idbOpen", "sitesRead"],
    ["idb_read", "sitesRead", "siteRead"], // the snapshot (and the journal, one transaction)
    ["wait_wasm", "siteRead", "restoreStart"], // bytes in hand, the wasm not ready yet
    ["restore", "restoreStart", "restored"], // copy into wasm memory + LinkflowSite.restore
    ["journal", "restored", "replayed"], // replay (older workers: read + replay)
    ["to_loaded", "replayed", "loaded"], // older workers: the registration check
    ["first_report", "reportStart", "reportDone"],
    ["site_info", "reportDone", "siteInfo"], // stats()
    ["answer", "siteInfo", "received"], // structured clone, message back
  ];
  const out = { total: r.received - r.sent };
  for (const [k, a, b] of steps) out[k] = at(b) - at(a);
  out.timeline = {};
  for (const k of ["origin", ...Object.keys(w).filter((k) => k !== "origin")]) out.timeline[k] = +(at(k) - r.sent).toFixed(1);
  return out;
}

/** Starts `n` processes that spin until this one exits. */
function startBusy(n) {
  const kids = [];
  for (let i = 0; i < n; i++) {
    kids.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  }
  process.on("exit", () => kids.forEach((k) => k.kill("SIGKILL")));
  return kids;
}

async function main() {
  const busy = startBusy(BUSY);
  const extDir = prepareExtension();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "linkflow-bench-profile-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.LINKFLOW_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage", `--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`,
    ],
  });
  const out = { date: new Date().toISOString(), quick: QUICK, reps: REPS, pkg: PKG, ext: EXT,
                busy: busy.length, loadavg: os.loadavg(), results: {} };
  try {
    let sw = context.serviceWorkers().find((w) => w.url().startsWith("chrome-extension://"));
    if (!sw) sw = await context.waitForEvent("serviceworker", { timeout: 20_000 });
    const id = new URL(sw.url()).host;
    out.browser = context.browser()?.version() ?? null;
    const benchUrl = `chrome-extension://${id}/bench.html`;

    // Each measurement in a fresh page: a fresh wasm instance (memory starts small).
    async function inPage(name, fn, arg) {
      const page = await context.newPage();
      await page.goto(benchUrl);
      log(`… ${name}`);
      try {
        const r = await page.evaluate(fn, arg);
        out.results[name] = r;
        log(`  ${name}: ${JSON.stringify(r)}`);
        return r;
      } catch (e) {
        out.results[name] = { error: String(e.message || e).slice(0, 500) };
        log(`  ${name}: ERROR ${out.results[name].error}`);
        return null;
      } finally {
        await page.close();
      }
    }

    // `turns` pairs of one wasm ranking (of `globalThis.benchGraph` in `page`) and one
    // native ranking of the same graph (a `pagerank-turns` process of `native`).
    async function pairedTurns(page, native, pages, edges, turns) {
      const child = spawn(native, ["pagerank-turns", "--pages", String(pages), "--lpp", String(LPP),
        "--seed", String(SEED)], { stdio: ["pipe", "pipe", "inherit"] });
      const exited = new Promise((resolve) => child.on("exit", resolve));
      let buf = "";
      const waiting = [];
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          waiting.shift()?.resolve(line);
        }
      });
      const fail = (why) => { for (const w of waiting.splice(0)) w.reject(new Error(`${native} pagerank-turns: ${why}`)); };
      child.on("exit", (code) => fail(`exited (${code})`));
      child.on("error", (e) => fail(e.message));
      const nextLine = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      const nativeRank = async () => {
        const line = nextLine();
        child.stdin.write("rank\n");
        return JSON.parse(await line).ms;
      };
      const wasmRank = () => page.evaluate(() => {
        const t0 = performance.now();
        globalThis.benchGraph.pagerank();
        return performance.now() - t0;
      });
      try {
        const ready = JSON.parse(await nextLine());
        if (ready.edges !== edges) throw new Error(`native graph has ${ready.edges} edges, wasm ${edges}`);
        for (let i = 0; i < 2; i++) await nativeRank(); // its first rankings fault in memory
        const list = [];
        for (let k = 0; k < turns; k++) {
          let wasm, nat;
          if (k % 2) { nat = await nativeRank(); wasm = await wasmRank(); }
          else { wasm = await wasmRank(); nat = await nativeRank(); }
          list.push({ wasm_ms: wasm, native_ms: nat, ratio: wasm / nat });
        }
        const ratios = list.map((t) => t.ratio);
        return { native, how: "one ranking each, in turns, one native process", turns: list,
                 wasm_over_native: med(ratios), min: Math.min(...ratios), max: Math.max(...ratios),
                 wasm_ms: med(list.map((t) => t.wasm_ms)), native_ms: med(list.map((t) => t.native_ms)) };
      } finally {
        child.stdin.end();
        await exited;
      }
    }

    const common = { SMALL, BIG, LPP, SEED, REPS };

    // PageRank kernel in wasm, plus the probe; then wasm and the native kernel in turns.
    for (const [label, pages] of ONLY.has("pagerank") ? [["pagerank_100k_1M", SMALL], ["pagerank_1M_10M", BIG]] : []) {
      const page = await context.newPage();
      await page.goto(benchUrl);
      log(`… ${label}`);
      try {
        const r = await page.evaluate(async ({ pages, LPP, SEED, REPS }) => {
          const m = await import(chrome.runtime.getURL("pkg/linkflow.js"));
          await m.default();
          const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
          const g = new m.BenchGraph(pages, LPP, SEED);
          globalThis.benchGraph = g; // kept for the paired turns below
          // Warm-up: V8 compiles wasm with Liftoff first and tiers hot functions up to
          // TurboFan in the background; time only once the optimised code runs.
          // Liftoff → TurboFan takes a while on a busy 2-core machine: warm up for at least 2 s.
          const w0 = performance.now();
          for (let i = 0; i < 4 || performance.now() - w0 < 2000; i++) g.pagerank();
          const t = [], p = [];
          let iterations = 0;
          for (let i = 0; i < REPS; i++) {
            const t0 = performance.now();
            iterations = g.pagerank();
            t.push(performance.now() - t0);
          }
          for (let i = 0; i < 3; i++) g.probe();
          for (let i = 0; i < REPS * 3; i++) {
            const t0 = performance.now();
            g.probe();
            p.push(performance.now() - t0);
          }
          return { pages, edges: g.edges(), iterations, ms: med(t), min: Math.min(...t), max: Math.max(...t),
                   per_iteration_ms: med(t) / iterations, probe_ms: med(p) };
        }, { ...common, pages });
        // wasm vs native at the same moment: the machine's memory bandwidth changes from one
        // second to the next, so one native process holds the same graph and ranks once per
        // line it reads (`linkflow-bench pagerank-turns`), and the two rank in turns, one
        // ranking each (which goes first alternates); each pair gives one ratio.
        if (NATIVE && fs.existsSync(NATIVE)) {
          r.paired_with_native = await pairedTurns(page, NATIVE, pages, r.edges, REPS * 3);
        }
        out.results[label] = r;
        log(`  ${label}: ${JSON.stringify(r)}`);
      } catch (e) {
        out.results[label] = { error: String(e.message || e).slice(0, 500) };
        log(`  ${label}: ERROR ${out.results[label].error}`);
      } finally {
        await page.close();
      }
    }

    // Memory per link occurrence, ingest, re-rank, popup report, snapshot/restore.
    if (ONLY.has("site")) await inPage("site_100k", async ({ SMALL, LPP, SEED, REPS }) => {
      const m = await import(chrome.runtime.getURL("pkg/linkflow.js"));
      const w = await m.default();
      const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
      const r = {};
      const before = w.memory.buffer.byteLength;
      let t0 = performance.now();
      const site = m.benchSite(SMALL, LPP, SEED);
      r.build_ms = performance.now() - t0;
      const after = w.memory.buffer.byteLength;
      const stats = site.stats();
      r.stats = stats;
      r.memory_bytes = after - before;
      r.bytes_per_occurrence = (after - before) / stats.links;
      const hub = m.benchUrl(SMALL, LPP, SEED, 1);
      const body = m.benchUrl(SMALL, LPP, SEED, Math.min(5000, SMALL - 1));
      t0 = performance.now();
      site.pageReport(body);
      r.first_report_cold_ms = performance.now() - t0;
      // Re-rank after one visit: ingest one observation (one extra link), then the report.
      const ing = [], rer = [], auth = [];
      for (let k = 0; k < REPS; k++) {
        const obs = m.benchObservation(SMALL, LPP, SEED, 17 + k);
        const extra = { ...obs.links[obs.links.length >> 1], href: m.benchUrl(SMALL, LPP, SEED, 1000 + k) };
        obs.links.push(extra);
        t0 = performance.now();
        site.ingest(obs);
        const t1 = performance.now();
        site.pageReport(body);
        rer.push(performance.now() - t0);
        ing.push(t1 - t0);
      }
      r.ingest_one_visit_ms = med(ing);
      r.rerank_after_visit_ms = med(rer);
      r.rerank_after_visit_runs = rer;
      // The re-rank alone (authority after one visit, no structure or report).
      for (let k = 0; k < REPS; k++) {
        const obs = m.benchObservation(SMALL, LPP, SEED, 17 + REPS + k);
        const extra = { ...obs.links[obs.links.length >> 1], href: m.benchUrl(SMALL, LPP, SEED, 2000 + k) };
        obs.links.push(extra);
        site.ingest(obs);
        t0 = performance.now();
        r.rerank_iterations = site.benchAuthority();
        auth.push(performance.now() - t0);
      }
      r.authority_after_visit_ms = med(auth);
      r.authority_after_visit_runs = auth;
      const rb = [], rh = [];
      for (let k = 0; k < REPS; k++) {
        t0 = performance.now();
        site.pageReport(body);
        rb.push(performance.now() - t0);
        t0 = performance.now();
        site.pageReport(hub);
        rh.push(performance.now() - t0);
      }
      r.page_report_body_ms = med(rb);
      r.page_report_hub_ms = med(rh);
      // Ingest of a 5,000-link observation as the worker gets it (JSON text without the
      // absent fields), first time, then as a revisit.
      const wideText = m.benchWideObservationJson(SMALL, LPP, SEED, 5000);
      const wideUrl = JSON.parse(wideText).url;
      const wi = [];
      for (let k = 0; k <= REPS; k++) {
        t0 = performance.now();
        site.ingestJson(wideText, wideUrl);
        wi.push(performance.now() - t0);
      }
      r.ingest_5000_first_ms = wi[0];
      r.ingest_5000_ms = med(wi.slice(1));
      // Snapshot / restore in wasm.
      const sn = [], rs = [];
      let bytes = null;
      for (let k = 0; k < REPS; k++) {
        t0 = performance.now();
        bytes = site.snapshot();
        sn.push(performance.now() - t0);
        t0 = performance.now();
        const s2 = m.LinkflowSite.restore(bytes);
        rs.push(performance.now() - t0);
        s2.free();
      }
      r.snapshot_ms = med(sn);
      r.snapshot_bytes = bytes.length;
      r.restore_ms = med(rs);
      // JSON export / import: the "export" group.
      site.free();
      return r;
    }, common);

    // JSON export of 1M links as the worker makes the download (exportJsonParts → Blob →
    // BroadcastChannel to the popup, extension/export-handoff.js), the same as one Uint8Array,
    // and as one JS string (the only way before exportJsonParts; what an older --pkg offers),
    // then the import. The first export also runs the classic model cold (the export writes
    // both models); it is timed apart from the repetitions.
    if (ONLY.has("export")) await inPage("export_100k", async ({ SMALL, LPP, SEED, REPS }) => {
      const m = await import(chrome.runtime.getURL("pkg/linkflow.js"));
      const w = await m.default();
      const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
      const site = m.benchSite(SMALL, LPP, SEED);
      // The worker has usually answered a report before an export (prominence model computed).
      site.pageReport(m.benchUrl(SMALL, LPP, SEED, 1));
      const r = { stats: site.stats() };
      const type = "application/json";
      const parts = typeof site.exportJsonParts === "function";
      let t0 = performance.now();
      let before = w.memory.buffer.byteLength;
      if (parts) {
        const blob = new Blob(site.exportJsonParts(), { type });
        r.first_export = { how: "parts+blob", ms: performance.now() - t0, bytes: blob.size };
      } else {
        const json = site.exportJson();
        r.first_export = { how: "string", ms: performance.now() - t0, chars: json.length };
      }
      r.first_export.memory_growth_bytes = w.memory.buffer.byteLength - before;
      if (parts) {
        before = w.memory.buffer.byteLength;
        const wasm = [], total = [];
        let blob = null;
        for (let k = 0; k < REPS; k++) {
          blob = null;
          t0 = performance.now();
          const p = site.exportJsonParts();
          const t1 = performance.now();
          blob = new Blob(p, { type });
          total.push(performance.now() - t0);
          wasm.push(t1 - t0);
          r.parts = p.length;
        }
        r.parts_blob_ms = med(total);
        r.parts_blob_runs = total;
        r.parts_wasm_only_ms = med(wasm);
        r.parts_bytes = blob.size;
        try {
          // Several 250 MB Blobs made in a row: Chrome may page them to disk, and reading one
          // back has failed here once (NotReadableError); say so rather than lose the timings.
          r.parts_head = await blob.slice(0, 30).text();
          r.parts_tail = await blob.slice(blob.size - 30).text();
        } catch (e) {
          r.parts_read_error = String(e.message || e).slice(0, 300);
        }
        r.parts_memory_growth_bytes = w.memory.buffer.byteLength - before;
        // The hand-off to the popup (extension/export-handoff.js), within this page.
        try {
          const h = await import(chrome.runtime.getURL("export-handoff.js"));
          const incoming = h.expectExport("bench");
          t0 = performance.now();
          h.offerExport("bench", blob);
          const got = await incoming.file;
          r.handoff_ms = performance.now() - t0;
          r.handoff_bytes = got.size;
        } catch (e) {
          r.handoff_error = String(e.message || e).slice(0, 300);
        }
      }
      if (typeof m.benchExportJsonBytes === "function") {
        before = w.memory.buffer.byteLength;
        const total = [];
        let blob = null;
        for (let k = 0; k < REPS; k++) {
          blob = null;
          t0 = performance.now();
          blob = new Blob([m.benchExportJsonBytes(site)], { type });
          total.push(performance.now() - t0);
        }
        r.bytes_blob_ms = med(total);
        r.bytes_bytes = blob.size;
        r.bytes_memory_growth_bytes = w.memory.buffer.byteLength - before;
      }
      try {
        const str = [], strBlob = [], imp = [];
        let json = null;
        for (let k = 0; k < REPS; k++) {
          json = null;
          t0 = performance.now();
          json = site.exportJson();
          const t1 = performance.now();
          const blob = new Blob([json], { type });
          strBlob.push(performance.now() - t0);
          str.push(t1 - t0);
          r.string_blob_bytes = blob.size;
        }
        r.string_ms = med(str);
        r.string_runs = str;
        r.string_blob_ms = med(strBlob);
        r.string_chars = json.length;
        for (let k = 0; k < Math.min(REPS, 3); k++) {
          t0 = performance.now();
          const s3 = m.LinkflowSite.fromExportJson(json);
          imp.push(performance.now() - t0);
          s3.free();
        }
        r.import_ms = med(imp);
        r.import_runs = imp;
        // The import as a worker makes it: the text encoded to UTF-8 bytes, merged into a site
        // it holds (here a fresh instance of the module, its own wasm memory, holding a 10-page
        // site), its code never run before (`?fresh`: a second copy of the glue, so a second
        // instance). Wasm memory never shrinks: its growth is what the worker then holds until
        // it stops. Then the same export with one non-ASCII anchor near its start (as real
        // exports have), in a third instance, once as bytes and, for what the string would
        // cost, once as a string in a fourth.
        const coldImport = async (tag, text, asBytes) => {
          const f = await import(chrome.runtime.getURL(`pkg/linkflow.js?${tag}`));
          const fw = await f.default();
          const into = f.LinkflowSite.restore(f.benchSite(10, LPP, SEED).snapshot());
          const b0 = fw.memory.buffer.byteLength;
          const t = performance.now();
          const arg = asBytes && typeof TextEncoder === "function" ? new TextEncoder().encode(text) : text;
          into.importJson(arg);
          const out = { ms: performance.now() - t, growth: fw.memory.buffer.byteLength - b0, links: into.stats().links };
          into.free();
          return out;
        };
        try {
          const a = await coldImport("fresh", json, true);
          r.import_cold_merge_ms = a.ms;
          r.import_memory_growth_bytes = a.growth;
          r.import_occurrences = a.links;
          r.import_json_bytes = new TextEncoder().encode(json).length;
          const at = json.indexOf('"anchor":"') + 10;
          const accented = json.slice(0, at) + "é" + json.slice(at);
          const b = await coldImport("fresh-accented", accented, true);
          r.import_accented_cold_merge_ms = b.ms;
          r.import_accented_memory_growth_bytes = b.growth;
          const c = await coldImport("fresh-accented-string", accented, false);
          r.import_accented_as_string_cold_merge_ms = c.ms;
          r.import_accented_as_string_memory_growth_bytes = c.growth;
        } catch (e) {
          r.import_cold_error = String(e.message || e).slice(0, 300);
        }
      } catch (e) {
        r.string_error = String(e.message || e).slice(0, 300);
      }
      site.free();
      return r;
    }, common);

    // Ingest of a 5,000-link observation across the wasm boundary. The worker's path: the
    // content script sends the observation as JSON text with its links as columns (made in
    // the page's process) and the worker calls `ingestJson(text, url)`; that call is the
    // figure. Beside it, in the same page on the same site, after a warm-up: the same text
    // with the links as objects (the earlier form, `rows_text_ms`), the object path
    // (`ingest(object)`, serde-wasm-bindgen), the text as UTF-8 bytes (`TextEncoder` timed
    // in), what `JSON.stringify` of the columns costs the content script, and (bench
    // builds) parsing alone and the core's ingest with no boundary at all.
    // Timings differ between page instances of the same module (memory placement, tier-up),
    // so the group runs in INSTANCES fresh pages and reports the median of their medians.
    if (ONLY.has("ingest")) {
      const runs = [];
      for (let i = 0; i < INSTANCES; i++) {
        const r = await inPage(`ingest_5000_100k#${i + 1}`, ingestGroup, common);
        delete out.results[`ingest_5000_100k#${i + 1}`];
        if (r) runs.push(r);
      }
      const agg = { instances: runs.length };
      for (const k of Object.keys(runs[0] || {})) {
        if (typeof runs[0][k] === "number") agg[k] = med(runs.map((r) => r[k]));
      }
      agg.worker_path_ms_by_instance = runs.map((r) => r.worker_path_ms);
      agg.runs = runs;
      out.results.ingest_5000_100k = agg;
      log(`  ingest_5000_100k: worker path ${agg.worker_path_ms} ms (instances ${agg.worker_path_ms_by_instance.join(", ")}); links as objects ${agg.rows_text_ms} ms`);
    }
    async function ingestGroup({ SMALL, LPP, SEED, REPS }) {
      const m = await import(chrome.runtime.getURL("pkg/linkflow.js"));
      await m.default();
      const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
      const site = m.benchSite(SMALL, LPP, SEED);
      // The text content.js would send, and the object it is made from.
      const text = m.benchWideObservationJson(SMALL, LPP, SEED, 5000);
      // The same page with its links as objects (the form before columns).
      const rowsText = m.benchWideObservationRowsJson(SMALL, LPP, SEED, 5000);
      const wide = JSON.parse(rowsText);
      const columns = JSON.parse(text); // what content.js stringifies (its columns made)
      const url = wide.url;
      const enc = new TextEncoder();
      const r = { links: wide.links.length, json_bytes: enc.encode(text).length, rows_json_bytes: enc.encode(rowsText).length };
      let t0 = performance.now();
      site.ingestJson(text, url);
      r.first_visit_ms = performance.now() - t0;
      // Same summary every way.
      const a = JSON.stringify(site.ingest(wide));
      const b = JSON.stringify(site.ingestJson(enc.encode(text)));
      const c = JSON.stringify(site.ingestJson(text, url));
      const d = JSON.stringify(site.ingestJson(rowsText, url));
      if (a !== b || a !== c || a !== d) throw new Error(`ingest and ingestJson disagree: ${a} / ${b} / ${c} / ${d}`);
      const reps = Math.max(REPS, 15);
      // The worker path alone first, warmed up alone: the object path leaves garbage (one
      // JS object per link) whose collection would otherwise land in the worker's timings.
      const w0 = performance.now();
      while (performance.now() - w0 < 1500) site.ingestJson(text, url);
      // One loop per path, so that each pays for its own garbage collections.
      const worker = [], rows = [], obj = [], bytes = [], str = [];
      for (let k = 0; k < reps; k++) {
        t0 = performance.now();
        site.ingestJson(text, url);
        worker.push(performance.now() - t0);
      }
      for (let k = 0; k < reps; k++) {
        t0 = performance.now();
        site.ingestJson(rowsText, url);
        rows.push(performance.now() - t0);
      }
      for (let k = 0; k < reps; k++) {
        t0 = performance.now();
        site.ingest(wide);
        obj.push(performance.now() - t0);
      }
      for (let k = 0; k < reps; k++) {
        t0 = performance.now();
        site.ingestJson(enc.encode(text));
        bytes.push(performance.now() - t0);
      }
      for (let k = 0; k < reps; k++) {
        t0 = performance.now();
        JSON.stringify(columns);
        str.push(performance.now() - t0);
      }
      r.worker_path_ms = med(worker);
      r.worker_path_min_ms = Math.min(...worker);
      r.worker_path_runs = worker.map((x) => +x.toFixed(2));
      r.rows_text_ms = med(rows);
      r.object_ms = med(obj);
      r.bytes_with_encode_ms = med(bytes);
      r.content_script_stringify_ms = med(str);
      r.object_over_worker_path = r.object_ms / r.worker_path_ms;
      // Where the worker path's time goes (bench builds only).
      if (typeof m.benchParseObservationJson === "function") {
        const pt = [];
        for (let k = 0; k < reps; k++) {
          t0 = performance.now();
          m.benchParseObservationJson(text);
          pt.push(performance.now() - t0);
        }
        r.text_in_and_parse_ms = med(pt);
        r.core_ingest_ms = med(Array.from(site.benchIngestParsed(text, reps)));
      }
      site.free();
      return r;
    }

    // Cold wake in the real worker: snapshot in IndexedDB, worker stopped, one pageReport.
    if (ONLY.has("wake")) await coldWake();
    async function coldWake() {
    const setupPage = await context.newPage();
    await setupPage.goto(benchUrl);
    log("… cold wake (real worker)");
    const setup = await setupPage.evaluate(async ({ SMALL, LPP, SEED }) => {
      const m = await import(chrome.runtime.getURL("pkg/linkflow.js"));
      await m.default();
      const store = await import(chrome.runtime.getURL("storage.js"));
      const site = m.benchSite(SMALL, LPP, SEED);
      const bytes = site.snapshot();
      const origin = "https://synth.test";
      await store.putSite({ origin, siteUrl: origin + "/", settings: {}, trackedAt: Date.now(), tracking: true });
      await store.compact(origin, bytes, 1, null);
      // In-page breakdown of the same path: read the record, restore, report.
      const t0 = performance.now();
      const rec = await store.getSnapshot(origin);
      const t1 = performance.now();
      const s2 = m.LinkflowSite.restore(rec.bytes);
      const t2 = performance.now();
      s2.pageReport(m.benchUrl(SMALL, LPP, SEED, Math.min(5000, SMALL - 1)));
      const t3 = performance.now();
      s2.free();
      site.free();
      // A visit after the snapshot (a page revisited with one link replaced), for the wakes
      // that replay a journal entry.
      const o = m.benchObservation(SMALL, LPP, SEED, Math.floor(SMALL / 3));
      o.links.pop();
      o.links.push({ href: m.benchUrl(SMALL, LPP, SEED, 7), text: "A link added since the snapshot" });
      return { snapshot_bytes: bytes.length, idb_read_ms: t1 - t0, restore_ms: t2 - t1, first_report_ms: t3 - t2,
               body: m.benchUrl(SMALL, LPP, SEED, Math.min(5000, SMALL - 1)), visit: JSON.stringify(o) };
    }, common);
    const { visit, ...setupFigures } = setup;
    // Wake the worker from a page that never loaded the wasm: V8 shares a compiled module
    // between the isolates of a process, so a page still holding it would spare the worker
    // its compilation (and hand it code already optimised by the setup).
    await setupPage.close();
    const page = await context.newPage();
    await page.goto(benchUrl);
    const cdp = await context.newCDPSession(page);
    await cdp.send("HeapProfiler.collectGarbage");
    await cdp.send("ServiceWorker.enable");
    // REPS wakes, each answering one pageReport: the times and the worker's marks.
    const wakeLoop = async () => {
      const wakes = [];
      const steps = [];
      for (let k = 0; k < REPS; k++) {
        await cdp.send("ServiceWorker.stopAllWorkers");
        await new Promise((r) => setTimeout(r, 300));
        const t0 = Date.now();
        const r = await page.evaluate(async (url) => {
          const sent = performance.timeOrigin + performance.now();
          const ans = await chrome.runtime.sendMessage({ type: "pageReport", url });
          return { ok: ans?.ok === true, error: ans?.error, sent, received: performance.timeOrigin + performance.now() };
        }, setup.body);
        const dt = Date.now() - t0;
        if (!r.ok) throw new Error(`pageReport after wake failed: ${String(r.error).slice(0, 300)}`);
        wakes.push(dt);
        // The woken worker's own marks (extension/background.js `wake`): ms since it started.
        // (Playwright keeps one Worker object for the extension's worker across restarts.)
        const sw = context.serviceWorkers().find((x) => x.url().startsWith(`chrome-extension://${id}/`));
        const w = await sw.evaluate(() => ({ origin: performance.timeOrigin, ...globalThis.linkflowWake }));
        steps.push(wakeSteps(r, w));
      }
      const s = [...wakes].sort((a, b) => a - b);
      const breakdown = {};
      for (const key of Object.keys(steps[0])) {
        if (key !== "timeline") breakdown[key] = +med(steps.map((x) => x[key])).toFixed(1);
      }
      const timeline = {};
      for (const key of Object.keys(steps[0].timeline)) timeline[key] = med(steps.map((x) => x.timeline[key] ?? NaN));
      return { worker_wake_to_report_ms: s[s.length >> 1], runs: wakes, worker_breakdown_ms: breakdown,
               worker_timeline_ms: timeline, worker_breakdown_runs: steps };
    };
    out.results.cold_wake_100k = { ...setupFigures, ...(await wakeLoop()) };
    log(`  cold_wake_100k: ${JSON.stringify({ ...out.results.cold_wake_100k, worker_breakdown_runs: undefined })}`);
    // The same wakes with one visit in the journal after the snapshot (what a worker stopped
    // before it folded the journal in leaves): the woken worker replays it, and its first
    // report cannot take the stored shares. (Each wake is stopped long before the worker
    // would fold the visit in.)
    await page.evaluate(async (json) => {
      const store = await import(chrome.runtime.getURL("storage.js"));
      await store.appendJournal("https://synth.test", json);
    }, visit);
    out.results.cold_wake_journal1_100k = await wakeLoop();
    log(`  cold_wake_journal1_100k: ${JSON.stringify({ ...out.results.cold_wake_journal1_100k, worker_breakdown_runs: undefined })}`);
    await page.close();
    // Memory per occurrence as the worker holds a site after a wake: a fresh wasm instance,
    // the snapshot read from IndexedDB, wasm memory growth across the restore.
    await inPage("memory_after_restore_100k", async () => {
      const m = await import(chrome.runtime.getURL("pkg/linkflow.js"));
      const w = await m.default();
      const store = await import(chrome.runtime.getURL("storage.js"));
      const rec = await store.getSnapshot("https://synth.test");
      const before = w.memory.buffer.byteLength;
      const site = m.LinkflowSite.restore(rec.bytes);
      const after = w.memory.buffer.byteLength;
      site.pageReport("https://synth.test/p/5000");
      const answered = w.memory.buffer.byteLength;
      const links = site.stats().links;
      // ... and after the idle fold writes its snapshot (in parts, not restored there).
      const t0 = performance.now();
      const folded = new Blob(site.snapshotParts()).size;
      const foldMs = performance.now() - t0;
      const afterFold = w.memory.buffer.byteLength;
      site.free();
      return { snapshot_bytes: rec.bytes.length, memory_bytes: after - before, occurrences: links,
               bytes_per_occurrence: (after - before) / links,
               // ... and once it has answered the first page report (what a woken worker holds).
               answered_memory_bytes: answered - before,
               answered_bytes_per_occurrence: (answered - before) / links,
               fold_snapshot_bytes: folded, fold_ms: foldMs,
               folded_bytes_per_occurrence: (afterFold - before) / links };
    });
    }
  } finally {
    busy.forEach((k) => k.kill("SIGKILL"));
    await context.close().catch(() => {});
    fs.rmSync(extDir, { recursive: true, force: true });
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
