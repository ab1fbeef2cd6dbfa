// A/B of two wasm builds in one node process, alternating, so both see the same moments of
// a noisy machine (docs/BENCHMARKS.md, "Run 9").
//
//   node scripts/ab-wasm.mjs DIR_A DIR_B [pagerank|ingest] [--pages N] [--rounds N]
//
// DIR_A and DIR_B are `wasm-bindgen --target web` outputs of `--features bench` builds
// (see the commands in docs/BENCHMARKS.md). `pagerank` ranks each build's synthetic site
// (default 1,000,000 pages, 10 links a page) and compares ms per sweep; `ingest` times the
// core's ingest of the 5,000-link observation on a 100,000-page site (no JSON, no boundary).
// Prints each build's median and minimum, and B/A per round (median, rounds B was faster).
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const [dirA, dirB, mode = "pagerank"] = positional;
if (!dirA || !dirB || !["pagerank", "ingest"].includes(mode)) {
  console.error("usage: node scripts/ab-wasm.mjs DIR_A DIR_B [pagerank|ingest] [--pages N] [--rounds N]");
  process.exit(2);
}
const pages = opt("--pages", mode === "pagerank" ? 1000000 : 100000);
const rounds = opt("--rounds", mode === "pagerank" ? 20 : 300);

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
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const unit = mode === "pagerank" ? "ms per sweep" : "ms per ingest";
for (const x of subjects) {
  console.log(`${x.dir}: ${unit} median ${med(x.t).toFixed(3)}, min ${Math.min(...x.t).toFixed(3)}`);
}
console.log(
  `B/A per round: median ${med(ratios).toFixed(3)}; B faster in ${ratios.filter((r) => r < 1).length} of ${rounds}`,
);
