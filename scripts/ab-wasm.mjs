// A/B of two wasm builds in one node process, alternating, so both see the same moments of
// a noisy machine (docs/BENCHMARKS.md, "Run 9").
//
//   node scripts/ab-wasm.mjs DIR_A DIR_B [pagerank|ingest|rerank|cold-restore] [--pages N] [--rounds N]
//
// DIR_A and DIR_B are `wasm-bindgen --target web` outputs of `--features bench` builds
// (see the commands in docs/BENCHMARKS.md). `pagerank` ranks each build's synthetic site
// (default 1,000,000 pages, 10 links a page) and compares ms per sweep; `ingest` times the
// core's ingest of the 5,000-link observation on a 100,000-page site (no JSON, no boundary);
// `rerank` visits a page of the 100,000-page site (its links plus one more, as
// bench-browser.mjs's re-rank row) and times the prominence ranking after it, the visit
// untimed.
// `cold-restore` restores each build's own snapshot of the 100,000-page site and answers
// one page report, each time in a fresh node process (fresh wasm memory, unoptimised code,
// as in a woken worker), the builds in turns (default 16 rounds); it compares restore +
// first report. With `--journal K` each restore first replays K visits written after the
// snapshot (pages revisited with one link replaced), as a worker replays its journal.
// Node flags given to this script reach those processes (`node --no-wasm-tier-up …`), and
// `taskset -c 1 node …` holds them to one core.
// Prints each build's median and minimum, and B/A per round (median, rounds B was faster).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// A child of `cold-restore`: one restore and one report, printed as JSON.
if (process.argv[2] === "--cold-child") {
  const [, , , dir, snap, pages, journalFile] = process.argv;
  const m = await import(`file://${path.resolve(dir)}/linkflow.js`);
  m.initSync({ module: fs.readFileSync(`${path.resolve(dir)}/linkflow_bg.wasm`) });
  const bytes = new Uint8Array(fs.readFileSync(snap));
  const url = m.benchUrl(Number(pages), 10, 1, Math.min(5000, Number(pages) - 1));
  const journal = journalFile ? JSON.parse(fs.readFileSync(journalFile, "utf8")) : [];
  const t0 = performance.now();
  const site = m.LinkflowSite.restore(bytes);
  const t1 = performance.now();
  for (const [json, at] of journal) site.ingestJson(json, at);
  const t2 = performance.now();
  site.pageReport(url);
  const t3 = performance.now();
  console.log(JSON.stringify({ restore: t1 - t0, replay: t2 - t1, report: t3 - t2 }));
  process.exit(0);
}

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const [dirA, dirB, mode = "pagerank"] = positional;
if (!dirA || !dirB || !["pagerank", "ingest", "rerank", "cold-restore"].includes(mode)) {
  console.error("usage: node scripts/ab-wasm.mjs DIR_A DIR_B [pagerank|ingest|rerank|cold-restore] [--pages N] [--rounds N] [--journal K]");
  process.exit(2);
}
const pages = opt("--pages", mode === "pagerank" ? 1000000 : 100000);
const rounds = opt("--rounds", { pagerank: 20, ingest: 300, rerank: 60, "cold-restore": 16 }[mode]);
const journalLength = opt("--journal", 0);
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];

if (mode === "cold-restore") {
  // Each build writes its own snapshot (formats may differ between builds).
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "linkflow-ab-"));
  const builds = [];
  for (const [i, dir] of [dirA, dirB].entries()) {
    const abs = path.resolve(dir);
    const m = await import(`file://${abs}/linkflow.js?${i}`);
    m.initSync({ module: fs.readFileSync(`${abs}/linkflow_bg.wasm`) });
    if (typeof m.benchSite !== "function") throw new Error(`${dir}: not a --features bench build`);
    const snap = path.join(tmp, `snapshot-${i}.bin`);
    const site = m.benchSite(pages, 10, 1);
    fs.writeFileSync(snap, site.snapshot()); // ranks first, as a worker's snapshot does
    site.free();
    // Visits after the snapshot: spread pages, each with its last link replaced.
    const journal = [];
    for (let k = 0; k < journalLength; k++) {
      const o = m.benchObservation(pages, 10, 1, Math.floor(((k * 7919 + 17) % 1000) * (pages / 1000)));
      o.links.pop();
      o.links.push({ href: m.benchUrl(pages, 10, 1, (k * 104729 + 3) % pages), text: `Visit ${k} link` });
      journal.push([JSON.stringify(o), o.url]);
    }
    const journalFile = path.join(tmp, `journal-${i}.json`);
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    builds.push({ dir, snap, journalFile, t: [] });
  }
  const self = fileURLToPath(import.meta.url);
  const ratios = [];
  for (let i = 0; i < rounds; i++) {
    for (const b of i % 2 ? builds : [...builds].reverse()) {
      // The children get this process's node flags (e.g. `node --no-wasm-tier-up …`).
      const argv = [...process.execArgv, self, "--cold-child", b.dir, b.snap, String(pages), b.journalFile];
      const out = execFileSync(process.execPath, argv, {
        encoding: "utf8",
      });
      const r = JSON.parse(out.trim().split("\n").pop());
      b.t.push({ ...r, total: r.restore + r.replay + r.report });
    }
    ratios.push(builds[1].t[i].total / builds[0].t[i].total);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const b of builds) {
    const f = (k) => med(b.t.map((x) => x[k])).toFixed(1);
    console.log(
      `${b.dir}: restore median ${f("restore")} ms, ` +
        (journalLength ? `replay of ${journalLength} ${f("replay")} ms, ` : "") +
        `first report ${f("report")} ms, ` +
        `both ${f("total")} (min ${Math.min(...b.t.map((x) => x.total)).toFixed(1)})`,
    );
  }
  console.log(
    `B/A per round: median ${med(ratios).toFixed(3)}; B faster in ${ratios.filter((r) => r < 1).length} of ${rounds}`,
  );
  process.exit(0);
}

const subjects = [];
for (const dir of [dirA, dirB]) {
  const abs = path.resolve(dir);
  // A query string per build: node caches modules by URL, and both builds are named alike.
  const m = await import(`file://${abs}/linkflow.js?${subjects.length}`);
  m.initSync({ module: fs.readFileSync(`${abs}/linkflow_bg.wasm`) });
  if (typeof m.BenchGraph !== "function") throw new Error(`${dir}: not a --features bench build`);
  const x = { dir, t: [] };
  if (mode === "pagerank") {
    const g = new m.BenchGraph(pages, 10, 1);
    x.run = () => {
      const t0 = performance.now();
      const sweeps = g.pagerank();
      return (performance.now() - t0) / sweeps;
    };
  } else if (mode === "rerank") {
    const site = m.benchSite(pages, 10, 1);
    site.benchAuthority();
    let k = 0;
    x.run = () => {
      // The same visits in the same order for both builds.
      const obs = m.benchObservation(pages, 10, 1, 17 + k);
      obs.links.push({ ...obs.links[obs.links.length >> 1], href: m.benchUrl(pages, 10, 1, 1000 + (k % 50000)) });
      k++;
      site.ingest(obs);
      const t0 = performance.now();
      site.benchAuthority();
      return performance.now() - t0;
    };
  } else {
    const site = m.benchSite(pages, 10, 1);
    const text = m.benchWideObservationJson(pages, 10, 1, 5000);
    x.run = () => site.benchIngestParsed(text, 1)[0];
  }
  subjects.push(x);
}
// Warm up until both builds run optimised code.
const w0 = performance.now();
while (performance.now() - w0 < 4000) for (const x of subjects) x.run();
const ratios = [];
for (let i = 0; i < rounds; i++) {
  for (const x of i % 2 ? subjects : [...subjects].reverse()) x.t.push(x.run());
  ratios.push(subjects[1].t[i] / subjects[0].t[i]);
}
const unit = { pagerank: "ms per sweep", ingest: "ms per ingest", rerank: "ms per re-rank" }[mode];
for (const x of subjects) {
  console.log(`${x.dir}: ${unit} median ${med(x.t).toFixed(3)}, min ${Math.min(...x.t).toFixed(3)}`);
}
console.log(
  `B/A per round: median ${med(ratios).toFixed(3)}; B faster in ${ratios.filter((r) => r < 1).length} of ${rounds}`,
);
