// Shared helpers for the browser end-to-end tests: launching Debian Chromium with the
// Linkflow test build, talking to the extension's worker, polling instead of sleeping.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const TEST_CHROME = path.join(ROOT, "dist/test-chrome");
export const DIST_FIREFOX = path.join(ROOT, "dist/firefox");
export const DEMO_SITE = path.join(ROOT, "tests/fixtures/demo-site");
export const OUT = path.join(ROOT, "tests/e2e/out");
export const CHROMIUM = process.env.LINKFLOW_CHROMIUM || "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A fresh temporary directory, removed by the returned cleanup(). */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `linkflow-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Fails with a clear message when the test build is missing. */
export function requireBuild(dir = TEST_CHROME) {
  for (const f of ["manifest.json", "pkg/linkflow_bg.wasm", "background.js", "popup.html"]) {
    if (!fs.existsSync(path.join(dir, f))) {
      throw new Error(`${path.join(dir, f)} is missing: run ./build.sh build first`);
    }
  }
}

/**
 * Launches Chromium with the extension loaded from `extDir` on `userDataDir`.
 * Resolves to {context, extensionId, close()}.
 */
export async function launchWithExtension({ userDataDir, extDir = TEST_CHROME, headless = true, options = {} } = {}) {
  requireBuild(extDir);
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...options,
    executablePath: CHROMIUM,
    headless,
    acceptDownloads: true,
    viewport: { width: 1200, height: 900 },
    args: [...CHROMIUM_ARGS, `--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`],
  });
  const extensionId = await findExtensionId(context);
  return { context, extensionId, close: () => context.close().catch(() => {}) };
}

/** Launches a plain Chromium context (no extension), for independent reference reads. */
export async function launchPlain({ userDataDir, headless = true } = {}) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless,
    args: CHROMIUM_ARGS,
  });
  return { context, close: () => context.close().catch(() => {}) };
}

async function findExtensionId(context) {
  let sw = context.serviceWorkers().find((w) => w.url().startsWith("chrome-extension://"));
  if (!sw) {
    sw = await context.waitForEvent("serviceworker", {
      predicate: (w) => w.url().startsWith("chrome-extension://"),
      timeout: 20_000,
    });
  }
  return new URL(sw.url()).host;
}

/** Opens an extension page (default: the popup) as a normal tab. */
export async function openExtensionPage(context, extensionId, rel = "popup.html") {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/${rel}`);
  return page;
}

export function popupUrl(extensionId, pageUrl) {
  return `chrome-extension://${extensionId}/popup.html?url=${encodeURIComponent(pageUrl)}`;
}

/**
 * Sends a message to the worker from an extension page and returns its answer.
 * Retries when the worker was stopped and the channel closed before it answered.
 */
export async function send(extPage, message, { retries = 5 } = {}) {
  let lastError;
  for (let i = 0; i <= retries; i++) {
    try {
      return await extPage.evaluate((m) => chrome.runtime.sendMessage(m), message);
    } catch (e) {
      lastError = e;
      const msg = String(e && e.message);
      // A worker stopped mid-request closes the port; a new request wakes it.
      if (!/message port closed|Receiving end does not exist|Could not establish connection|context was destroyed/i.test(msg)) throw e;
      await delay(100 * (i + 1));
    }
  }
  throw lastError;
}

/**
 * Unwraps a worker answer: accepts `{ok: true, ...}`/`{ok: true, result}` wrappers or raw
 * values, throws on `{ok: false, error}` / `{error}`.
 */
export function unwrap(answer, what = "request") {
  if (answer && typeof answer === "object") {
    if (answer.ok === false || (answer.error && answer.ok !== true)) {
      throw new Error(`${what} failed: ${answer.error?.message || answer.error || JSON.stringify(answer)}`);
    }
    if (answer.ok === true && "result" in answer) return answer.result;
    if (answer.ok === true && "data" in answer) return answer.data;
  }
  return answer;
}

export async function ask(extPage, message) {
  return unwrap(await send(extPage, message), message.type);
}

export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a truthy value; returns that value. On timeout throws an
 * error naming `what` and the last value or error seen.
 */
export async function waitFor(fn, { timeout = 15_000, interval = 50, what = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last, lastErr;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > end) {
      const detail = lastErr ? `last error: ${lastErr.message}` : `last value: ${JSON.stringify(last)?.slice(0, 500)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${detail})`);
    }
    await delay(interval);
  }
}

/** Every .html file under `root`, as URL paths ("/a.html", "/blog/index.html"). */
export function htmlPaths(root) {
  const out = [];
  const walk = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(".html")) out.push("/" + path.relative(root, p).split(path.sep).join("/"));
    }
  };
  walk(root);
  return out;
}

/** Kills every service worker of the context through CDP (a real stop, not a reload). */
export async function stopAllWorkers(cdp) {
  await cdp.send("ServiceWorker.stopAllWorkers");
}

/** Fails the test on any dialog (alert/confirm/prompt) a page opens. */
export function failOnDialogs(page, sink) {
  page.on("dialog", async (d) => {
    sink.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
}

export function ensureOut() {
  fs.mkdirSync(OUT, { recursive: true });
  return OUT;
}

/** Deep equality where numbers may differ by a relative 1e-9 (iterative PageRank). */
export function close(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return Array.isArray(a) === Array.isArray(b) && [...keys].every((k) => close(a[k], b[k]));
  }
  return a === b;
}
