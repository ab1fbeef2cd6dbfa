// The worker journals each observation as JSON text (and ingests it with `ingestJson`);
// journals written before hold plain objects, or JSON text with the links as objects. After
// a worker stop, every form replays: objects, JSON text (links as objects or as columns, the
// form content.js sends now) and JSON bytes, lone surrogates included, and a damaged entry is
// skipped without losing the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { stopAllWorkers } from "./lib/ext.mjs";
import { pageReport } from "./lib/demo.mjs";
import { withTrackedDemo } from "./lib/tracked.mjs";

test("journal entries replay after a worker stop, whatever their form", async () => {
  await withTrackedDemo("journal", async ({ context, origin, ctl }) => {

    const pages = await ctl.evaluate(async (base) => {
      const store = await import(chrome.runtime.getURL("storage.js"));
      const origin = new URL(base).origin;
      const obs = (name) => ({
        url: `${base}/${name}.html`,
        title: `Legacy ${name} \ud83d`, // a lone surrogate, as a cut emoji leaves it
        links: [
          { href: `${base}/menu.html`, text: "Our menu \ud83d", region: "main", visible: true, order: 0 },
          { href: `${base}/${name}-target.html`, text: "Rye sourdough", region: "nav", order: 1 },
          { href: "https://elsewhere.test/", text: "Elsewhere", order: 2 },
        ],
        observedAt: Date.now(),
      });
      const enc = new TextEncoder();
      await store.appendJournal(origin, obs("legacy-object"));
      await store.appendJournal(origin, JSON.stringify(obs("legacy-text")));
      await store.appendJournal(origin, enc.encode(JSON.stringify(obs("legacy-bytes"))).slice(0, 40)); // damaged
      await store.appendJournal(origin, enc.encode(JSON.stringify(obs("bytes"))));
      const cols = obs("columns");
      cols.links = {
        href: cols.links.map((l) => l.href),
        text: cols.links.map((l) => l.text),
        region: "mno",
      };
      await store.appendJournal(origin, JSON.stringify(cols));
      return ["legacy-object", "legacy-text", "bytes", "columns"].map((n) => `${base}/${n}.html`);
    }, origin);

    const cdp = await context.newCDPSession(ctl);
    await cdp.send("ServiceWorker.enable");
    await stopAllWorkers(cdp);

    for (const url of pages) {
      const r = await pageReport(ctl, url);
      assert.equal(r.known, true, `${url} replayed`);
      assert.equal(r.state, "visited", `${url} state`);
      assert.equal(r.outlinks.internal, 2, `${url} internal links`);
      assert.equal(r.outlinks.external, 1, `${url} external links`);
    }
    const damaged = await pageReport(ctl, `${origin}/legacy-bytes.html`);
    assert.notEqual(damaged.state, "visited", "the damaged entry was skipped");
  });
});
