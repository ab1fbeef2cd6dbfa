// A woken worker restores what the last one stored: the snapshot (written as a Blob since
// the wake work; older profiles hold a Uint8Array) plus the journal written after it. A
// worker killed while it writes a snapshot leaves either the old or the new one; both give
// the same graph.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ask, delay, close, waitFor } from "./lib/ext.mjs";
import { browseDemo, pageReport, stats } from "./lib/demo.mjs";
import { withTrackedDemo } from "./lib/tracked.mjs";

/** The stored form of the site's data, read in an extension page (the worker's IndexedDB). */
function storedForm(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open("linkflow");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction(["snapshots", "journal"], "readonly");
    const get = (req) => new Promise((resolve, reject) => ((req.onsuccess = () => resolve(req.result)), (req.onerror = () => reject(req.error))));
    const snap = await get(tx.objectStore("snapshots").get(origin));
    const keys = await get(tx.objectStore("journal").index("origin").getAllKeys(IDBKeyRange.only(origin)));
    db.close();
    const b = snap?.bytes;
    const upTo = snap?.upToKey ?? null;
    return {
      form: b instanceof Blob ? "Blob" : b instanceof Uint8Array ? "Uint8Array" : typeof b,
      size: b?.size ?? b?.length ?? 0,
      seq: snap?.seq ?? 0,
      proven: snap?.proven !== false,
      fallback: snap?.fallback === undefined ? "none" : snap.fallback === null ? "empty" : `seq ${snap.fallback.seq}`,
      journal: keys.length,
      // entries the snapshot does not hold (an unproven one keeps those it holds)
      uncovered: keys.filter((k) => upTo == null || k > upTo).length,
    };
  }, origin);
}

/** Rewrites the site's snapshot record as older versions stored it: bytes as a Uint8Array. */
function storeAsUint8Array(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open("linkflow");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const read = db.transaction("snapshots", "readonly").objectStore("snapshots").get(origin);
    const rec = await new Promise((resolve, reject) => ((read.onsuccess = () => resolve(read.result)), (read.onerror = () => reject(read.error))));
    const bytes = new Uint8Array(await rec.bytes.arrayBuffer());
    const tx = db.transaction("snapshots", "readwrite");
    tx.objectStore("snapshots").put({ ...rec, bytes });
    await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))));
    db.close();
  }, origin);
}

test("a woken worker restores the stored snapshot (Blob or older Uint8Array) and the journal after it", async (t) => {
  await withTrackedDemo("wake", async ({ context, origin, ctl }) => {
    const tab = await context.newPage();
    await browseDemo(ctl, tab, `${origin}/`);
    // An export writes a snapshot covering the journal; one more visit goes to the journal.
    await ask(ctl, { type: "export", origin, id: "wake-test" });
    await tab.goto(`${origin}/contact.html`, { waitUntil: "load" });
    const menu = `${origin}/menu.html`;
    const state = async () => ({ stats: await stats(ctl, `${origin}/`), menu: await pageReport(ctl, menu) });
    // The revisit reached the journal (the content script sends once the page has rendered).
    let stored;
    for (let i = 0; i < 100 && !((stored = await storedForm(ctl, origin)).uncovered >= 1); i++) await delay(100);
    const before = await state();
    assert.equal(stored.form, "Blob", `snapshot stored as a Blob: ${JSON.stringify(stored)}`);
    assert.ok(stored.size > 0 && stored.uncovered >= 1, JSON.stringify(stored));

    const cdp = await context.newCDPSession(ctl);
    await cdp.send("ServiceWorker.enable");
    const wakeAndCompare = async (what) => {
      await cdp.send("ServiceWorker.stopAllWorkers");
      const after = await state();
      assert.ok(close(after, before), `${what}: ${JSON.stringify(before.stats)} → ${JSON.stringify(after.stats)}`);
    };
    await wakeAndCompare("woken from a Blob snapshot + journal");

    // A profile written before snapshots were Blobs.
    await storeAsUint8Array(ctl, origin);
    assert.equal((await storedForm(ctl, origin)).form, "Uint8Array");
    await wakeAndCompare("woken from a Uint8Array snapshot + journal");

    // Killed while writing a snapshot (an export compacts): the old or the new one, same graph.
    for (const ms of [0, 1, 3, 10, 30]) {
      await ctl.evaluate((m) => {
        chrome.runtime.sendMessage(m).catch(() => {});
      }, { type: "export", origin, id: "wake-test" });
      await delay(ms);
      await wakeAndCompare(`killed ${ms} ms into an export`);
    }
    stored = await storedForm(ctl, origin);
    t.diagnostic(`after the kills: snapshot ${stored.form}, ${stored.journal} journal entries`);
  });
});

test("visits are folded into a snapshot once the site has had none for 20 s, also those a stopped worker left", async () => {
  await withTrackedDemo("idle", async ({ context, origin, ctl }) => {
    const tab = await context.newPage();
    const journaled = (what) =>
      waitFor(async () => {
        const s = await storedForm(ctl, origin);
        return s.uncovered >= 1 && s;
      }, { what });
    // The fold writes a snapshot holding every journaled visit; it deletes them only once
    // a woken worker has restored it (until then they stay, with the proven snapshot before).
    const folded = (what, after) =>
      waitFor(async () => {
        const s = await storedForm(ctl, origin);
        return s.uncovered === 0 && s.seq > after.seq && s;
      }, { timeout: 45_000, interval: 250, what }); // the worker waits 20 s without visits
    const proven = (what, seq) =>
      waitFor(async () => {
        const s = await storedForm(ctl, origin);
        return s.seq === seq && s.proven && s.journal === 0 && s.fallback === "none" && s;
      }, { what });

    // A visit, then nothing: no export and far fewer than 50 visits, yet the journal goes.
    await tab.goto(`${origin}/`, { waitUntil: "load" });
    const first = await journaled("the first visit journaled");
    const compacted = await folded("the idle worker's compaction", first);
    assert.equal(compacted.form, "Blob");
    assert.ok(compacted.size > 0);
    assert.equal(compacted.proven, false, JSON.stringify(compacted));
    assert.equal(compacted.fallback, "empty", "the first snapshot falls back to an empty site and the journal");
    assert.ok(compacted.journal >= 1, "the visits stay until a wake restores the snapshot");
    const before = { stats: await stats(ctl, `${origin}/`), menu: await pageReport(ctl, `${origin}/menu.html`) };

    // A visit the worker journals and is stopped right after, before it could fold it in:
    // the next worker replays it and folds it in once it is idle in turn.
    const cdp = await context.newCDPSession(ctl);
    await cdp.send("ServiceWorker.enable");
    await tab.goto(`${origin}/menu.html`, { waitUntil: "load" });
    const second = await journaled("the second visit journaled");
    await cdp.send("ServiceWorker.stopAllWorkers");
    const woken = { stats: await stats(ctl, `${origin}/`), menu: await pageReport(ctl, `${origin}/menu.html`) };
    assert.equal(woken.menu.known, true, "the journaled visit replayed");
    assert.equal(woken.menu.state, "visited");
    // That wake restored the first fold's snapshot: proven, its visit deleted; then the
    // second fold falls back to it.
    const refolded = await folded("the woken worker's compaction", second);
    assert.equal(refolded.fallback, `seq ${compacted.seq}`, JSON.stringify(refolded));
    assert.equal(refolded.journal, 1, `only the visit after the proven snapshot stays: ${JSON.stringify(refolded)}`);

    // The folded state is the same graph: woken from the snapshot alone, it answers alike,
    // and the snapshot is then proven: its fallback and the visit it holds go.
    await cdp.send("ServiceWorker.stopAllWorkers");
    const after = { stats: await stats(ctl, `${origin}/`), menu: await pageReport(ctl, `${origin}/menu.html`) };
    await proven("the woken worker proves the second fold", refolded.seq);
    assert.ok(close(after, woken), `${JSON.stringify(woken.stats)} → ${JSON.stringify(after.stats)}`);
    assert.ok(after.stats.pages >= before.stats.pages, JSON.stringify(after.stats));
  });
});
