#!/usr/bin/env node
// ./build.sh demo: Chromium with the Linkflow test build on the demo site.
//
//   node scripts/demo.mjs [--ext dist/test-chrome] [--site tests/fixtures/demo-site]
//                         [--screenshot docs/popup.png] [--headless]
//
// With a display: opens a Chromium window with the extension, tracks the demo site, visits
// its pages, and leaves the home page and its popup (as a tab) open until you close the
// window. Without one ($DISPLAY empty) or with --headless: does the same headless, prints
// what the popup shows for the home page and saves a screenshot of it.
import path from "node:path";
import { serve } from "../tests/e2e/serve.mjs";
import { launchWithExtension, tempDir, ROOT } from "../tests/e2e/lib/ext.mjs";
import { openControl, track, browseDemo } from "../tests/e2e/lib/demo.mjs";
import { openPopup } from "../tests/e2e/lib/popup.mjs";

function parseArgs(argv) {
  const o = {
    ext: path.join(ROOT, "dist/test-chrome"),
    site: path.join(ROOT, "tests/fixtures/demo-site"),
    screenshot: path.join(ROOT, "docs/popup.png"),
    headless: !process.env.DISPLAY,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--ext") o.ext = path.resolve(argv[++i]);
    else if (a === "--site") o.site = path.resolve(argv[++i]);
    else if (a === "--screenshot") o.screenshot = path.resolve(argv[++i]);
    else if (a === "--headless") o.headless = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const srv = await serve({ root: opts.site, port: 0 });
  const tmp = tempDir("demo-profile");
  const browser = await launchWithExtension({
    userDataDir: tmp.dir,
    extDir: opts.ext,
    headless: opts.headless,
    // Ctrl-C ends the demo through our own handler (which also removes the temp profile).
    options: { handleSIGINT: false, handleSIGTERM: false },
  });
  const cleanup = async () => {
    await browser.close();
    await srv.close();
    tmp.cleanup();
  };
  try {
    const site = `${srv.url}/`;
    console.log(`demo site: ${site}`);
    console.log(`extension: chrome-extension://${browser.extensionId}/ (${path.relative(ROOT, opts.ext)})`);
    const ctl = await openControl(browser.context, browser.extensionId, site);
    await track(ctl, site);
    const tab = await browser.context.newPage();
    const visited = await browseDemo(ctl, tab, site);
    console.log(`visited ${visited.length} pages (the orphan by its address, the 301 by its link)`);
    await ctl.close();

    if (opts.headless) {
      await tab.close();
      const popup = await openPopup(browser.context, browser.extensionId, site, { width: 460, height: 900 });
      const text = await popup.$eval("body", (b) => b.innerText);
      console.log(`\n----- the popup for ${site} -----\n${text.replace(/\n{3,}/g, "\n\n").trim()}\n-----`);
      await popup.screenshot({ path: opts.screenshot });
      console.log(`screenshot: ${path.relative(ROOT, opts.screenshot)}`);
      await cleanup();
      return;
    }

    await tab.goto(site);
    await openPopup(browser.context, browser.extensionId, site, { width: 460, height: 900 });
    console.log("Chromium is open: the demo site and its popup (as a tab). Close the window (or Ctrl-C) to end.");
    await new Promise((resolve) => {
      browser.context.on("close", resolve);
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await cleanup();
  } catch (e) {
    await cleanup();
    throw e;
  }
}

main().catch((e) => {
  console.error(`demo: ${e.stack || e.message}`);
  process.exit(1);
});
