// The preamble most e2e tests share: the demo site served on a free port, a fresh browser
// profile with the built extension, a control page, and the demo's origin tracked. The
// browser, the server and the profile are closed and removed whatever the test does.
import { serve } from "../serve.mjs";
import { launchWithExtension, tempDir, DEMO_SITE } from "./ext.mjs";
import { openControl, track } from "./demo.mjs";

/**
 * Serves the demo, launches the browser and tracks the demo's origin; resolves to
 * `{ context, extensionId, origin, ctl, close }`. `close()` closes the browser and the server
 * and removes the profile (also done here if a step of the set-up fails). For suites whose
 * tests share one browser (`before` / `after`); a single test uses `withTrackedDemo`.
 * `name` prefixes the temporary profile folder.
 */
export async function openTrackedDemo(name) {
  const demo = await serve({ root: DEMO_SITE, port: 0 });
  const tmp = tempDir(name);
  let browser = null;
  const close = async () => {
    await browser?.close();
    await demo.close();
    tmp.cleanup();
  };
  try {
    browser = await launchWithExtension({ userDataDir: tmp.dir });
    const { context, extensionId } = browser;
    const origin = demo.url;
    const ctl = await openControl(context, extensionId, `${origin}/`);
    await track(ctl, `${origin}/`);
    return { context, extensionId, origin, ctl, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Runs `fn({ context, extensionId, origin, ctl })` with the demo site tracked, and closes
 * everything afterwards, whatever `fn` does. `name` prefixes the temporary profile folder.
 */
export async function withTrackedDemo(name, fn) {
  const { close, ...tracked } = await openTrackedDemo(name);
  try {
    return await fn(tracked);
  } finally {
    await close();
  }
}
