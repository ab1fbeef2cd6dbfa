// A real site: the Rust Book (~460 mdBook pages, sidebar built by JavaScript), visited page
// by page with the extension. The export (through the popup's Export JSON button) must hold
// exactly the internal links an independent reader finds in the same rendered pages, and its
// classic shares must equal networkx.pagerank on them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { serve } from "./serve.mjs";
import { launchWithExtension, launchPlain, tempDir, htmlPaths, ROOT, ensureOut } from "./lib/ext.mjs";
import { openControl, track, waitObserved } from "./lib/demo.mjs";
import { openPopup } from "./lib/popup.mjs";
import { normalizeUrl } from "./lib/urlnorm.mjs";

const run = promisify(execFile);
const BOOK = path.join(execFileSync("rustc", ["--print", "sysroot"], { encoding: "utf8" }).trim(), "share/doc/rust/html/book");
const PYTHON = process.env.LINKFLOW_PYTHON || path.join(ROOT, ".venv/bin/python");
const TABS = 2;

/** Runs `fn(page, item)` over `items` with `tabs` pages of `context` in parallel. */
async function pool(context, items, tabs, fn) {
  const queue = items.map((item, i) => ({ item, i }));
  const failures = [];
  await Promise.all(
    Array.from({ length: tabs }, async () => {
      const page = await context.newPage();
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          await fn(page, next.item);
        } catch (e) {
          failures.push(`${next.item}: ${e.message.split("\n")[0]}`);
        }
      }
      await page.close();
    }),
  );
  return failures;
}

const isRefresh = (p) => /<meta\s+http-equiv=["']?refresh/i.test(fs.readFileSync(path.join(BOOK, p), "utf8"));

test("Rust Book: export edges = links read independently; classic shares = networkx", { timeout: 12 * 60_000 }, async (t) => {
  assert.ok(fs.existsSync(path.join(BOOK, "index.html")), `no Rust Book at ${BOOK}`);
  assert.ok(fs.existsSync(PYTHON), `${PYTHON} missing: run ./build.sh tools`);
  const paths = htmlPaths(BOOK);
  const stubs = new Set(paths.filter(isRefresh));
  t.diagnostic(`${paths.length} html pages, ${stubs.size} of them meta-refresh stubs`);
  assert.ok(paths.length > 400, `${paths.length} pages`);

  const srv = await serve({ root: BOOK, port: 0 });
  const base = srv.url;
  const site = `${base}/`;
  const tmpExt = tempDir("book-ext");
  const tmpRef = tempDir("book-ref");
  const ext = await launchWithExtension({ userDataDir: tmpExt.dir });
  let plain;
  try {
    // 1. Visit every page with the extension.
    const t0 = Date.now();
    const ctl = await openControl(ext.context, ext.extensionId, site);
    await track(ctl, site);
    const lost = await pool(ext.context, paths, TABS, async (page, p) => {
      const url = base + p;
      await page.goto(url, { waitUntil: "load" });
      await waitObserved(ctl, url, { timeout: 20_000 });
      if (stubs.has(p)) {
        // It forwards with a meta refresh: let that navigation finish before the next goto.
        await page.waitForURL((u) => u.href !== url, { waitUntil: "load" });
      }
    });
    assert.deepEqual(lost, [], "pages the worker never got");
    t.diagnostic(`visited ${paths.length} pages with the extension in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // 2. Export through the popup's button.
    const popup = await openPopup(ext.context, ext.extensionId, site);
    const [download] = await Promise.all([popup.waitForEvent("download"), popup.click('[data-testid="export"]')]);
    const exportFile = path.join(ensureOut(), "rustbook-export.json");
    await download.saveAs(exportFile);
    assert.match(download.suggestedFilename(), /^linkflow-127\.0\.0\.1_\d+-\d{4}-\d\d-\d\d\.json$/);
    const data = JSON.parse(fs.readFileSync(exportFile, "utf8"));
    assert.equal(data.graph.schema, "linkflow");
    assert.equal(data.graph.site, site);
    await ext.close();

    // 3. Read the same rendered pages independently: no extension, plain a[href]/area[href].
    const t1 = Date.now();
    plain = await launchPlain({ userDataDir: tmpRef.dir });
    const reference = new Map(); // normalised source -> Set(normalised internal target)
    const hrefs = new Set();
    const refFailures = await pool(plain.context, paths, TABS, async (page, p) => {
      const url = base + p;
      if (stubs.has(p)) {
        // Read the stub itself, not the page it forwards to: serve it without its refresh.
        await page.route(url, async (route) => {
          const resp = await route.fetch();
          const body = (await resp.text()).replace(/<meta\s+http-equiv=["']?refresh["']?[^>]*>/gi, "");
          await route.fulfill({ response: resp, body });
        });
      }
      await page.goto(url, { waitUntil: "load" });
      const found = await page.evaluate(() =>
        [...document.querySelectorAll("a[href], area[href]")].map((el) => (typeof el.href === "string" ? el.href : new URL(el.href.baseVal, document.baseURI).href)),
      );
      if (stubs.has(p)) await page.unroute(url);
      const source = normalizeUrl(url);
      const targets = reference.get(source) || new Set();
      for (const h of found) {
        hrefs.add(h);
        const u = new URL(h);
        u.hash = "";
        if (u.origin !== base) continue; // internal = same origin
        targets.add(normalizeUrl(u.href));
      }
      reference.set(source, targets);
    });
    assert.deepEqual(refFailures, [], "reference read failures");
    t.diagnostic(`read ${paths.length} pages without the extension in ${((Date.now() - t1) / 1000).toFixed(1)} s; ${hrefs.size} distinct hrefs`);

    // 4. Our normalisation agrees with the core's own (the wasm normalize, loaded in Node).
    const core = await import(pathToFileURL(path.join(ROOT, "extension/pkg/linkflow.js")).href);
    core.initSync({ module: fs.readFileSync(path.join(ROOT, "extension/pkg/linkflow_bg.wasm")) });
    const handle = new core.LinkflowSite(site);
    const disagree = [];
    for (const h of hrefs) {
      if (new URL(h).origin !== base) continue;
      const mine = normalizeUrl(h);
      const theirs = handle.normalize(h);
      if (mine !== theirs) disagree.push(`${h}: tests ${mine} vs core ${theirs}`);
    }
    assert.deepEqual(disagree.slice(0, 20), [], "normalisation: documented rules vs the core");

    // 5. Edge sets: identical.
    const exported = new Set(data.links.map((l) => `${l.source} -> ${l.target}`));
    const expected = new Set();
    for (const [s, targets] of reference) for (const tg of targets) expected.add(`${s} -> ${tg}`);
    const missing = [...expected].filter((e) => !exported.has(e));
    const extra = [...exported].filter((e) => !expected.has(e));
    t.diagnostic(`${expected.size} internal edges read independently, ${exported.size} in the export`);
    assert.deepEqual(
      { missing: missing.slice(0, 15), extra: extra.slice(0, 15), counts: [missing.length, extra.length] },
      { missing: [], extra: [], counts: [0, 0] },
      "export edges vs independently read edges",
    );
    const visitedIds = new Set(data.nodes.filter((n) => n.visited).map((n) => n.id));
    const notVisited = [...reference.keys()].filter((s) => !visitedIds.has(s));
    assert.deepEqual(notVisited, [], "every page read is a visited node of the export");

    // 6. Classic shares = networkx.pagerank on the followed links.
    const { stdout } = await run(PYTHON, [path.join(ROOT, "tests/e2e/pagerank_check.py"), exportFile], { maxBuffer: 16 << 20 });
    const nx = JSON.parse(stdout);
    t.diagnostic(`networkx: ${nx.nodes} nodes, ${nx.followed} followed links, alpha ${nx.alpha}: L1 ${nx.l1.toExponential(3)}, max ${nx.max.toExponential(3)}`);
    assert.equal(nx.nodes, nx.exportNodes, "node_link_graph kept every node");
    assert.equal(nx.links, nx.exportLinks, "node_link_graph kept every link");
    assert.ok(Math.abs(nx.sumShares - 1) < 1e-9, `classic shares sum to ${nx.sumShares}`);
    assert.ok(nx.l1 <= 1e-6, `L1(networkx, classicShare) = ${nx.l1} > 1e-6; worst: ${JSON.stringify(nx.worst)}`);
  } finally {
    await ext.close();
    await plain?.close();
    await srv.close();
    tmpExt.cleanup();
    tmpRef.cleanup();
  }
});
