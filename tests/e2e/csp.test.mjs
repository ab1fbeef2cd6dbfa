// A page served with a strict CSP (no scripts at all) is still gathered: the content script
// is not the page's script, and the wasm runs in the worker, not in the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { waitObserved, pageReport } from "./lib/demo.mjs";
import { withTrackedDemo } from "./lib/tracked.mjs";

test("a strict-CSP page's links reach the core", async () => {
  await withTrackedDemo("csp", async ({ context, origin: base, ctl }) => {
    const tab = await context.newPage();
    const cspErrors = [];
    tab.on("console", (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) && cspErrors.push(m.text()));
    const resp = await tab.goto(`${base}/strict-csp.html`, { waitUntil: "load" });
    const csp = resp.headers()["content-security-policy"] || "";
    assert.match(csp, /script-src 'none'/, "the page really is served with the strict CSP");
    // The page cannot run a script of its own:
    const inline = await tab.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = 1";
      document.head.append(s);
      return typeof window.__ran;
    });
    assert.equal(inline, "undefined", "the CSP blocks page scripts");

    const report = await waitObserved(ctl, `${base}/strict-csp.html`);
    assert.equal(report.state, "visited");
    assert.equal(report.title, "Allergen information — Crumb & Co.");
    assert.equal(report.outlinks.external, 1, JSON.stringify(report.outlinks));
    assert.equal(report.outlinks.nonNavigational, 1, JSON.stringify(report.outlinks));
    assert.equal(report.outlinks.nofollow, 1, JSON.stringify(report.outlinks));
    assert.ok(report.outlinks.internal >= 10, JSON.stringify(report.outlinks));

    // Its outlinks are edges of the graph: the menu shows the body link with its anchor.
    const menu = await pageReport(ctl, `${base}/menu.html`);
    const from = menu.inlinks.find((g) => g.source === `${base}/strict-csp.html`);
    assert.ok(from, `menu.html inlinks: ${JSON.stringify(menu.inlinks.map((g) => g.source))}`);
    assert.deepEqual(from.links.map((l) => l.anchor).sort(), ["Menu", "menu items"]);
    const contact = await pageReport(ctl, `${base}/contact.html`);
    assert.ok(
      contact.inlinks.some((g) => g.source === `${base}/strict-csp.html` && g.links.some((l) => l.anchor === "contact the bakery")),
    );
  });
});
