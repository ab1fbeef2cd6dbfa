// The MV3 worker dies whenever the browser likes. Kill it 20 times while browsing (between
// visits and while pages are being read): no visited page may be lost. Then restart the
// browser on the same profile: the graph is intact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { serve } from "./serve.mjs";
import { launchWithExtension, tempDir, DEMO_SITE, ask, htmlPaths, delay, waitFor, close } from "./lib/ext.mjs";
import { openControl, track, demoPagePaths, waitObserved, pageReport, siteReport, stats } from "./lib/demo.mjs";

const BOOK = path.join(execFileSync("rustc", ["--print", "sysroot"], { encoding: "utf8" }).trim(), "share/doc/rust/html/book");
const KILLS = 20;

/** The paths where two JSON values differ, for a readable failure message. */
function diff(a, b, at = "", out = []) {
  if (out.length > 10) return out.join("; ");
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], `${at}.${k}`, out);
  } else if (!close(a, b)) {
    out.push(`${at || "."}: ${JSON.stringify(a)?.slice(0, 200)} → ${JSON.stringify(b)?.slice(0, 200)}`);
  }
  return out.join("; ");
}

test("worker killed 20 times while browsing loses nothing; a browser restart keeps the graph", async (t) => {
  const demo = await serve({ root: DEMO_SITE, port: 0 });
  const book = await serve({ root: BOOK, port: 0 });
  const tmp = tempDir("kill");
  let browser = await launchWithExtension({ userDataDir: tmp.dir });
  try {
    const { context, extensionId } = browser;
    const ctl = await openControl(context, extensionId, `${demo.url}/`);
    await track(ctl, `${demo.url}/`);
    await track(ctl, `${book.url}/`);

    // Count real stops through CDP: runningStatus transitions of our worker's versions.
    const cdp = await context.newCDPSession(ctl);
    let stopped = 0;
    let started = 0;
    const status = new Map();
    cdp.on("ServiceWorker.workerVersionUpdated", ({ versions }) => {
      for (const v of versions) {
        if (!v.scriptURL.startsWith(`chrome-extension://${extensionId}/`)) continue;
        const prev = status.get(v.versionId);
        if (prev !== v.runningStatus) {
          if (v.runningStatus === "stopped" && prev) stopped++;
          if (v.runningStatus === "running") started++;
          status.set(v.versionId, v.runningStatus);
        }
      }
    });
    await cdp.send("ServiceWorker.enable");
    let kills = 0;
    const kill = async () => {
      await cdp.send("ServiceWorker.stopAllWorkers");
      kills++;
    };

    // Pages: the whole demo site (but the meta-refresh page, which forwards) and the first
    // Rust Book chapters (not its redirect stubs, which forward too).
    const demoUrls = demoPagePaths()
      .filter((p) => p !== "/opening-hours.html")
      .map((p) => demo.url + p);
    const bookUrls = htmlPaths(BOOK)
      .filter((p) => /^\/ch0\d-\d\d-/.test(p))
      .slice(0, 16)
      .map((p) => book.url + p);
    const urls = [];
    for (let i = 0; i < Math.max(demoUrls.length, bookUrls.length); i++) {
      if (demoUrls[i]) urls.push(demoUrls[i]);
      if (bookUrls[i]) urls.push(bookUrls[i]);
    }
    assert.ok(urls.length >= 30, `${urls.length} pages to visit`);

    const tab = await context.newPage();
    const during = [0, 5, 20, 60, 150]; // ms after load: while the content script reads and sends
    for (let i = 0; i < urls.length; i++) {
      const url = urls[i];
      const mode = kills >= KILLS ? "none" : i % 3 === 0 ? "before" : i % 3 === 1 ? "during" : "after";
      if (mode === "before") {
        await ask(ctl, { type: "ping" }); // make sure there is a worker to kill
        await kill();
      }
      await tab.goto(url, { waitUntil: mode === "during" ? "domcontentloaded" : "load" });
      if (mode === "during") {
        await delay(during[i % during.length]);
        await kill();
      }
      try {
        await waitObserved(ctl, url, { timeout: 20_000 });
      } catch (e) {
        throw new Error(`page ${i + 1}/${urls.length} lost (worker killed ${mode} its visit, kill #${kills}): ${e.message}`);
      }
      if (mode === "after") await kill();
    }
    while (kills < KILLS) {
      await ask(ctl, { type: "ping" });
      await kill();
    }
    t.diagnostic(`${kills} stopAllWorkers calls; worker starts seen ${started}, stops seen ${stopped}`);
    assert.equal(kills, KILLS);
    assert.ok(stopped >= KILLS / 2, `the worker really stopped (${stopped} stops seen for ${kills} kills)`);

    // None lost: every visited page is in the graph, with its outlinks.
    const lost = [];
    for (const url of urls) {
      const r = await pageReport(ctl, url);
      if (!r.known || r.state === "discovered" || !(r.outlinks?.internal > 0)) lost.push(`${url} (${r.state})`);
    }
    assert.deepEqual(lost, [], "pages lost after worker kills");

    // The same after a full browser restart on the same profile.
    const chosen = `${demo.url}/menu.html`;
    const before = {
      demo: await stats(ctl, `${demo.url}/`),
      book: await stats(ctl, `${book.url}/`),
      menu: await pageReport(ctl, chosen),
      site: await siteReport(ctl, demo.url),
    };
    assert.equal(before.demo.visited, demoUrls.length, JSON.stringify(before.demo));
    assert.equal(before.book.visited, bookUrls.length, JSON.stringify(before.book));
    await browser.close();

    browser = await launchWithExtension({ userDataDir: tmp.dir });
    assert.equal(browser.extensionId, extensionId, "same unpacked extension id after restart");
    const ctl2 = await openControl(browser.context, browser.extensionId, `${demo.url}/`);
    const after = {
      demo: await stats(ctl2, `${demo.url}/`),
      book: await stats(ctl2, `${book.url}/`),
      menu: await pageReport(ctl2, chosen),
      site: await siteReport(ctl2, demo.url),
    };
    assert.deepEqual(after.demo, before.demo, "demo site counts after restart");
    assert.deepEqual(after.book, before.book, "Rust Book counts after restart");
    // Shares come from an iterative solver (residual ~1e-10): equal to 1e-9, the rest exactly.
    assert.ok(close(after.menu, before.menu), `pageReport of /menu.html after restart: ${diff(before.menu, after.menu)}`);
    // The solver's own bookkeeping (iterations, residual) may differ after a restore.
    // genericAnchors ties (same count and anchor) come in hash order (src/report.rs sorts
    // by count, anchor only): compared as a set; reported when the order differs.
    const key = (g) => JSON.stringify([g.anchor, g.code, g.count, g.targets]);
    if (JSON.stringify(before.site.genericAnchors.map(key)) !== JSON.stringify(after.site.genericAnchors.map(key))) {
      t.diagnostic("note: siteReport.genericAnchors came back in another order after the restart (tie order)");
    }
    for (const r of [before.site, after.site]) {
      delete r.iterations;
      delete r.residual;
      r.genericAnchors.sort((a, b) => key(a).localeCompare(key(b)));
      for (const g of r.genericAnchors) delete g.example; // one example of several, picked in hash order
    }
    assert.ok(close(after.site, before.site), `siteReport after restart: ${diff(before.site, after.site)}`);

    // And it keeps recording after the restart (the content script registration survived).
    const tab2 = await browser.context.newPage();
    await tab2.goto(`${demo.url}/opening-hours.html`, { waitUntil: "load" });
    await waitObserved(ctl2, `${demo.url}/opening-hours.html`);
    await waitFor(async () => (await stats(ctl2, `${demo.url}/`)).visited === before.demo.visited + 1, {
      what: "one more visited page after the restart",
    });
  } finally {
    await browser.close();
    await demo.close();
    await book.close();
    tmp.cleanup();
  }
});
