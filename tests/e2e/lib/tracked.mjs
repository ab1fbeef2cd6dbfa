// The preamble most e2e tests share: the demo site served on a free port, a fresh browser
// profile with the built extension, a control page, and the demo's origin tracked. The
// browser, the server and the profile are closed and removed whatever the test does.
import { serve } from "../serve.mjs";
import { launchWithExtension, tempDir, DEMO_SITE } from "./ext.mjs";
import { openControl, track } from "./demo.mjs";

/**
 * Runs `fn({ context, extensionId, origin, ctl })` with the demo site tracked.
 * `name` prefixes the temporary profile folder.
 */
export async function withTrackedDemo(name, fn) {
  const demo = await serve({ root: DEMO_SITE, port: 0 });
  const tmp = tempDir(name);
  const browser = await launchWithExtension({ userDataDir: tmp.dir });
  try {
    const { context, extensionId } = browser;
    const origin = demo.url;
    const ctl = await openControl(context, extensionId, `${origin}/`);
    await track(ctl, `${origin}/`);
    return await fn({ context, extensionId, origin, ctl });
  } finally {
    await browser.close();
    await demo.close();
    tmp.cleanup();
  }
}
