// Firefox: `web-ext lint` is clean, and the same build runs in a real Firefox (Debian
// firefox-esr) driven over plain WebDriver BiDi: the background wakes, loads the wasm core,
// answers; a real click on "Track this site" gets host access; a visited page reaches the core.
import { describe, before, after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { serve } from "./serve.mjs";
import { tempDir, DIST_FIREFOX, DEMO_SITE, ROOT, requireBuild, delay } from "./lib/ext.mjs";
import { launchFirefox, FIREFOX } from "./lib/firefox.mjs";

const run = promisify(execFile);
const UUID = "3d1c7a52-8f0e-4b7a-9c55-1a2b3c4d5e6f";

test("web-ext lint: 0 errors on dist/firefox", async (t) => {
  requireBuild(DIST_FIREFOX);
  const bin = path.join(ROOT, "node_modules/.bin/web-ext");
  let stdout;
  try {
    ({ stdout } = await run(bin, ["lint", "--source-dir", DIST_FIREFOX, "--output", "json", "--no-input"], { maxBuffer: 32 << 20 }));
  } catch (e) {
    stdout = e.stdout; // exit 1 when there are errors: the JSON says which
    if (!stdout) throw e;
  }
  const report = JSON.parse(stdout);
  const errors = report.errors.map((m) => `${m.code}: ${m.message} ${m.file || ""}`);
  assert.deepEqual(errors, [], "web-ext lint errors");
  for (const w of report.warnings) t.diagnostic(`warning ${w.code}: ${w.message}`);
});

describe("real Firefox over WebDriver BiDi", { skip: fs.existsSync(FIREFOX) ? false : `${FIREFOX} is not installed` }, () => {
  let ff, tmp, srv, bidi, tab, geckoId;

  before(async () => {
    requireBuild(DIST_FIREFOX);
    geckoId = JSON.parse(fs.readFileSync(path.join(DIST_FIREFOX, "manifest.json"), "utf8")).browser_specific_settings.gecko.id;
    srv = await serve({ root: DEMO_SITE, port: 0 });
    tmp = tempDir("firefox");
    ff = await launchFirefox({
      profileDir: tmp.dir,
      prefs: {
        "extensions.webextensions.uuids": JSON.stringify({ [geckoId]: UUID }),
        // The optional host permission is granted by a real click without a prompt.
        "extensions.webextOptionalPermissionPrompts": false,
      },
    });
    bidi = ff.bidi;
    await bidi.send("session.new", { capabilities: {} });
    const installed = await bidi.send("webExtension.install", { extensionData: { type: "path", path: DIST_FIREFOX } });
    assert.equal(installed.extension, geckoId);
    const tree = await bidi.send("browsingContext.getTree", {});
    tab = tree.contexts[0].context;
  });

  after(async () => {
    await ff?.close();
    await srv?.close();
    tmp?.cleanup();
  });

  const popup = (url) => `moz-extension://${UUID}/popup.html?url=${encodeURIComponent(url)}`;
  const send = (ctx, msg) => bidi.evaluate(ctx, `browser.runtime.sendMessage(${JSON.stringify(msg)})`);

  async function until(fn, what, timeout = 15_000) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        last = await fn();
        if (last) return last;
      } catch (e) {
        last = e.message;
      }
      await delay(100);
    }
    throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 400)}); firefox output:\n${ff.stderr().slice(-2000)}`);
  }

  test("the background wakes, loads the wasm core and answers", async () => {
    await bidi.send("browsingContext.navigate", { context: tab, url: popup(`${srv.url}/`), wait: "complete" });
    const pong = await until(async () => {
      const a = await send(tab, { type: "ping" });
      return a && a.ok && a;
    }, "an answer to ping");
    assert.equal(pong.wasm, true, `ping: ${JSON.stringify(pong)}`);
    const view = await until(
      () =>
        bidi.evaluate(
          tab,
          `(() => { const v = document.querySelector('[data-testid="view-untracked"]'); return v && !v.hidden && document.getElementById('status').dataset.state !== 'busy' ? document.body.innerText : null; })()`,
        ),
      "the popup's untracked view",
    );
    assert.match(view, /Track this site/i);
  });

  test("a real click on Track grants access, and a visited page reaches the core", async () => {
    await bidi.send("browsingContext.navigate", { context: tab, url: popup(`${srv.url}/`), wait: "complete" });
    await until(
      () => bidi.evaluate(tab, `(() => { const b = document.querySelector('[data-testid="track"]'); return !!(b && b.offsetParent); })()`),
      "the Track button",
    );
    const box = await bidi.evaluate(
      tab,
      `(() => { const r = document.querySelector('[data-testid="track"]').getBoundingClientRect(); return {x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2)}; })()`,
    );
    await bidi.send("input.performActions", {
      context: tab,
      actions: [
        {
          type: "pointer",
          id: "mouse",
          parameters: { pointerType: "mouse" },
          actions: [
            { type: "pointerMove", x: box.x, y: box.y },
            { type: "pointerDown", button: 0 },
            { type: "pointerUp", button: 0 },
          ],
        },
      ],
    });
    await until(async () => {
      const st = await send(tab, { type: "status", url: `${srv.url}/` });
      return st.ok && st.tracked && st.access && st;
    }, "the site to be tracked with host access");

    const page = (await bidi.send("browsingContext.create", { type: "tab" })).context;
    for (const p of ["/menu.html", "/blog/"]) {
      await bidi.send("browsingContext.navigate", { context: page, url: srv.url + p, wait: "complete" });
      const report = await until(async () => {
        const a = await send(tab, { type: "pageReport", url: srv.url + p });
        return a.ok && a.report.state === "visited" && a.report;
      }, `the core to hold ${p}`);
      assert.ok(report.outlinks.internal >= 10, JSON.stringify(report.outlinks));
    }
    const classes = (await send(tab, { type: "pageReport", url: `${srv.url}/classes.html` })).report;
    assert.ok(
      classes.inlinks.some((g) => g.source === `${srv.url}/menu.html`),
      `classes.html is linked from the visited menu: ${JSON.stringify(classes.inlinks.map((g) => g.source))}`,
    );
    await bidi.send("browsingContext.close", { context: page });
  });

  test("the snapshot is stored as a Blob and reads back into the same graph", async () => {
    const origin = srv.url;
    const exported = await send(tab, { type: "export", origin, id: "firefox-test" }); // an export writes a snapshot
    assert.ok(exported.ok, JSON.stringify(exported).slice(0, 300));
    const st = await send(tab, { type: "status", url: `${origin}/` });
    // Read it as the background does on a wake (storage.js), restore it in this page.
    const back = await bidi.evaluate(
      tab,
      `(async () => {
        const store = await import(browser.runtime.getURL("storage.js"));
        const m = await import(browser.runtime.getURL("pkg/linkflow.js"));
        await m.default();
        const db = await store.open();
        const raw = await new Promise((resolve, reject) => {
          const req = db.transaction("snapshots").objectStore("snapshots").get(${JSON.stringify(origin)});
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        const { snapshot, journal } = await store.readSite(${JSON.stringify(origin)});
        const site = m.LinkflowSite.restore(snapshot.bytes);
        const stats = site.stats();
        site.free();
        const uncovered = journal.filter((j) => raw.upToKey == null || j.key > raw.upToKey).length;
        return { form: raw.bytes instanceof Blob ? "Blob" : typeof raw.bytes, uncovered, proven: raw.proven, stats };
      })()`,
    );
    assert.equal(back.form, "Blob");
    assert.equal(back.uncovered, 0, "the export's snapshot covers the journal");
    assert.equal(back.proven, false, "not yet restored by a wake: it keeps the journal it covers");
    assert.deepEqual(back.stats, st.site.stats, "the stored snapshot restores the graph the background holds");
  });

  test("export, clear and import through the hand-off channels (the popup's way) give the site back", async () => {
    const origin = srv.url;
    const before = (await send(tab, { type: "status", url: `${origin}/` })).site.stats;
    const r = await bidi.evaluate(
      tab,
      `(async () => {
        const ex = await import(browser.runtime.getURL("export-handoff.js"));
        const im = await import(browser.runtime.getURL("import-handoff.js"));
        const origin = ${JSON.stringify(origin)};
        const incoming = ex.expectExport("ff-export");
        const e = await browser.runtime.sendMessage({ type: "export", origin, id: "ff-export" });
        const blob = await incoming.file;
        const c = await browser.runtime.sendMessage({ type: "clear", origin });
        const offer = im.offerImport("ff-import", new File([blob], "export.json", { type: "application/json" }));
        const i = await browser.runtime.sendMessage({ type: "import", origin, id: "ff-import" });
        offer.close();
        return { exported: e.ok, bytes: blob.size, cleared: c.ok && c.site.stats.links, imported: i.ok ? i.summary : i.error, stats: i.site?.stats };
      })()`,
    );
    assert.equal(r.exported, true, JSON.stringify(r));
    assert.ok(r.bytes > 0);
    assert.equal(r.cleared, 0, "cleared");
    assert.equal(typeof r.imported, "object", JSON.stringify(r.imported));
    assert.deepEqual(r.stats, before, "the import gave the site back");
  });
});
