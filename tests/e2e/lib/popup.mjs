// Reading what the popup shows (extension/popup.html opened as a tab with ?url=).
import { popupUrl } from "./ext.mjs";

/** Opens the popup for `pageUrl` in a new tab of the popup's width and waits until it rendered. */
export async function openPopup(context, extensionId, pageUrl, { width = 480, height = 900 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(popupUrl(extensionId, pageUrl));
  await waitPopupReady(page);
  return page;
}

/** The popup rendered its page panel (or its untracked view) and is not busy any more. */
export async function waitPopupReady(page, { timeout = 15_000 } = {}) {
  await page.waitForFunction(
    () => {
      const s = document.getElementById("status");
      if (!s || s.dataset.state === "busy") return false;
      if (s.dataset.state === "error") return true; // surfaced by the caller
      const tracked = document.querySelector('[data-testid="view-tracked"]');
      const untracked = document.querySelector('[data-testid="view-untracked"]');
      if (untracked && !untracked.hidden) return true;
      const panel = document.querySelector('[data-testid="panel-page"]');
      return !!(tracked && !tracked.hidden && panel && panel.dataset.url);
    },
    null,
    { timeout },
  );
  const state = await page.$eval("#status", (s) => ({ state: s.dataset.state, text: s.textContent }));
  if (state.state === "error") throw new Error(`the popup shows an error: ${state.text}`);
}

/** Everything the "This page" panel shows, as plain data read from the DOM. */
export async function readPagePanel(page) {
  return page.$eval('[data-testid="panel-page"]', (panel) => {
    const q = (sel, root = panel) => root.querySelector(`[data-testid="${sel}"]`);
    const val = (sel) => q(sel)?.dataset.value;
    const groups = [...panel.querySelectorAll('[data-testid="inlink-group"]')].map((g) => ({
      source: g.dataset.source,
      links: [...g.querySelectorAll('[data-testid="inlink"]')].map((li) => ({
        anchor: li.querySelector('[data-testid="anchor"]')?.textContent ?? null,
        quality: li.querySelector('[data-testid="quality"]')?.dataset.quality ?? null,
        nofollowBadge: !!li.querySelector('[data-testid="nofollow"]'),
        hiddenBadge: !!li.querySelector('[data-testid="hidden"]'),
        nofollow: li.dataset.nofollow,
        visible: li.dataset.visible,
        region: li.dataset.region,
      })),
    }));
    const outl = q("outlinks");
    return {
      url: panel.dataset.url,
      state: panel.dataset.state,
      shownUrl: q("page-url")?.textContent ?? null,
      title: q("page-title")?.textContent ?? null,
      share: val("share"),
      shareText: q("share")?.textContent ?? null,
      rank: val("rank"),
      rankText: q("rank")?.textContent ?? null,
      depth: val("depth"),
      depthText: q("depth")?.textContent ?? null,
      inlinksNone: !!q("inlinks-none"),
      groups,
      outlinks: outl ? { internal: outl.dataset.internal, external: outl.dataset.external, text: outl.textContent } : null,
      toRedirects: [...panel.querySelectorAll('[data-testid="outlinks-redirects"] li')].map((li) => li.textContent),
      problems: [...panel.querySelectorAll('[data-testid="problems"] > li')].map((li) => li.dataset.code),
      stateNote: q("state-note")?.textContent ?? null,
      text: panel.innerText,
    };
  });
}

/** Switches to the Site tab and waits until it rendered. */
export async function openSiteTab(page) {
  await page.click('[data-testid="tab-site"]');
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid="panel-site"]');
    const s = document.getElementById("status");
    return p && !p.hidden && p.querySelector('[data-testid="site-summary"]') && s.dataset.state !== "busy";
  });
}
