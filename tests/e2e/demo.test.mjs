// The demo site, browsed with the extension: the popup shows what the core computed, and
// what the demo's README says it must.
import { describe, before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/ext.mjs";
import { browseDemo, pageReport, siteReport, demoPagePaths } from "./lib/demo.mjs";
import { openTrackedDemo } from "./lib/tracked.mjs";
import { openPopup, readPagePanel, openSiteTab } from "./lib/popup.mjs";

describe("demo site through the popup", () => {
  let demo, browser, ctl, base;
  const popups = new Map();

  before(async () => {
    demo = await openTrackedDemo("demo");
    ({ ctl, origin: base } = demo);
    browser = { context: demo.context, extensionId: demo.extensionId };
    const tab = await browser.context.newPage();
    await browseDemo(ctl, tab, `${base}/`);
    await tab.close();
  });

  after(async () => {
    await demo?.close();
  });

  /** The popup for a page and the worker's pageReport for it, read at the same time. */
  async function shown(p) {
    const url = base + p;
    if (!popups.has(url)) {
      const page = await openPopup(browser.context, browser.extensionId, url);
      popups.set(url, { page, dom: await readPagePanel(page), report: await pageReport(ctl, url) });
    }
    return popups.get(url);
  }

  function anchorsFrom(dom, source) {
    const g = dom.groups.find((x) => x.source === source);
    return g ? g.links : [];
  }

  test("every demo page was gathered", async () => {
    const sr = await siteReport(ctl, base);
    // 16 pages on disk + /old-menu.html (the 301) are known; all but the alias are visited.
    const expected = demoPagePaths().length;
    assert.equal(sr.counts.visited, expected, `visited pages: ${JSON.stringify(sr.counts)}`);
    assert.equal(sr.coverage.discovered, 0, "no page left only discovered");
  });

  for (const p of ["/", "/menu.html", "/order.html", "/staff.html", "/blog/rye-experiment.html", "/secret-recipe.html", "/seasonal.html", "/old-menu.html", "/contact.html"]) {
    test(`popup for ${p} shows the core's pageReport`, async () => {
      const { dom, report } = await shown(p);
      assert.equal(dom.url, report.url, "page shown");
      assert.equal(dom.state, report.state);
      assert.equal(Number(dom.share), report.authority.share, "share (data-value)");
      assert.equal(dom.rank === undefined ? undefined : Number(dom.rank), report.authority.rank || undefined, "rank");
      assert.match(dom.rankText, new RegExp(`\\b${report.authority.rank}\\b.*\\b${report.authority.of}\\b`), "rank text shows 'rank of N'");
      assert.equal(dom.depth, String(report.depth ?? "none"), "depth");
      // Inlinks: same sources in the same order, same anchors, qualities and flags.
      const want = report.inlinks.map((g) => ({
        source: g.source,
        links: g.links.map((l) => ({ anchor: l.anchor, quality: l.quality.code, nofollow: l.nofollow, visible: l.visible })),
      }));
      const got = dom.groups.map((g) => ({
        source: g.source,
        links: g.links.map((l) => ({ anchor: l.anchor, quality: l.quality, nofollow: l.nofollowBadge, visible: !l.hiddenBadge })),
      }));
      assert.deepEqual(got, want, "inlink groups");
      assert.equal(dom.inlinksNone, report.inlinks.length === 0);
      assert.deepEqual(dom.problems, report.problems.map((x) => x.code), "problems");
      assert.deepEqual(dom.toRedirects, report.outlinks?.toRedirects && ["visited", "noindex", "canonicalised"].includes(report.state) ? report.outlinks.toRedirects : [], "links to redirects");
      if (dom.outlinks) {
        assert.equal(Number(dom.outlinks.internal), report.outlinks.internal);
        assert.equal(Number(dom.outlinks.external), report.outlinks.external);
      }
    });
  }

  test("the 5-deep page shows depth 5", async () => {
    const { dom } = await shown("/blog/rye-experiment.html");
    assert.equal(dom.depth, "5");
    assert.match(dom.depthText, /5/);
    assert.ok(dom.problems.includes("deep"), `problems: ${dom.problems}`);
  });

  test("the orphan shows as orphan, with no inlinks", async () => {
    const { dom } = await shown("/secret-recipe.html");
    assert.ok(dom.problems.includes("orphan"), `problems: ${dom.problems}`);
    assert.equal(dom.inlinksNone, true);
    assert.equal(dom.depth, "none");
  });

  test("generic, empty and image-without-alt anchors are flagged", async () => {
    const home = `${base}/`;
    const order = await shown("/order.html");
    const fromHome = anchorsFrom(order.dom, home);
    assert.ok(fromHome.some((l) => l.anchor === "Click here" && l.quality === "generic"), JSON.stringify(fromHome));
    assert.ok(fromHome.some((l) => l.anchor === "" && l.quality === "empty"), JSON.stringify(fromHome));
    assert.ok(fromHome.some((l) => l.anchor === "Order ahead" && l.quality === "descriptive"), JSON.stringify(fromHome));

    const classes = await shown("/classes.html");
    assert.ok(anchorsFrom(classes.dom, home).some((l) => l.anchor === "Learn more" && l.quality === "generic"));

    const starter = await shown("/blog/sourdough-starter.html");
    assert.ok(anchorsFrom(starter.dom, `${base}/blog/`).some((l) => l.anchor === "Read more" && l.quality === "generic"));

    const contact = await shown("/contact.html");
    assert.ok(anchorsFrom(contact.dom, `${base}/about.html`).some((l) => l.anchor === "here" && l.quality === "generic"));

    const menu = await shown("/menu.html");
    assert.ok(
      anchorsFrom(menu.dom, home).some((l) => l.quality === "image-no-alt"),
      `home → menu.html#pastries image link: ${JSON.stringify(anchorsFrom(menu.dom, home))}`,
    );
  });

  test("the JS-added link is present", async () => {
    const { dom } = await shown("/seasonal.html");
    const links = anchorsFrom(dom, `${base}/`);
    assert.deepEqual(links.map((l) => l.anchor), ["This week's seasonal specials"]);
    assert.equal(dom.depth, "1");
  });

  test("the hidden link is marked not visible, the footer link nofollow", async () => {
    const { dom } = await shown("/staff.html");
    const links = anchorsFrom(dom, `${base}/`);
    const hidden = links.find((l) => l.anchor === "Staff rota (hidden)");
    assert.ok(hidden, JSON.stringify(links));
    assert.equal(hidden.hiddenBadge, true);
    assert.equal(hidden.visible, "false");
    const login = links.find((l) => l.anchor === "Staff login");
    assert.equal(login?.nofollowBadge, true, JSON.stringify(links));
    assert.ok(dom.problems.includes("noindex"), `problems: ${dom.problems}`);
  });

  test("the link to the 301 is reported in linksToRedirects", async () => {
    const { page, dom } = await shown("/");
    assert.deepEqual(dom.toRedirects, [`${base}/old-menu.html`]);
    const sr = await siteReport(ctl, base);
    assert.deepEqual(
      sr.linksToRedirects.map((x) => [x.source, x.target, x.redirectTo]),
      [[`${base}/`, `${base}/old-menu.html`, `${base}/menu.html`]],
    );
    const alias = await shown("/old-menu.html");
    assert.equal(alias.dom.state, "redirect");
    assert.ok(alias.dom.stateNote.includes(`${base}/menu.html`), alias.dom.stateNote);

    // The Site tab lists it too.
    await openSiteTab(page);
    const rows = await page.$$eval('[data-testid="redirect-links"] li', (lis) => lis.map((li) => [li.dataset.source, li.dataset.target, li.textContent]));
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0][1], `${base}/old-menu.html`);
    assert.ok(rows[0][2].includes(`${base}/menu.html`), rows[0][2]);
    await page.click('[data-testid="tab-page"]');
  });

  test("screenshot of the home page's popup → docs/popup.png", async () => {
    const page = await openPopup(browser.context, browser.extensionId, `${base}/`, { width: 460, height: 900 });
    const file = path.join(ROOT, "docs/popup.png");
    await page.screenshot({ path: file, fullPage: false });
    assert.ok(fs.statSync(file).size > 10_000, "a real screenshot");
    await page.close();
  });
});
