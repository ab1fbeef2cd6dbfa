// Runs the real Lighthouse `link-text` audit (and only it) on local pages, for
// tests/e2e/lighthouse.test.mjs.
//
//   const lh = await startLighthouse();          // null when lighthouse or Chromium is missing
//   const page = await lh.linkText(url);          // {url, anchors: [...], failures: [...]}
//   await lh.close();
//
// Also reads Lighthouse's link-text blocklist from the installed package source
// (readLighthouseBlocklist), so the Rust side can check it is contained in ours.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The Chromium binary: $CHROME_PATH, else Debian's. */
export const CHROME_PATH = process.env.CHROME_PATH || "/usr/bin/chromium";

/** Directory of the installed `lighthouse` package, or null. */
export function lighthouseDir() {
  try {
    const require = createRequire(path.join(ROOT, "package.json"));
    return path.dirname(require.resolve("lighthouse/package.json"));
  } catch {
    return null;
  }
}

/** The installed Lighthouse's version, or null. */
export function lighthouseVersion() {
  const dir = lighthouseDir();
  if (!dir) return null;
  return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
}

/**
 * Lighthouse's non-descriptive link texts, read from the installed package's source
 * (core/audits/seo/link-text.js, `nonDescriptiveLinkTexts`): {lang: [phrase, ...]} in
 * Lighthouse's order. Throws if the file or the table is not where 12.x keeps it.
 */
export function readLighthouseBlocklist() {
  const dir = lighthouseDir();
  if (!dir) throw new Error("lighthouse is not installed: run `npm ci`");
  const file = path.join(dir, "core/audits/seo/link-text.js");
  const src = fs.readFileSync(file, "utf8");
  const start = src.indexOf("const nonDescriptiveLinkTexts = {");
  const end = start < 0 ? -1 : src.indexOf("\n};", start);
  if (start < 0 || end < 0) throw new Error(`${file}: no nonDescriptiveLinkTexts table`);
  const table = src.slice(start, end);
  const out = {};
  // One `'xx': new Set([ 'phrase', ... ]),` per language.
  for (const m of table.matchAll(/'([a-z]{2,3})': new Set\(\[([\s\S]*?)\]\)/g)) {
    out[m[1]] = [...m[2].matchAll(/'([^'\\]*)'/g)].map((p) => p[1]);
  }
  if (Object.keys(out).length === 0) throw new Error(`${file}: empty nonDescriptiveLinkTexts table`);
  return out;
}

/**
 * Launches headless Chromium and returns a runner of the link-text audit, or
 * {skip: reason} when Lighthouse or Chromium is missing.
 */
export async function startLighthouse() {
  if (!lighthouseDir()) return { skip: "lighthouse is not installed (npm ci)" };
  if (!fs.existsSync(CHROME_PATH)) return { skip: `no Chromium at ${CHROME_PATH} (set CHROME_PATH)` };
  const { default: lighthouse } = await import("lighthouse");
  // chrome-launcher is Lighthouse's own dependency, installed with it.
  const require = createRequire(path.join(lighthouseDir(), "package.json"));
  const chromeLauncher = await import(require.resolve("chrome-launcher"));
  const chrome = await chromeLauncher.launch({
    chromePath: CHROME_PATH,
    chromeFlags: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-sync",
      "--no-first-run",
    ],
  });

  const config = {
    extends: "lighthouse:default",
    settings: {
      onlyAudits: ["link-text"],
      formFactor: "desktop",
      screenEmulation: { disabled: true },
      throttlingMethod: "provided",
      disableFullPageScreenshot: true,
      maxWaitForLoad: 30_000,
    },
  };

  return {
    version: lighthouseVersion(),
    /**
     * Audits one page. `anchors` are all the <a> elements Lighthouse saw (its
     * AnchorElements artifact, trimmed to what the audit reads) with `failed` set when the
     * audit lists them; `failures` are the audit's own `details.items`.
     */
    async linkText(url) {
      const flags = { port: chrome.port, output: "json", logLevel: "error" };
      const result = await lighthouse(url, flags, config);
      if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
      const { lhr, artifacts } = result;
      if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
      const audit = lhr.audits["link-text"];
      if (!audit || audit.scoreDisplayMode === "error") {
        throw new Error(`link-text audit errored on ${url}: ${audit?.errorMessage ?? "missing"}`);
      }
      const failures = (audit.details?.items ?? []).map((i) => ({ href: i.href, text: i.text, textLang: i.textLang ?? null }));
      const failed = new Set(failures.map((f) => `${f.href}\u0000${f.text}`));
      const anchors = (artifacts.AnchorElements ?? []).map((a) => ({
        id: a.id,
        href: a.href,
        rawHref: a.rawHref,
        text: a.text,
        rel: a.rel,
        textLang: a.textLang ?? null,
        failed: failed.has(`${a.href}\u0000${a.text.trim()}`),
      }));
      return { url: lhr.finalDisplayedUrl, anchors, failures };
    },
    async close() {
      await chrome.kill();
    },
  };
}
