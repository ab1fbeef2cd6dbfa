// Browsing the demo site (tests/fixtures/demo-site) with the extension, as a user would:
// track the origin, open every page, click the link to the redirecting URL, type the
// orphan's address. Shared by the e2e tests and scripts/demo.mjs.
import { ask, htmlPaths, DEMO_SITE, popupUrl, waitFor } from "./ext.mjs";

/** The pages of the demo site as the tests visit them ("/" for /index.html). */
export function demoPagePaths() {
  return htmlPaths(DEMO_SITE).map((p) => (p === "/index.html" ? "/" : p.replace(/\/index\.html$/, "/")));
}

/** Opens the control page (a popup tab) and tracks `siteUrl`'s origin through the worker. */
export async function openControl(context, extensionId, siteUrl) {
  const ctl = await context.newPage();
  await ctl.goto(popupUrl(extensionId, siteUrl));
  return ctl;
}

export async function track(ctl, siteUrl) {
  const origin = new URL(siteUrl).origin;
  const a = await ask(ctl, { type: "track", origin });
  if (!a.site || a.site.origin !== origin) throw new Error(`track answered ${JSON.stringify(a)}`);
  return a.site;
}

export async function pageReport(ctl, url) {
  return (await ask(ctl, { type: "pageReport", url })).report;
}

export async function siteReport(ctl, origin) {
  return (await ask(ctl, { type: "siteReport", origin })).report;
}

export async function stats(ctl, siteUrl) {
  const st = await ask(ctl, { type: "status", url: siteUrl });
  return st.site?.stats || null;
}

/** Waits until the worker holds an observation of `url` (its state is no longer "discovered"). */
export async function waitObserved(ctl, url, { timeout = 15_000, pred = null } = {}) {
  return waitFor(
    async () => {
      const r = await pageReport(ctl, url);
      if (!r.known || r.state === "discovered") return null;
      if (pred && !pred(r)) return null;
      return r;
    },
    { timeout, what: `the worker to hold an observation of ${url}` },
  );
}

/**
 * Visits every demo page in `page` (one tab) and waits after each until the worker has it:
 * the home page until its JS-added link is in; the redirect by clicking #redirect-link; the
 * meta-refresh page until its redirect is recorded; the orphan by typing its URL.
 * Returns the list of page URLs visited.
 */
export async function browseDemo(ctl, page, siteUrl, { onEach = null } = {}) {
  const base = siteUrl.replace(/\/$/, "");
  const visited = [];
  const seasonal = `${base}/seasonal.html`;
  for (const p of demoPagePaths()) {
    const url = base + p;
    await page.goto(url, { waitUntil: "load" });
    if (p === "/") {
      // The late link is added 300 ms after load; the content script re-reads on mutation.
      await waitObserved(ctl, url, {
        pred: (r) => r.outlinks && r.outlinks.internal > 0,
      });
      await waitFor(
        async () => (await pageReport(ctl, seasonal)).inlinks.some((g) => g.source === `${base}/`),
        { what: "the JS-added link home → /seasonal.html to reach the worker" },
      );
      // The redirect: click the link that points at /old-menu.html (301 → /menu.html).
      await Promise.all([page.waitForURL(`${base}/menu.html`), page.click("#redirect-link")]);
      await waitObserved(ctl, `${base}/old-menu.html`, {
        pred: (r) => r.state === "redirect",
      });
      visited.push(`${base}/old-menu.html`);
    } else if (p === "/opening-hours.html") {
      // Meta refresh to /contact.html#hours: the page is read before it forwards.
      await waitObserved(ctl, url);
      await page.waitForURL(/\/contact\.html/);
    } else {
      await waitObserved(ctl, url);
    }
    visited.push(url);
    if (onEach) await onEach(url);
  }
  return visited;
}
