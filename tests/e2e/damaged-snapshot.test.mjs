// A site whose stored snapshot cannot be restored keeps its data and keeps recording: the
// woken worker reports the error, deletes nothing, and journals the pages visited next
// (checking, without the core, that each observation describes the page that sent it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ask, delay, stopAllWorkers } from "./lib/ext.mjs";
import { waitObserved } from "./lib/demo.mjs";
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
