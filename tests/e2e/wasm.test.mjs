// The wasm core as the extension loads it (extension/pkg, wasm-bindgen --target web), driven
// from Node without a browser: the JS <-> core contract of docs/PROTOCOL.md §2.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./lib/ext.mjs";

const PKG = path.join(ROOT, "extension/pkg");

async function loadCore() {
  const js = path.join(PKG, "linkflow.js");
  const wasm = path.join(PKG, "linkflow_bg.wasm");
  if (!fs.existsSync(js) || !fs.existsSync(wasm)) {
    throw new Error(`${PKG} has no linkflow.js/linkflow_bg.wasm: run ./build.sh build first`);
  }
  const mod = await import(pathToFileURL(js).href);
  mod.initSync({ module: fs.readFileSync(wasm) });
  return mod;
}

const SITE = "http://shop.test/";
const link = (href, text, extra = {}) => ({ href, text, region: "main", visible: true, ...extra });

function sampleSite(core) {
  const site = new core.LinkflowSite(SITE);
  site.ingest({
    url: "http://shop.test/",
    title: "Home",
    links: [
      link("http://shop.test/shoes", "Running shoes"),
      link("http://shop.test/socks#top", "Click here"),
      link("http://shop.test/shoes?utm_source=x", "Shoes again"),
      link("https://elsewhere.test/", "Partner"),
      link("mailto:a@shop.test", "Mail us"),
    ],
  });
  site.ingest({ url: "http://shop.test/shoes", title: "Shoes", links: [link("http://shop.test/socks", "Wool socks")] });
  site.ingest({ url: "http://shop.test/socks", title: "Socks", links: [link("http://shop.test/", "Home")] });
  return site;
}

test("the wasm core loads in Node and answers the documented calls", async () => {
  const core = await loadCore();
  assert.equal(typeof core.LinkflowSite, "function", "pkg exports class LinkflowSite");
  const site = sampleSite(core);

  const stats = site.stats();
  assert.equal(stats.visited, 3, `stats: ${JSON.stringify(stats)}`);
  assert.equal(stats.pages, 3, `stats: ${JSON.stringify(stats)}`);

  assert.equal(site.normalize("HTTP://Shop.TEST:80/a/../b#frag"), "http://shop.test/b");
  assert.equal(site.normalize("http://shop.test/x?utm_source=n&id=2"), "http://shop.test/x?id=2");
  assert.equal(site.inScope("http://shop.test/anything"), true);
  assert.equal(site.inScope("https://elsewhere.test/"), false);

  const socks = site.pageReport("http://shop.test/socks");
  assert.equal(socks.known, true);
  assert.equal(socks.state, "visited");
  assert.equal(socks.depth, 1, "home links socks directly");
  const anchors = socks.inlinks.flatMap((s) => s.links.map((l) => [s.source, l.anchor, l.quality.code]));
  assert.deepEqual(
    anchors.sort(),
    [
      ["http://shop.test/", "Click here", "generic"],
      ["http://shop.test/shoes", "Wool socks", "descriptive"],
    ],
    "fragment stripped, anchors and their quality",
  );

  const home = site.pageReport("http://shop.test/");
  assert.equal(home.depth, 0);
  assert.equal(home.outlinks.external, 1, JSON.stringify(home.outlinks));
  assert.equal(home.outlinks.nonNavigational, 1, JSON.stringify(home.outlinks));

  const report = site.siteReport();
  const shares = report.topPages.map((p) => p.share);
  const sum = shares.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9, `shares of the 3 pages sum to 1, got ${sum} (${JSON.stringify(report.topPages)})`);
  assert.equal(report.orphans.pages.length, 0);
});

test("snapshot/restore and export/import keep the graph; a bad import changes nothing", async () => {
  const core = await loadCore();
  const site = sampleSite(core);
  const before = site.stats();
  const reportBefore = site.pageReport("http://shop.test/socks");

  const bytes = site.snapshot();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 0, "snapshot is bytes");
  const restored = core.LinkflowSite.restore(bytes);
  assert.deepEqual(restored.stats(), before);
  // The restored site ranks from the stored shares (a warm start): the same page report,
  // with the share equal within the tolerance (1e-9) rather than to the last digit.
  const reportAfter = restored.pageReport("http://shop.test/socks");
  assert.ok(
    Math.abs(reportAfter.authority.share - reportBefore.authority.share) < 1e-9,
    `share ${reportAfter.authority.share} vs ${reportBefore.authority.share}`,
  );
  assert.ok(Math.abs(reportAfter.authority.score - reportBefore.authority.score) < 1e-6);
  const strip = (r) => ({ ...r, authority: { ...r.authority, share: 0, score: 0 } });
  assert.deepEqual(strip(reportAfter), strip(reportBefore));

  const exported = JSON.parse(site.exportJson());
  assert.equal(exported.directed, true);
  assert.ok(Array.isArray(exported.nodes) && Array.isArray(exported.links), "node-link form");

  const fresh = new core.LinkflowSite(SITE);
  fresh.importJson(site.exportJson());
  assert.deepEqual(fresh.stats(), before, "export -> import is the identity on stats");

  // The export's UTF-8 bytes (what the worker passes) import as its text does, non-ASCII
  // anchors included; bytes that are not UTF-8, and neither text nor bytes, are refused.
  const text = site.exportJson();
  const viaBytes = new core.LinkflowSite(SITE);
  assert.deepEqual(viaBytes.importJson(new TextEncoder().encode(text)), new core.LinkflowSite(SITE).importJson(text));
  assert.equal(viaBytes.exportJson(), fresh.exportJson(), "bytes and text give the same site");
  assert.equal(core.LinkflowSite.fromExportJson(new TextEncoder().encode(text)).exportJson(), fresh.exportJson());
  const accented = text.replace('"title":"', '"title":"Été — ');
  assert.notEqual(accented, text);
  const a1 = new core.LinkflowSite(SITE);
  a1.importJson(new TextEncoder().encode(accented));
  const a2 = new core.LinkflowSite(SITE);
  a2.importJson(accented);
  assert.equal(a1.exportJson(), a2.exportJson());
  assert.match(a1.exportJson(), /Été — /);
  const notUtf8 = new TextEncoder().encode(text);
  notUtf8[text.indexOf('"nodes"') + 2] = 0xff;
  assert.throws(() => site.importJson(notUtf8), /not UTF-8/);
  assert.throws(() => site.importJson(42), /cannot import: expected JSON text or its UTF-8 bytes/);

  assert.throws(() => site.importJson("{not json"), Error);
  assert.throws(() => site.importJson('{"directed": true, "nodes": 5}'), Error);
  assert.deepEqual(site.stats(), before, "a failed import changed nothing");
});

test("hostile input is refused with an Error, not a crash", async () => {
  const core = await loadCore();
  const site = new core.LinkflowSite(SITE);
  assert.throws(() => site.ingest({ links: [] }), Error, "observation without url");
  assert.throws(() => site.normalize("not a url"), Error);
  // A page of the site with a huge anchor and many links still ingests.
  const many = Array.from({ length: 3000 }, (_, i) => link(`http://shop.test/p${i}`, "x".repeat(5000)));
  const summary = site.ingest({ url: "http://shop.test/", links: many });
  assert.equal(summary.internal, 3000, JSON.stringify(summary));
  const p = site.pageReport("http://shop.test/p1");
  assert.ok(p.inlinks[0].links[0].anchor.length <= 512, "anchor text clamped to 512 bytes");
});

test("ingestJson: the worker's path (JSON text, root-relative hrefs, the page it must describe)", async () => {
  const core = await loadCore();
  // The same page spelled as an object with absolute hrefs, and as content.js sends it:
  // JSON text, own-origin links root-relative, fields at their default left out.
  const full = {
    url: "http://shop.test/",
    links: [
      link("http://shop.test/shoes#top", "Running shoes", { order: 0, inViewport: false, hasImage: false }),
      link("http://shop.test/socks", "shop.test/socks", { order: 1 }),
      link("https://elsewhere.test/x", "Partner", { order: 2 }),
    ],
  };
  const compact = JSON.stringify({
    url: "http://shop.test/",
    links: [
      { href: "/shoes#top", text: "Running shoes", region: "main" },
      { href: "/socks", text: "shop.test/socks", region: "main" },
      { href: "https://elsewhere.test/x", text: "Partner", region: "main" },
    ],
  });
  // The links as columns (what content.js sends now; journals may hold either form).
  const columns = JSON.stringify({
    url: "http://shop.test/",
    links: {
      href: ["/shoes#top", "/socks", "https://elsewhere.test/x"],
      text: ["Running shoes", "shop.test/socks", "Partner"],
      region: "mmm",
    },
  });
  const a = new core.LinkflowSite(SITE);
  const b = new core.LinkflowSite(SITE);
  const c = new core.LinkflowSite(SITE);
  assert.deepEqual(b.ingestJson(compact, "http://shop.test/"), a.ingest(full));
  assert.equal(b.exportJson(), a.exportJson(), "the same graph, anchor quality included");
  assert.deepEqual(c.ingestJson(columns, "http://shop.test/"), a.ingest(full));
  assert.equal(c.exportJson(), a.exportJson(), "columns: the same graph");
  assert.throws(
    () => c.ingestJson('{"url": "http://shop.test/", "links": {"href": ["/a", "/b"], "hidden": [2]}}', "http://shop.test/"),
    /invalid page observation: links\.hidden names link 2, but there are 2 links/,
  );
  assert.equal(c.exportJson(), a.exportJson(), "a refused observation changes nothing");
  const socks = b.pageReport("http://shop.test/socks").inlinks[0].links[0];
  assert.equal(socks.quality.code, "naked-url", "the name is compared with the resolved href");

  // An observation of another page than the one named is refused, and changes nothing.
  const before = b.exportJson();
  assert.throws(() => b.ingestJson(compact, "http://shop.test/other"), /another page/);
  assert.throws(() => b.ingestJson('{"url": "http://shop.test/", "links": [', "http://shop.test/"), /invalid page observation/);
  assert.equal(b.exportJson(), before);
});
