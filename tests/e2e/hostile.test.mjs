// Page data is untrusted: anchors and titles that look like HTML reach the popup as text.
import { describe, before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { serve } from "./serve.mjs";
import { launchWithExtension, tempDir, DEMO_SITE, failOnDialogs } from "./lib/ext.mjs";
import { openControl, track, waitObserved, pageReport } from "./lib/demo.mjs";
import { openPopup, readPagePanel, openSiteTab } from "./lib/popup.mjs";

const DEMO_PAYLOAD = "<img src=x onerror=alert(1)> <script>alert(2)</script> baking notes";
const FLAG_ANCHOR = '<img src=x onerror="window.__pwned=1"><svg onload="window.__pwned=3">';
const FLAG_TITLE = "<script>window.__pwned=2</script><b>bold</b>";

const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A page of 20,000 links with 3,600-character addresses: ~72 MB of addresses, more than
 * one runtime message may carry (64 MiB).
 */
const HUGE_LINKS = 20_000;
function writeHugePage(dir) {
  const pad = "x".repeat(3600);
  const links = [];
  for (let i = 0; i < HUGE_LINKS; i++) links.push(`<a href="target.html?i=${i}&amp;pad=${pad}">Link ${i}</a>`);
  fs.writeFileSync(
    path.join(dir, "huge.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Huge</title></head><body><main>${links.join("\n")}</main></body></html>`,
  );
}

/** A two-page site whose anchor, aria-label and title carry payloads that set window.__pwned. */
function writeFlagSite(dir) {
  fs.writeFileSync(
    path.join(dir, "index.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(FLAG_TITLE)}</title></head>
<body><main><h1>${esc(FLAG_TITLE)}</h1>
<p><a href="target.html">${esc(FLAG_ANCHOR)}</a></p>
<p><a href="target.html" aria-label="${esc(FLAG_ANCHOR)}"></a></p>
<p><a href="target.html?x=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D4%3E">query payload</a></p>
</main></body></html>`,
  );
  fs.writeFileSync(
    path.join(dir, "target.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(FLAG_TITLE)}</title></head>
<body><main><h1>Target</h1><a href="index.html">${esc(FLAG_ANCHOR)}</a></main></body></html>`,
  );
}

describe("hostile page content in the popup", () => {
  let tmp, siteDir, demo, flag, browser, ctl;
  const dialogs = [];

  before(async () => {
    tmp = tempDir("hostile");
    siteDir = tempDir("hostile-site");
    writeFlagSite(siteDir.dir);
    writeHugePage(siteDir.dir);
    demo = await serve({ root: DEMO_SITE, port: 0 });
    flag = await serve({ root: siteDir.dir, port: 0 });
    browser = await launchWithExtension({ userDataDir: tmp.dir });
    browser.context.on("page", (p) => failOnDialogs(p, dialogs));
    for (const p of browser.context.pages()) failOnDialogs(p, dialogs);

    ctl = await openControl(browser.context, browser.extensionId, `${demo.url}/`);
    await track(ctl, `${demo.url}/`);
    await track(ctl, `${flag.url}/`);
    const tab = await browser.context.newPage();
    for (const url of [`${demo.url}/`, `${demo.url}/blog/`, `${flag.url}/`, `${flag.url}/target.html`]) {
      await tab.goto(url, { waitUntil: "load" });
      await waitObserved(ctl, url);
    }
    await tab.close();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    await flag?.close();
    tmp?.cleanup();
    siteDir?.cleanup();
  });

  async function assertInert(page) {
    const probe = await page.evaluate(() => ({
      pwned: typeof window.__pwned,
      imgX: [...document.querySelectorAll("img")].filter((i) => i.getAttribute("src") === "x").length,
      scripts: [...document.querySelectorAll("script")].map((s) => s.getAttribute("src")),
      svgs: document.querySelectorAll("svg[onload], [onerror], [onload]").length,
    }));
    assert.equal(probe.pwned, "undefined", "window.__pwned was set by a payload");
    assert.equal(probe.imgX, 0, 'an <img src="x"> element exists in the popup DOM');
    assert.equal(probe.svgs, 0, "an element with an inline event handler exists in the popup DOM");
    assert.ok(probe.scripts.every((s) => s && !s.includes("alert")), `unexpected scripts: ${probe.scripts}`);
    assert.deepEqual(dialogs, [], "a dialog was opened");
  }

  test("the demo's <img onerror>/<script> anchor is shown as literal text", async () => {
    const page = await openPopup(browser.context, browser.extensionId, `${demo.url}/blog/`);
    const dom = await readPagePanel(page);
    const fromHome = dom.groups.find((g) => g.source === `${demo.url}/`);
    assert.ok(fromHome, `inlinks: ${JSON.stringify(dom.groups.map((g) => g.source))}`);
    assert.ok(fromHome.links.some((l) => l.anchor === DEMO_PAYLOAD), JSON.stringify(fromHome.links));
    const text = await page.$eval('[data-testid="panel-page"]', (p) => p.textContent);
    assert.ok(text.includes("<img src=x onerror="), "textContent shows the literal markup");
    assert.ok(text.includes("<script>alert(2)</script>"));
    // The Site view (generic anchors, top pages) renders page data too.
    await openSiteTab(page);
    await assertInert(page);
    await page.close();
  });

  test("a page whose links would not fit in one message is recorded, the links past the limit counted as dropped", { timeout: 120_000 }, async (t) => {
    const url = `${flag.url}/huge.html`;
    const tab = await browser.context.newPage();
    await tab.goto(url, { waitUntil: "load", timeout: 60_000 });
    const report = await waitObserved(ctl, url, { timeout: 60_000 });
    await tab.close();
    const dropped = report.problems.find((p) => p.code === "truncated");
    t.diagnostic(`${report.outlinks.internal} internal links kept; ${dropped?.message}`);
    assert.ok(dropped, `a "truncated" problem: ${JSON.stringify(report.problems.map((p) => p.code))}`);
    assert.ok(report.outlinks.internal > 1000 && report.outlinks.internal < HUGE_LINKS, JSON.stringify(report.outlinks));
    // The kept links are the page's first ones, in order.
    const target = await pageReport(ctl, `${flag.url}/target.html?i=0&pad=${"x".repeat(3600)}`);
    assert.ok(target.known, "the first link's target is in the graph");
  });

  test("payloads in anchors, aria-labels and titles never run (window.__pwned stays undefined)", async () => {
    for (const p of ["/target.html", "/"]) {
      const page = await openPopup(browser.context, browser.extensionId, flag.url + p);
      const dom = await readPagePanel(page);
      assert.equal(dom.title, FLAG_TITLE, "the title is shown as text");
      if (p === "/target.html") {
        const anchors = dom.groups.flatMap((g) => g.links.map((l) => l.anchor));
        assert.ok(anchors.includes(FLAG_ANCHOR), `anchors: ${JSON.stringify(anchors)}`);
      }
      await openSiteTab(page);
      // Give a payload every chance to fire (image error events are async).
      await page.waitForLoadState("networkidle");
      await assertInert(page);
      await page.close();
    }
  });
});
