// The popup's Import JSON, as a user works it: export the site through the popup, clear its
// data, import the file back (by mouse and by keyboard), and the site is as it was, also for
// a worker woken afterwards (the import is stored, not only held in memory). A truncated
// file or another site's export is refused with the core's message and changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { close, tempDir, waitFor } from "./lib/ext.mjs";
import { browseDemo, pageReport, stats } from "./lib/demo.mjs";
import { withTrackedDemo } from "./lib/tracked.mjs";
import { openPopup } from "./lib/popup.mjs";

/** The status line once it is no longer busy: `{ state, text }`. */
async function settledStatus(popup) {
  await popup.waitForFunction(() => {
    const s = document.getElementById("status");
    return s && s.dataset.state !== "busy";
  });
  return popup.$eval("#status", (s) => ({ state: s.dataset.state, text: s.textContent }));
}

/** The site's stored snapshot record (the worker's IndexedDB, read from an extension page). */
function storedSnapshot(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open("linkflow");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const get = db.transaction("snapshots", "readonly").objectStore("snapshots").get(origin);
    const rec = await new Promise((resolve, reject) => ((get.onsuccess = () => resolve(get.result)), (get.onerror = () => reject(get.error))));
    db.close();
    return rec ? { size: rec.bytes?.size ?? rec.bytes?.length ?? 0, seq: rec.seq, proven: rec.proven !== false } : null;
  }, origin);
}

test("Import JSON in the popup puts an export back, stored; a truncated or foreign file changes nothing", { timeout: 180_000 }, async (t) => {
  await withTrackedDemo("import", async ({ context, extensionId, origin, ctl }) => {
    const tmp = tempDir("import-files");
    try {
      const tab = await context.newPage();
      await browseDemo(ctl, tab, `${origin}/`);
      const menu = `${origin}/menu.html`;
      const state = async () => ({ stats: await stats(ctl, `${origin}/`), menu: await pageReport(ctl, menu) });
      const before = await state();
      assert.ok(before.stats.pages > 5 && before.stats.links > 10, JSON.stringify(before.stats));

      // 1. Export through the popup's button.
      const popup = await openPopup(context, extensionId, `${origin}/`);
      // File choosers are intercepted from now on (a listener added just before the key
      // press could race the interception, and the chooser would open unseen).
      const choosers = [];
      popup.on("filechooser", (c) => choosers.push(c));
      const [download] = await Promise.all([popup.waitForEvent("download"), popup.click('[data-testid="export"]')]);
      const file = path.join(tmp.dir, "export.json");
      await download.saveAs(file);
      const text = fs.readFileSync(file, "utf8");
      assert.equal(JSON.parse(text).graph.site, `${origin}/`);

      // 2. Clear the site's data (the confirmation included).
      await popup.click('[data-testid="clear"]');
      await popup.click('[data-testid="clear-confirm"]');
      assert.equal((await settledStatus(popup)).state, "ok");
      const cleared = await stats(ctl, `${origin}/`);
      assert.equal(cleared.links, 0, `cleared: ${JSON.stringify(cleared)}`);

      // 3. Import the file back with the mouse: the site is as it was.
      await popup.setInputFiles('[data-testid="import-input"]', file);
      const ok = await settledStatus(popup);
      assert.equal(ok.state, "ok", ok.text);
      assert.match(ok.text, /^Imported: /);
      let after = await state();
      assert.ok(close(after, before), `imported: ${JSON.stringify(before.stats)} → ${JSON.stringify(after.stats)}`);
      // Stored before the answer, as a proven snapshot: a woken worker holds the same site.
      const snap = await storedSnapshot(ctl, origin);
      assert.ok(snap && snap.size > 0 && snap.proven, JSON.stringify(snap));
      const cdp = await context.newCDPSession(ctl);
      await cdp.send("ServiceWorker.enable");
      await cdp.send("ServiceWorker.stopAllWorkers");
      after = await state();
      assert.ok(close(after, before), `after a wake: ${JSON.stringify(before.stats)} → ${JSON.stringify(after.stats)}`);

      // 4. Refusals, each with the core's reason, and nothing changed.
      const refused = async (name, content, reason) => {
        await popup.setInputFiles('[data-testid="import-input"]', { name, mimeType: "application/json", buffer: Buffer.from(content) });
        const s = await settledStatus(popup);
        assert.equal(s.state, "error", `${name}: ${s.text}`);
        assert.match(s.text, /^Import refused: /, name);
        assert.match(s.text, reason, name);
        const now = await state();
        assert.ok(close(now, before), `${name} changed the site: ${JSON.stringify(now.stats)}`);
        t.diagnostic(`${name}: ${s.text}`);
      };
      await refused("truncated.json", text.slice(0, Math.floor(text.length / 2)), /truncated/);
      const foreign = JSON.parse(text);
      foreign.graph.site = "https://another.example/";
      await refused("foreign.json", JSON.stringify(foreign), /another\.example/);
      await refused("not-json.json", "<html>not an export</html>", /not JSON/);
      // Over what wasm memory can import (a sparse file: its size without its bytes).
      const huge = path.join(tmp.dir, "huge.json");
      fs.closeSync(fs.openSync(huge, "w"));
      fs.truncateSync(huge, 1536 * 1024 * 1024);
      await popup.setInputFiles('[data-testid="import-input"]', huge);
      const tooLarge = await settledStatus(popup);
      assert.equal(tooLarge.state, "error", tooLarge.text);
      assert.match(tooLarge.text, /too large to import \(1,536 MB; at most 1,024 MB\)/);
      assert.ok(close(await state(), before), "a file too large changed nothing");

      // 5. By keyboard: Enter on the focused "Import JSON" opens the file chooser; an import
      //    of the same file into the site that holds it changes nothing.
      await popup.focus('[data-testid="import"]');
      assert.equal(await popup.evaluate(() => document.activeElement?.id), "import-label");
      await popup.keyboard.press("Enter");
      const chooser = await waitFor(() => choosers.shift(), { timeout: 10_000, what: "the file chooser Enter opens" });
      await chooser.setFiles(file);
      const again = await settledStatus(popup);
      assert.equal(again.state, "ok", again.text);
      await waitFor(async () => close(await state(), before), { what: "the site after importing its own export" });
    } finally {
      tmp.cleanup();
    }
  });
});

test("an export over 64 MiB imports through the popup (a runtime message could not carry it)", { timeout: 240_000 }, async (t) => {
  await withTrackedDemo("import-big", async ({ context, extensionId, origin, ctl }) => {
    const tmp = tempDir("import-big-files");
    try {
      const tab = await context.newPage();
      await tab.goto(`${origin}/`, { waitUntil: "load" });
      await waitFor(async () => (await stats(ctl, `${origin}/`))?.visited >= 1, { what: "the home page observed" });
      await tab.close(); // no more visits (the home page adds a link by script after load)

      // The site's export plus 40,000 visited pages of 11 links each (~90 MB): page i links
      // to the ten after it (round the ring) and to the home page.
      const popup = await openPopup(context, extensionId, `${origin}/`);
      const [download] = await Promise.all([popup.waitForEvent("download"), popup.click('[data-testid="export"]')]);
      const small = path.join(tmp.dir, "small.json");
      await download.saveAs(small);
      const doc = JSON.parse(fs.readFileSync(small, "utf8"));
      const N = 40_000;
      const url = (i) => `${origin}/gen/${i}.html`;
      for (let i = 0; i < N; i++) {
        doc.nodes.push({ id: url(i), state: "visited", visited: true, observedAt: 1_700_000_000_000 + i, title: `Généré ${i}` });
        const occ = (anchor, order) => ({ anchor, quality: "descriptive", region: "main", visible: true, order });
        for (let k = 1; k <= 10; k++) {
          const j = (i + k) % N;
          doc.links.push({ source: url(i), target: url(j), followed: true, occurrences: [occ(`Generated page number ${j}`, k)] });
        }
        doc.links.push({ source: url(i), target: `${origin}/`, followed: true, occurrences: [occ("Home", 0)] });
      }
      const big = path.join(tmp.dir, "big.json");
      fs.writeFileSync(big, JSON.stringify(doc));
      const size = fs.statSync(big).size;
      assert.ok(size > 64 * 1048576, `the file is over 64 MiB (${size} bytes)`);

      // Settled: two reads half a second apart agree.
      const home = await waitFor(async () => {
        const a = await stats(ctl, `${origin}/`);
        await new Promise((r) => setTimeout(r, 500));
        const b = await stats(ctl, `${origin}/`);
        return JSON.stringify(a) === JSON.stringify(b) && b;
      }, { what: "the site's stats settled" });
      const t0 = Date.now();
      await popup.setInputFiles('[data-testid="import-input"]', big);
      // While it works, the status names the file and its size (text, not markup).
      const busy = await popup.$eval("#status", (s) => ({ state: s.dataset.state, text: s.textContent }));
      t.diagnostic(`while importing: ${busy.state} "${busy.text}"`);
      if (busy.state === "busy") assert.match(busy.text, /^Importing big\.json \(\d+(\.\d)? MB\)…$/, busy.text);
      await popup.waitForFunction(() => document.getElementById("status")?.dataset.state !== "busy", null, { timeout: 180_000 });
      const status = await popup.$eval("#status", (s) => ({ state: s.dataset.state, text: s.textContent }));
      t.diagnostic(`${(size / 1048576).toFixed(0)} MB imported in ${Date.now() - t0} ms: ${status.text}`);
      assert.equal(status.state, "ok", status.text);
      const after = await stats(ctl, `${origin}/`);
      assert.equal(after.pages, home.pages + N, JSON.stringify({ home, after }));
      assert.equal(after.links, home.links + 11 * N, JSON.stringify({ home, after }));
      const gen = await pageReport(ctl, url(7));
      assert.equal(gen.state, "visited");
      assert.equal(gen.title, "Généré 7");

      // Stored: a woken worker holds the same site.
      const cdp = await context.newCDPSession(ctl);
      await cdp.send("ServiceWorker.enable");
      await cdp.send("ServiceWorker.stopAllWorkers");
      assert.deepEqual(await stats(ctl, `${origin}/`), after, "after a wake");
    } finally {
      tmp.cleanup();
    }
  });
});
