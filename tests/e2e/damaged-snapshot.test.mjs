// A site whose stored snapshot cannot be restored keeps its data and keeps recording: the
// woken worker reports the error, deletes nothing, and journals the pages visited next
// (checking, without the core, that each observation describes the page that sent it).
// A fold's snapshot that no wake has restored yet and that does not restore costs
// nothing: the worker restores the proven snapshot before it and replays the journal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ask, close, delay, stopAllWorkers, waitFor } from "./lib/ext.mjs";
import { pageReport, stats, waitObserved } from "./lib/demo.mjs";
import { withTrackedDemo } from "./lib/tracked.mjs";

/** The site's snapshot size and the URL of each journal entry, through storage.js. */
function stored(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const store = await import(chrome.runtime.getURL("storage.js"));
    const snap = await store.getSnapshot(origin);
    const journal = await store.getJournal(origin);
    return {
      snapshot: snap?.bytes?.length ?? 0,
      journal: journal.map((j) => (typeof j.observation === "string" ? JSON.parse(j.observation).url : null)),
    };
  }, origin);
}

/** Flips one byte in the middle of the site's snapshot (its checksum then fails). */
function damageSnapshot(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const store = await import(chrome.runtime.getURL("storage.js"));
    const snap = await store.getSnapshot(origin);
    const bytes = snap.bytes.slice();
    bytes[bytes.length >> 1] ^= 0xff;
    await store.compact(origin, bytes, snap.seq, null);
    return bytes.length;
  }, origin);
}

test("a snapshot that cannot be restored: the error is shown, nothing is deleted, visits are still journaled", async () => {
  await withTrackedDemo("damaged", async ({ context, origin, ctl }) => {
    const tab = await context.newPage();
    await tab.goto(`${origin}/`, { waitUntil: "load" });
    await waitObserved(ctl, `${origin}/`);
    // An export writes the snapshot (and empties the journal).
    await ask(ctl, { type: "export", origin, id: "damaged-test" });
    const size = await damageSnapshot(ctl, origin);

    const cdp = await context.newCDPSession(ctl);
    await cdp.send("ServiceWorker.enable");
    await stopAllWorkers(cdp);
    const status = await ask(ctl, { type: "status", url: `${origin}/` });
    assert.match(String(status.error), /could not be restored/, JSON.stringify(status));
    assert.match(String(status.error), /Nothing was deleted/);

    // A page visited now is journaled as the content script sent it.
    const before = await stored(ctl, origin);
    await tab.goto(`${origin}/menu.html`, { waitUntil: "load" });
    let after = before;
    for (let i = 0; i < 100 && after.journal.length === before.journal.length; i++) {
      await delay(100);
      after = await stored(ctl, origin);
    }
    assert.deepEqual(after.journal.slice(before.journal.length), [`${origin}/menu.html`], JSON.stringify(after));
    assert.equal(after.snapshot, size, "the damaged snapshot is kept, not overwritten");
  });
});

/** The raw snapshot record's state: seq, proven, its fallback's seq, the journal keys. */
function record(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const store = await import(chrome.runtime.getURL("storage.js"));
    const db = await store.open();
    const rec = await new Promise((resolve, reject) => {
      const req = db.transaction("snapshots").objectStore("snapshots").get(origin);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const journal = await store.getJournal(origin);
    return { seq: rec?.seq ?? 0, proven: rec?.proven !== false, fallback: rec?.fallback?.seq ?? null, journal: journal.length, keys: journal.map((j) => j.key), upTo: rec?.upToKey ?? null };
  }, origin);
}

/** Flips one byte of the newest snapshot's bytes, keeping the rest of its record. */
function damageNewest(ctl, origin) {
  return ctl.evaluate(async (origin) => {
    const store = await import(chrome.runtime.getURL("storage.js"));
    const db = await store.open();
    const get = db.transaction("snapshots").objectStore("snapshots").get(origin);
    const rec = await new Promise((resolve, reject) => ((get.onsuccess = () => resolve(get.result)), (get.onerror = () => reject(get.error))));
    const bytes = new Uint8Array(await rec.bytes.arrayBuffer());
    bytes[bytes.length >> 1] ^= 0xff;
    const tx = db.transaction("snapshots", "readwrite");
    tx.objectStore("snapshots").put({ ...rec, bytes: new Blob([bytes]) });
    await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))));
  }, origin);
}

test("a fold's snapshot that does not restore: the woken worker restores the one before it and the journal", async () => {
  await withTrackedDemo("unproven", async ({ context, origin, ctl }) => {
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(ctl);
    await cdp.send("ServiceWorker.enable");
    const state = async () => ({ stats: await stats(ctl, `${origin}/`), menu: await pageReport(ctl, `${origin}/menu.html`) });

    // A first snapshot, proven by a wake (its visit then leaves the journal).
    await tab.goto(`${origin}/`, { waitUntil: "load" });
    await waitObserved(ctl, `${origin}/`);
    await ask(ctl, { type: "export", origin, id: "unproven-test" });
    const first = await record(ctl, origin);
    assert.equal(first.proven, false, JSON.stringify(first));
    assert.ok(first.journal >= 1, `the visit stays until a wake: ${JSON.stringify(first)}`);
    await stopAllWorkers(cdp);
    await state();
    let last;
    await waitFor(async () => {
      const r = (last = await record(ctl, origin));
      // (a page may send a second observation after the export, which the snapshot lacks)
      return r.proven && r.keys.every((k) => k > r.upTo);
    }, { what: "the wake proves the first snapshot" }).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}`);
    });

    // A second visit and a second snapshot, which keeps the first as its fallback.
    await tab.goto(`${origin}/menu.html`, { waitUntil: "load" });
    await waitObserved(ctl, `${origin}/menu.html`);
    await ask(ctl, { type: "export", origin, id: "unproven-test" });
    const second = await record(ctl, origin);
    assert.deepEqual([second.proven, second.fallback], [false, first.seq], JSON.stringify(second));
    assert.ok(second.journal >= 1 && second.keys.every((k) => k > first.upTo && k <= second.upTo), JSON.stringify(second));
    const before = await state();
    assert.equal(before.menu.state, "visited");
    // A third one before any wake replaces the second and still falls back to the first
    // (an unproven snapshot is never a fallback).
    await ask(ctl, { type: "export", origin, id: "unproven-test" });
    const third = await record(ctl, origin);
    assert.deepEqual([third.seq, third.proven, third.fallback], [second.seq + 1, false, first.seq], JSON.stringify(third));
    // A wake reads only the entries after the newest snapshot (none here), not those it keeps.
    const wakeReads = await ctl.evaluate(async (origin) => {
      const store = await import(chrome.runtime.getURL("storage.js"));
      return (await store.readSite(origin)).journal.map((j) => j.key);
    }, origin);
    assert.deepEqual(wakeReads, [], `readSite: ${JSON.stringify(wakeReads)}, kept: ${JSON.stringify(third.keys)}`);
    assert.ok(third.keys.length >= 1);

    // It cannot be restored: the next worker answers from the first and the journal, alike.
    await damageNewest(ctl, origin);
    await stopAllWorkers(cdp);
    const status = await ask(ctl, { type: "status", url: `${origin}/` });
    assert.equal(status.error ?? null, null, JSON.stringify(status).slice(0, 400));
    const after = await state();
    assert.ok(close(after, before), `${JSON.stringify(before.stats)} → ${JSON.stringify(after.stats)}`);
    const kept = await record(ctl, origin);
    assert.deepEqual([kept.seq, kept.proven, kept.fallback], [third.seq, false, first.seq], JSON.stringify(kept));
    assert.ok(second.keys.every((k) => kept.keys.includes(k)), `nothing deleted: ${JSON.stringify(kept)}`);
  });
});
