// An independent check of src/anchor.rs against the real Lighthouse `link-text` SEO audit:
// every link Lighthouse fails must be flagged (non-descriptive) by our classifier, and
// `anchor::lighthouse_fails_in` must agree with Lighthouse on every link, failed or not.
//
// 1. Runs Lighthouse (only the link-text audit, headless Chromium) on a few demo-site pages
//    and on tests/fixtures/anchors/generic.html (anchors in many languages, each with an id
//    saying what Lighthouse does with it: "fail-…" or "pass-…").
// 2. Writes what it saw, origins replaced by stable ones, plus the blocklist read from the
//    installed Lighthouse source, to tests/e2e/out/lighthouse-link-text.json.
// 3. Runs `cargo test --test anchor_lighthouse` on that file (LINKFLOW_LH_ITEMS): the Rust
//    side does the classification checks.
// 4. Compares it with the committed snapshot tests/fixtures/anchors/lighthouse-link-text.json
//    (which `cargo test` checks without a browser). A stale snapshot is reported, not failed;
//    LINKFLOW_UPDATE_FIXTURES=1 rewrites it.
//
// Needs `npm ci` (lighthouse) and Chromium ($CHROME_PATH, default /usr/bin/chromium).
// Outside CI, a missing one skips the tests; in CI (CI=true) it fails them.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { serve } from "./serve.mjs";
import { ROOT, startLighthouse, readLighthouseBlocklist } from "./lib/lighthouse-run.mjs";

const DEMO_ROOT = path.join(ROOT, "tests/fixtures/demo-site");
const ANCHORS_ROOT = path.join(ROOT, "tests/fixtures/anchors");
const OUT = path.join(ROOT, "tests/e2e/out/lighthouse-link-text.json");
const SNAPSHOT = path.join(ANCHORS_ROOT, "lighthouse-link-text.json");
/** Demo pages audited: the ones with generic anchors (about.html also has an SVG link). */
const DEMO_PAGES = ["/index.html", "/about.html", "/blog/index.html"];
/** Stable origins written in place of the servers' random ports. */
const DEMO_ORIGIN = "http://demo.test";
const ANCHORS_ORIGIN = "http://anchors.test";

let lh = null;
let demo = null;
let anchors = null;
let skip = null;
/** {page, anchors}[] with stable origins. */
const pages = [];

function stable(s, origin, stableOrigin) {
  return typeof s === "string" ? s.split(origin).join(stableOrigin) : s;
}

async function audit(server, pagePath, stableOrigin) {
  const page = await lh.linkText(server.url + pagePath);
  const fix = (s) => stable(s, server.url, stableOrigin);
  return {
    page: fix(page.url),
    anchors: page.anchors.map((a) => ({ ...a, href: fix(a.href) })),
    failures: page.failures.map((f) => ({ ...f, href: fix(f.href) })),
  };
}

describe("Lighthouse link-text audit vs anchor.rs", { concurrency: false }, () => {
  before(async () => {
    for (const p of [DEMO_ROOT, ANCHORS_ROOT]) {
      if (!fs.existsSync(p)) throw new Error(`missing fixture directory ${p}`);
    }
    const started = await startLighthouse();
    if (started.skip) {
      if (process.env.CI) throw new Error(`cannot run Lighthouse in CI: ${started.skip}`);
      skip = started.skip;
      return;
    }
    lh = started;
    demo = await serve({ root: DEMO_ROOT, port: 0 });
    anchors = await serve({ root: ANCHORS_ROOT, port: 0 });
  });

  after(async () => {
    await lh?.close();
    await demo?.close();
    await anchors?.close();
  });

  test("generic.html: Lighthouse fails exactly the fail-* anchors", async (t) => {
    if (skip) return t.skip(skip);
    const page = await audit(anchors, "/generic.html", ANCHORS_ORIGIN);
    pages.push(page);
    const withId = page.anchors.filter((a) => a.id);
    assert.ok(withId.length > 100, `only ${withId.length} anchors with an id`);
    const wrong = withId.filter((a) => a.failed !== a.id.startsWith("fail-"));
    assert.deepEqual(
      wrong.map((a) => `${a.id} (${JSON.stringify(a.text)}, lang ${a.textLang}): Lighthouse ${a.failed ? "fails" : "passes"} it`),
      [],
    );
    assert.equal(page.failures.length, withId.filter((a) => a.id.startsWith("fail-")).length);
  });

  test("demo site: audit runs and finds the demo's generic anchors", async (t) => {
    if (skip) return t.skip(skip);
    let failures = 0;
    for (const p of DEMO_PAGES) {
      if (!fs.existsSync(path.join(DEMO_ROOT, p))) {
        t.diagnostic(`demo page ${p} is missing; skipped`);
        continue;
      }
      const page = await audit(demo, p, DEMO_ORIGIN);
      pages.push(page);
      failures += page.failures.length;
      t.diagnostic(`${p}: ${page.anchors.length} links, fails ${page.failures.map((f) => JSON.stringify(f.text)).join(", ") || "none"}`);
    }
    assert.ok(failures > 0, "the demo site has generic anchors (\"Click here\", \"Learn more\"); Lighthouse found none");
  });

  test("every link Lighthouse fails is flagged by anchor::classify (cargo test --test anchor_lighthouse)", async (t) => {
    if (skip) return t.skip(skip);
    assert.ok(pages.length > 0, "no page was audited");
    const data = {
      lighthouse: lh.version,
      about: "Written by tests/e2e/lighthouse.test.mjs: every <a> Lighthouse's link-text audit saw (its AnchorElements artifact) and whether the audit failed it; origins replaced by stable ones. Checked by tests/anchor_lighthouse.rs.",
      blocklist: readLighthouseBlocklist(),
      pages: pages
        .map((p) => ({ page: p.page, anchors: p.anchors }))
        .sort((a, b) => (a.page < b.page ? -1 : a.page > b.page ? 1 : 0)),
    };
    const json = JSON.stringify(data, null, 1) + "\n";
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, json);

    const r = spawnSync("cargo", ["test", "--locked", "--quiet", "--test", "anchor_lighthouse"], {
      cwd: ROOT,
      env: { ...process.env, LINKFLOW_LH_ITEMS: OUT },
      encoding: "utf8",
      timeout: 20 * 60 * 1000,
    });
    if (r.error) throw new Error(`could not run cargo: ${r.error.message}`);
    assert.equal(r.status, 0, `cargo test --test anchor_lighthouse failed on ${OUT}:\n${r.stdout}\n${r.stderr}`);

    const snapshot = fs.existsSync(SNAPSHOT) ? fs.readFileSync(SNAPSHOT, "utf8") : "";
    if (snapshot !== json) {
      if (process.env.LINKFLOW_UPDATE_FIXTURES === "1") {
        fs.writeFileSync(SNAPSHOT, json);
        t.diagnostic(`updated ${path.relative(ROOT, SNAPSHOT)}`);
      } else {
        t.diagnostic(
          `${path.relative(ROOT, SNAPSHOT)} differs from this run (demo site or Lighthouse changed?); ` +
            `rerun with LINKFLOW_UPDATE_FIXTURES=1 and commit it`,
        );
      }
    }
  });
});
