// A minimal WebDriver BiDi client for a real Firefox (Debian firefox-esr), no driver binary:
// start firefox with --remote-debugging-port 0, read the ws:// address from stderr, speak
// BiDi over the `ws` package.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";

export const FIREFOX = process.env.LINKFLOW_FIREFOX || "/usr/bin/firefox-esr";

/**
 * Starts Firefox on a fresh profile dir. `prefs` are written to user.js.
 * Resolves to {bidi, proc, stderr(), close()}.
 */
export async function launchFirefox({ profileDir, prefs = {}, timeout = 60_000 }) {
  const base = {
    "browser.shell.checkDefaultBrowser": false,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.reportingpolicy.firstRun": false,
    "app.update.enabled": false,
    "extensions.update.enabled": false,
    "browser.aboutwelcome.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
    "browser.safebrowsing.update.enabled": false,
    "extensions.getAddons.cache.enabled": false,
    "services.settings.server": "http://127.0.0.1:9/",
  };
  const all = { ...base, ...prefs };
  fs.writeFileSync(
    path.join(profileDir, "user.js"),
    Object.entries(all)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${typeof v === "string" ? `'${v.replace(/'/g, "\\'")}'` : v});`)
      .join("\n") + "\n",
  );
  const proc = spawn(
    FIREFOX,
    ["--headless", "--no-remote", "--remote-debugging-port", "0", "--remote-allow-system-access", "--profile", profileDir, "about:blank"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: "1" } },
  );
  let err = "";
  proc.stdout.on("data", (d) => (err += d));
  const wsUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`firefox did not print its BiDi address within ${timeout} ms; output:\n${err.slice(-3000)}`)), timeout);
    proc.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/WebDriver BiDi listening on (ws:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`firefox exited (${code ?? sig}) before BiDi was ready; output:\n${err.slice(-3000)}`));
    });
    proc.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  const bidi = await BiDi.connect(`${wsUrl.replace(/\/$/, "")}/session`);
  const close = async () => {
    try {
      await bidi.send("session.end", {}, 5000);
    } catch {}
    bidi.close();
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await new Promise((r) => {
        const t = setTimeout(() => {
          if (proc.exitCode === null) proc.kill("SIGKILL");
          r();
        }, 5000);
        proc.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    }
  };
  return { bidi, proc, stderr: () => err, close };
}

export class BiDi {
  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    this.events = [];
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data));
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        const { resolve, reject, timer } = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        clearTimeout(timer);
        if (msg.type === "error") reject(new Error(`${msg.error}: ${msg.message}`));
        else resolve(msg.result);
      } else if (msg.type === "event") {
        this.events.push(msg);
      }
    });
    ws.on("close", () => {
      for (const { reject, timer } of this.pending.values()) {
        clearTimeout(timer);
        reject(new Error("BiDi connection closed"));
      }
      this.pending.clear();
    });
  }

  static connect(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once("open", () => resolve(new BiDi(ws)));
      ws.once("error", reject);
    });
  }

  send(method, params = {}, timeout = 30_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`BiDi ${method} timed out after ${timeout} ms`));
      }, timeout);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close() {
    this.ws.close();
  }

  /** Evaluates `expression` (awaiting promises) in a browsing context; returns a plain value. */
  async evaluate(context, expression) {
    const r = await this.send("script.evaluate", {
      expression,
      target: { context },
      awaitPromise: true,
      resultOwnership: "none",
    });
    if (r.type === "exception") {
      throw new Error(`script.evaluate threw: ${r.exceptionDetails?.text}`);
    }
    return fromRemote(r.result);
  }
}

/** Converts a BiDi RemoteValue into a plain JS value (enough for JSON-like results). */
export function fromRemote(v) {
  switch (v?.type) {
    case "undefined":
      return undefined;
    case "null":
      return null;
    case "string":
    case "boolean":
      return v.value;
    case "number":
      return typeof v.value === "string" ? Number(v.value) : v.value;
    case "array":
      return (v.value || []).map(fromRemote);
    case "object":
      return Object.fromEntries((v.value || []).map(([k, val]) => [typeof k === "string" ? k : fromRemote(k), fromRemote(val)]));
    default:
      return v?.value ?? v;
  }
}
