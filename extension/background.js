// Linkflow background (a module service worker in Chromium, a module background script in
// Firefox). It owns one LinkflowSite (the Rust core, in wasm) per tracked site, keeps them
// in IndexedDB (storage.js) and answers the popup and the content scripts.
//
// Rules kept here:
//   - every listener is registered synchronously at the top level (a woken worker hears it);
//   - no top-level await: `ready` (wasm) and `loaded` (state from IndexedDB) are promises
//     awaited inside handlers, so concurrent first messages wait for the same load;
//   - ONE handler table keyed by message type; unknown types are answered explicitly;
//   - every answer is {ok: true, ...} or {ok: false, error};
//   - `observe` is accepted only from our content scripts on tracked origins; everything
//     else only from our own extension pages;
//   - an observation is journaled (transaction committed) before `observe` answers ok.
//
// Messages: {type, ...fields} → {ok: true, ...answer} | {ok: false, error}
//   ping                                  → {version, wasm}       (any of our pages/scripts)
//   observe    {url, json}                → {summary}             (content scripts only;
//                                            {ok:false, notTracked:true} when not tracked)
//   track      {origin, tabId?, whenGranted?} → {site, injected}
//              whenGranted: wait (≤ 2 min) for the host permission the popup is requesting
//   untrack    {origin}                   → {site}
//   status     {url}                      → {origin, tracked, paused, known, access, site?, error?}
//   pageReport {url}                      → {report: PageReport, site}
//   siteReport {origin} | {url}           → {report: SiteReport, site}
//   export     {origin, id}               → {bytes, site}
//              the file itself (a Blob) is posted as {id, blob} on export-handoff.js's channel
//   import     {origin, id} | {origin, json} → {summary: ImportSummary, site}
//              with id, the file (a Blob) comes on import-handoff.js's channel (the popup's
//              way: a message over 64 MiB is refused); json, the export's text, suits small ones
//   clear      {origin}                   → {site | null}   (a paused site is removed)
//   sites                                 → {sites: [site]}
// where site = {origin, siteUrl, tracking, trackedAt, stats, error, skipped}.
// Everything but ping and observe is accepted only from our extension pages.

import init, { LinkflowSite } from "./pkg/linkflow.js";
import * as store from "./storage.js";
import { offerExport } from "./export-handoff.js";
import { takeImport } from "./import-handoff.js";

// Wake timings: ms since this worker started (performance.now()), first occurrence of each
// step. Kept in memory only; scripts/bench-browser.mjs reads them over the devtools
// protocol to break the cold wake down.
const wake = { script: performance.now() };
globalThis.linkflowWake = wake;
function mark(step) {
  wake[step] ??= performance.now();
}

const api = globalThis.browser?.runtime?.getURL ? globalThis.browser : globalThis.chrome;

const VERSION = api.runtime.getManifest().version;
const COMPACT_EVERY = 50;
// The journal is folded into a snapshot once the site has had no visit for this long, so
// that the next wake restores a snapshot whose shares and depths are the graph's: a journal
// entry replayed at a wake makes the first report rank the site again (at 100k pages,
// ~100 ms more; docs/BENCHMARKS.md "Run 14"). A wake follows only an idle stretch of 30 s
// (when the browser stops an idle worker), so the fold waits most of that: a pause shorter
// than this, while someone reads a page, writes no snapshot (17 MB at 100k pages), and the
// fold still ends well before the browser stops the worker (if it is stopped mid-write,
// the old snapshot and the journal stay: `store.compact` is one transaction).
const IDLE_COMPACT_MS = 20000;
// A woken worker marks the snapshot it restored as proven this long after loading it.
const PROVE_DELAY_MS = 1000;
// The largest export the worker imports. An import holds the file's bytes, the parsed export
// and the graph in wasm memory at once (537 MB for a 253 MB, 1M-link export), and wasm memory
// ends at 4 GiB: past it an allocation fails inside the core, which cannot recover. Refused
// before anything is read.
const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;
function checkImportSize(bytes) {
  if (bytes > MAX_IMPORT_BYTES) {
    const mb = (n) => Math.round(n / 1048576).toLocaleString("en");
    throw new Error(`the file is too large to import (${mb(bytes)} MB; at most ${mb(MAX_IMPORT_BYTES)} MB)`);
  }
}
const SCRIPT_PREFIX = "linkflow:";

let wasmOk = false;
const ready = init().then(() => {
  wasmOk = true;
  mark("wasmReady");
});
ready.catch((e) => console.error("Linkflow: the wasm core failed to load", e));

/**
 * origin → {
 *   record: {origin, siteUrl, settings, trackedAt, tracking},
 *   site: LinkflowSite | null,   // null when its stored data could not be restored
 *   error: string | null,        // why `site` is null, for the popup
 *   chain: Promise,              // serialises every write of this site
 *   pending: number,             // journal entries since the snapshot
 *   lastKey: number | null,      // newest journal key ingested
 *   seq: number,                 // snapshot sequence number
 *   skipped: number,             // journal entries the core refused on replay
 *   idle: number | null,         // timer of the compaction after the last visit
 * }
 */
const sites = new Map();
let loaded = null;

function errorText(e) {
  if (e == null) return "unknown error";
  if (typeof e === "string") return e;
  if (typeof e.message === "string" && e.message) return e.message;
  try {
    return String(e);
  } catch {
    return "unknown error";
  }
}

function originOf(url) {
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`not a valid address: ${String(url).slice(0, 200)}`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new Error(`Linkflow only works on http and https pages, not ${u.protocol}`);
  }
  return u.origin;
}

/**
 * Host permission / match pattern for an origin. Match patterns carry no port (Firefox
 * refuses one; Chrome matches every port when it is absent), so `http://127.0.0.1:8000`
 * gives `http://127.0.0.1/*`. The worker checks the exact origin of every observation.
 */
function patternOf(origin) {
  const u = new URL(origin);
  return `${u.protocol}//${u.hostname}/*`;
}

function scriptId(origin) {
  return SCRIPT_PREFIX + origin;
}

// ------------------------------------------------------------------ loading

function newEntry(record) {
  return { record, site: null, error: null, chain: Promise.resolve(), pending: 0, lastKey: null, seq: 0, skipped: 0, idle: null, unproven: null, refold: false };
}

// The core reads an observation faster as JSON text (`ingestJson`) than as an object:
// converting thousands of link objects across the wasm boundary one field at a time costs
// more than serde_json reading the text in place (scripts/bench-browser.mjs, group
// "ingest"). The content script sends that text; the journal keeps it; entries written
// by older versions hold the plain object.

/** Ingests a journaled observation: JSON text (or its UTF-8 bytes), or an older plain object. */
function ingestObservation(site, observation) {
  if (observation instanceof Uint8Array || typeof observation === "string") return site.ingestJson(observation);
  return site.ingest(observation);
}

/**
 * Whether observation JSON describes `url`: the check `ingestJson(json, url)` makes, for
 * the rare site whose stored data could not be restored (its visits are only journaled).
 */
function describes(json, url) {
  try {
    return JSON.parse(json)?.url === url;
  } catch {
    return false;
  }
}


/**
 * Reads a site's snapshot and journal (while the wasm still compiles), then restores and
 * replays them once the wasm is ready.
 */
async function loadSite(record) {
  const entry = newEntry(record);
  let data;
  try {
    data = await store.readSite(record.origin);
    mark("siteRead");
  } catch (e) {
    entry.error = `Could not read the stored data of ${record.origin}: ${errorText(e)}`;
    return entry;
  }
  await ready;
  mark("restoreStart");
  const snap = data.snapshot;
  // Journal entries with keys up to this one are in the snapshot restored (an unproven
  // snapshot keeps them, for its fallback: storage.js); the rest are replayed.
  let covered = null;
  let journal = data.journal;
  try {
    if (snap && snap.bytes) {
      try {
        entry.site = LinkflowSite.restore(snap.bytes);
        covered = snap.upToKey ?? null;
        if (snap.proven === false) entry.unproven = snap.seq;
      } catch (e) {
        if (snap.proven !== false) throw e;
        // A snapshot no worker had restored yet does not restore: the proven state it kept
        // (or an empty site), and every visit journaled since, which it did not delete.
        console.warn(`Linkflow: the newest snapshot of ${record.origin} does not restore (${errorText(e)}); restoring the one before it and the journal`);
        const fallback = snap.fallback ?? null;
        const bytes = await store.fallbackBytes(fallback);
        entry.site = bytes ? LinkflowSite.restore(bytes) : new LinkflowSite(record.siteUrl, record.settings || {});
        covered = fallback?.upToKey ?? null;
        journal = await store.getJournal(record.origin); // readSite left out what it covers
        entry.refold = true; // write a good snapshot over the one that failed
      }
      entry.seq = snap.seq || 0;
      mark("restored");
    } else {
      entry.site = new LinkflowSite(record.siteUrl, record.settings || {});
    }
  } catch (e) {
    // Keep the snapshot and the journal: the user can export nothing, but nothing is wiped
    // either until they choose "Clear site data".
    entry.site = null;
    entry.error = `The stored data of ${record.origin} could not be restored (${errorText(e)}). Nothing was deleted; new visits are still recorded. Use "Clear site data" to start over.`;
  }
  entry.lastKey = covered;
  for (const j of journal) {
    if (entry.site && covered != null && j.key <= covered) continue;
    entry.lastKey = j.key;
    entry.pending++;
    if (!entry.site) continue;
    try {
      ingestObservation(entry.site, j.observation);
    } catch (e) {
      entry.skipped++;
      console.warn(`Linkflow: journal entry ${j.key} of ${record.origin} refused on replay:`, errorText(e));
    }
  }
  mark("replayed");
  return entry;
}

async function doLoad() {
  // IndexedDB is read while the wasm module compiles (`ready`); loadSite waits for both.
  mark("idbStart");
  await store.open();
  mark("idbOpen");
  const records = await store.getSites();
  mark("sitesRead");
  const entries = await Promise.all(records.map(loadSite));
  await ready; // no site yet: handlers still need the core
  sites.clear();
  for (const e of entries) sites.set(e.record.origin, e);
  mark("loaded");
  // Visits the last worker journaled but did not fold in (it stopped within
  // IDLE_COMPACT_MS of them) are folded in once this one is idle too.
  for (const e of entries) if (e.site && (e.pending > 0 || e.refold)) compactWhenIdle(e);
  // A snapshot restored for the first time is now proven: its fallback and the journal it
  // covers can go. Off the first answer's path; a worker stopped first leaves it to the next.
  for (const e of entries) {
    if (e.site && e.unproven != null) {
      const seq = e.unproven;
      setTimeout(() => {
        store.prove(e.record.origin, seq).catch((err) => console.warn("Linkflow: could not mark the snapshot restored", err));
      }, PROVE_DELAY_MS);
    }
  }
  // Not awaited: the first answer does not wait for it; track/untrack queue behind it.
  serialisedAdmin(syncRegistrations).catch((e) => console.warn("Linkflow: registration check failed", e));
}

/** The one load, shared by every message; retried after a failure. */
function ensureLoaded() {
  if (!loaded) {
    loaded = doLoad().catch((e) => {
      loaded = null;
      throw new Error(`Linkflow could not start: ${errorText(e)}`);
    });
  }
  return loaded;
}

// ------------------------------------------------------------------ content scripts

async function hasAccess(origin) {
  try {
    return await api.permissions.contains({ origins: [patternOf(origin)] });
  } catch {
    return false;
  }
}

async function registerFor(origin) {
  const id = scriptId(origin);
  const existing = await api.scripting.getRegisteredContentScripts({ ids: [id] }).catch(() => []);
  if (existing.length) return;
  await api.scripting.registerContentScripts([
    {
      id,
      matches: [patternOf(origin)],
      js: ["content.js"],
      runAt: "document_idle",
      allFrames: false,
      persistAcrossSessions: true,
    },
  ]);
}

async function unregisterFor(origin) {
  const id = scriptId(origin);
  const existing = await api.scripting.getRegisteredContentScripts({ ids: [id] }).catch(() => []);
  if (existing.length) await api.scripting.unregisterContentScripts({ ids: [id] });
}

/** Registrations can be lost (browser update, Firefox restart): make them match the sites. */
async function syncRegistrations() {
  const registered = await api.scripting.getRegisteredContentScripts();
  const ours = new Set(registered.filter((s) => s.id.startsWith(SCRIPT_PREFIX)).map((s) => s.id));
  for (const [origin, entry] of sites) {
    const want = entry.record.tracking !== false && (await hasAccess(origin));
    const id = scriptId(origin);
    if (want && !ours.has(id)) await registerFor(origin).catch((e) => console.warn("Linkflow: register", origin, e));
    if (!want && ours.has(id)) await unregisterFor(origin).catch(() => {});
    ours.delete(id);
  }
  for (const id of ours) await api.scripting.unregisterContentScripts({ ids: [id] }).catch(() => {});
}

/** Reads the open tabs of the site right away (the registered script runs on later loads). */
async function injectNow(origin, tabId) {
  const tabIds = new Set();
  if (Number.isInteger(tabId)) tabIds.add(tabId);
  try {
    const tabs = await api.tabs.query({ url: patternOf(origin) });
    for (const t of tabs) {
      try {
        if (t.id != null && t.url && new URL(t.url).origin === origin) tabIds.add(t.id);
      } catch {
        /* no url */
      }
    }
  } catch {
    /* tabs.query by url needs host access; the explicit tab is enough */
  }
  let injected = 0;
  for (const id of tabIds) {
    try {
      await api.scripting.executeScript({ target: { tabId: id }, files: ["content.js"] });
      injected++;
    } catch {
      /* a tab of another origin, or not scriptable */
    }
  }
  return injected;
}

// ------------------------------------------------------------------ helpers

function siteInfo(entry) {
  let stats = null;
  if (entry.site) {
    try {
      stats = entry.site.stats();
    } catch {
      stats = null;
    }
  }
  return {
    origin: entry.record.origin,
    siteUrl: entry.record.siteUrl,
    tracking: entry.record.tracking !== false,
    trackedAt: entry.record.trackedAt,
    stats,
    error: entry.error,
    skipped: entry.skipped,
  };
}

/** The site a URL belongs to: same origin first, then any site whose core says inScope. */
function entryForUrl(url) {
  let origin;
  try {
    origin = new URL(url).origin;
  } catch {
    return null;
  }
  if (sites.has(origin)) return sites.get(origin);
  for (const entry of sites.values()) {
    try {
      if (entry.site && entry.site.inScope(url)) return entry;
    } catch {
      /* not a URL the core accepts */
    }
  }
  return null;
}

function entryForOrigin(origin) {
  const key = originOf(origin);
  const entry = sites.get(key);
  if (!entry) throw new Error(`Linkflow is not tracking ${key}`);
  return entry;
}

function usable(entry) {
  if (!entry.site) throw new Error(entry.error || `No data for ${entry.record.origin}`);
  return entry.site;
}

/** Runs fn after every earlier write of this site; the chain survives failures. */
function serialised(entry, fn) {
  const run = entry.chain.then(fn, fn);
  entry.chain = run.catch(() => {});
  return run;
}

/** Compacts the site once no visit has come for IDLE_COMPACT_MS (restarted by each visit). */
function compactWhenIdle(entry) {
  clearTimeout(entry.idle);
  entry.idle = setTimeout(() => {
    entry.idle = null;
    serialised(entry, async () => {
      // Still this site's entry (not cleared or removed since), with visits to fold in, and
      // no journal entry the core refused on replay (those go only when the user exports,
      // or with the next 50 visits, as before).
      if (sites.get(entry.record.origin) !== entry || !entry.site || (entry.pending === 0 && !entry.refold)) return;
      if (entry.skipped > 0) return;
      await compactNow(entry);
    }).catch((e) => console.warn("Linkflow: compaction failed", e));
  }, IDLE_COMPACT_MS);
}

/**
 * Writes the site's state as its snapshot. Unless `check`, unproven (storage.js): it
 * replaces no journal entry until a wake has restored it, so it is not restored here,
 * which would double the worker's wasm memory (a second graph beside the first; wasm
 * memory never shrinks). With `check` (an import, which no journal entry holds), it is
 * restored first and then replaces the journal entries it covers.
 */
async function compactNow(entry, { check = false } = {}) {
  if (!entry.site) return;
  const blob = new Blob(entry.site.snapshotParts(), { type: "application/octet-stream" });
  if (check) {
    try {
      LinkflowSite.restore(new Uint8Array(await blob.arrayBuffer())).free();
    } catch (e) {
      throw new Error(`the new snapshot does not restore (${errorText(e)}); the journal is kept`);
    }
  }
  const seq = entry.seq + 1;
  await store.compact(entry.record.origin, blob, seq, entry.lastKey, { proven: check });
  entry.seq = seq;
  entry.pending = 0;
  entry.refold = false;
}

// Tracking requests that wait for the permission the popup is asking for.
const ACCESS_WAIT_MS = 120000;
const accessWaiters = new Set();

function waitForAccess(origin, ms) {
  return new Promise((resolve, reject) => {
    const w = { origin, resolve };
    accessWaiters.add(w);
    setTimeout(() => {
      if (accessWaiters.delete(w)) reject(new Error(`Linkflow did not get access to ${origin}.`));
    }, ms);
  });
}

async function wakeAccessWaiters() {
  for (const w of [...accessWaiters]) {
    if (await hasAccess(w.origin)) {
      accessWaiters.delete(w);
      w.resolve();
    }
  }
}

// track/untrack of any site, one at a time (two popups, or a test, may ask at once).
let adminChain = Promise.resolve();
function serialisedAdmin(fn) {
  const run = adminChain.then(fn, fn);
  adminChain = run.catch(() => {});
  return run;
}

// The toolbar badge of a tracked page: its authority score (0–100), the share in the
// tooltip. Cosmetic: failures are ignored. Debounced per tab (pages re-read on mutations).
const badgeTimers = new Map();

function badgeSoon(entry, tabId, url) {
  clearTimeout(badgeTimers.get(tabId));
  badgeTimers.set(
    tabId,
    setTimeout(() => {
      badgeTimers.delete(tabId);
      setBadge(entry, tabId, url).catch(() => {});
    }, 400),
  );
}

async function setBadge(entry, tabId, url) {
  await entry.chain;
  if (!entry.site || entry.record.tracking === false) return;
  const a = entry.site.pageReport(url).authority;
  if (!a) return;
  const share = `${(a.share * 100).toFixed(1)}%`;
  await api.action.setBadgeBackgroundColor({ tabId, color: "#125e63" });
  await api.action.setBadgeText({ tabId, text: String(Math.round(a.score)) });
  await api.action.setTitle({ tabId, title: api.i18n.getMessage("badgeTitle", [share, String(a.rank), String(a.of)]) });
}

function requireString(msg, field) {
  const v = msg[field];
  if (typeof v !== "string" || !v) throw new Error(`request ${msg.type} needs a "${field}" string`);
  return v;
}


/** Starts (or resumes) tracking an origin the extension has access to. */
async function trackNow(origin, tabId) {
  let entry = sites.get(origin);
  if (!entry) {
    const record = { origin, siteUrl: origin + "/", settings: {}, trackedAt: Date.now(), tracking: true };
    entry = newEntry(record);
    entry.site = new LinkflowSite(record.siteUrl, record.settings);
    await store.putSite(record);
    sites.set(origin, entry);
  } else if (entry.record.tracking === false) {
    entry.record = { ...entry.record, tracking: true };
    await store.putSite(entry.record);
  }
  await registerFor(origin);
  const injected = await injectNow(origin, tabId);
  return { site: siteInfo(entry), injected };
}

// ------------------------------------------------------------------ handlers

const PRIVILEGED = "extension-page";
const CONTENT = "content-script";
const ANY = "any";

const handlers = {
  ping: {
    from: ANY,
    async run() {
      await ready.catch(() => {});
      return { version: VERSION, wasm: wasmOk };
    },
  },

  observe: {
    from: CONTENT,
    async run(msg, sender) {
      await ensureLoaded();
      // The content script sends the observation as JSON text (made in the page's process,
      // so the worker neither serialises nor walks thousands of link objects) and, beside
      // it, the page address it describes. The core checks that the text describes exactly
      // that address; the origin is checked here.
      const { url, json } = msg;
      if (typeof url !== "string" || typeof json !== "string") {
        throw new Error("observe needs the page's url and its observation as JSON text");
      }
      const senderOrigin = new URL(sender.url).origin;
      let obsOrigin;
      try {
        obsOrigin = new URL(url).origin;
      } catch {
        throw new Error("the observation's url is not valid");
      }
      if (obsOrigin !== senderOrigin) throw new Error("an observation must describe the page that sends it");
      const entry = sites.get(senderOrigin);
      if (!entry || entry.record.tracking === false) {
        return { ok: false, notTracked: true, error: `Linkflow is not tracking ${senderOrigin}` };
      }
      return serialised(entry, async () => {
        let summary = null;
        if (entry.site) {
          summary = entry.site.ingestJson(json, url); // throws on a refused observation: not journaled
          if (summary && summary.outOfScope) return { summary };
        } else if (!describes(json, url)) {
          throw new Error("an observation must describe the page that sends it");
        }
        const key = await store.appendJournal(entry.record.origin, json);
        entry.lastKey = key;
        entry.pending++;
        if (entry.site && entry.pending >= COMPACT_EVERY) {
          await compactNow(entry).catch((e) => console.warn("Linkflow: compaction failed", e));
        }
        if (entry.site && entry.pending > 0) compactWhenIdle(entry);
        if (sender.tab?.id != null) badgeSoon(entry, sender.tab.id, url);
        return { summary };
      });
    },
  },

  track: {
    from: PRIVILEGED,
    async run(msg) {
      await ensureLoaded();
      const origin = originOf(requireString(msg, "origin"));
      if (!(await hasAccess(origin))) {
        if (!msg.whenGranted) {
          throw new Error(`Linkflow has no access to ${origin}. Allow it when the browser asks, then try again.`);
        }
        // The popup asks for the permission at the same time; finish when it is granted.
        await waitForAccess(origin, ACCESS_WAIT_MS);
      }
      return serialisedAdmin(() => trackNow(origin, msg.tabId));
    },
  },

  untrack: {
    from: PRIVILEGED,
    async run(msg) {
      await ensureLoaded();
      const entry = entryForOrigin(requireString(msg, "origin"));
      return serialisedAdmin(async () => {
        await unregisterFor(entry.record.origin);
        entry.record = { ...entry.record, tracking: false };
        await store.putSite(entry.record);
        return { site: siteInfo(entry) };
      });
    },
  },

  status: {
    from: PRIVILEGED,
    async run(msg) {
      const url = requireString(msg, "url");
      const origin = originOf(url);
      await ensureLoaded();
      const entry = entryForUrl(url);
      const access = await hasAccess(origin);
      if (!entry) return { origin, tracked: false, paused: false, known: false, access };
      return {
        origin: entry.record.origin,
        tracked: entry.record.tracking !== false,
        paused: entry.record.tracking === false,
        known: true,
        access,
        site: siteInfo(entry),
        error: entry.error,
      };
    },
  },

  pageReport: {
    from: PRIVILEGED,
    async run(msg) {
      const url = requireString(msg, "url");
      await ensureLoaded();
      const entry = entryForUrl(url);
      if (!entry) throw new Error(`Linkflow is not tracking ${originOf(url)}`);
      await entry.chain;
      mark("reportStart");
      const report = usable(entry).pageReport(url);
      mark("reportDone");
      const site = siteInfo(entry);
      mark("siteInfo");
      return { report, site };
    },
  },

  siteReport: {
    from: PRIVILEGED,
    async run(msg) {
      await ensureLoaded();
      const entry = typeof msg.url === "string" ? entryForUrl(msg.url) : entryForOrigin(requireString(msg, "origin"));
      if (!entry) throw new Error(`Linkflow is not tracking ${originOf(msg.url)}`);
      await entry.chain;
      return { report: usable(entry).siteReport(), site: siteInfo(entry) };
    },
  },

  export: {
    from: PRIVILEGED,
    async run(msg) {
      await ensureLoaded();
      const entry = entryForOrigin(requireString(msg, "origin"));
      const id = requireString(msg, "id");
      if (id.length > 100) throw new Error("export id too long");
      return serialised(entry, async () => {
        // Bytes from wasm memory in parts into a Blob, never one giant JS string; the file
        // goes to the popup over a BroadcastChannel (a message cannot carry 250 MB).
        const blob = new Blob(usable(entry).exportJsonParts(), { type: "application/json" });
        offerExport(id, blob);
        await compactNow(entry).catch((e) => console.warn("Linkflow: compaction failed", e));
        return { bytes: blob.size, site: siteInfo(entry) };
      });
    },
  },

  import: {
    from: PRIVILEGED,
    async run(msg) {
      await ensureLoaded();
      const entry = entryForOrigin(requireString(msg, "origin"));
      // The export as UTF-8 bytes: a string would cross into wasm memory at up to three
      // bytes per character (wasm-bindgen reserves that much after the first non-ASCII one:
      // an import of 1M links grew it by 913 MB instead of 537), and wasm memory never
      // shrinks while the worker lives. A file from the popup is read straight into bytes.
      let bytes;
      if (msg.id !== undefined) {
        const id = requireString(msg, "id");
        if (id.length > 100) throw new Error("import id too long");
        const blob = await takeImport(id);
        checkImportSize(blob.size);
        try {
          bytes = new Uint8Array(await blob.arrayBuffer());
        } catch (e) {
          throw new Error(`the file could not be read (${errorText(e)})`);
        }
      } else {
        bytes = new TextEncoder().encode(requireString(msg, "json"));
        msg.json = null; // the string can go (two bytes per character once one is not Latin-1)
        checkImportSize(bytes.length);
      }
      return serialised(entry, async () => {
        const summary = usable(entry).importJson(bytes); // throws and changes nothing on refusal
        await compactNow(entry, { check: true }); // persist the merged state before answering
        return { summary, site: siteInfo(entry) };
      });
    },
  },

  clear: {
    from: PRIVILEGED,
    async run(msg) {
      await ensureLoaded();
      const entry = entryForOrigin(requireString(msg, "origin"));
      const origin = entry.record.origin;
      return serialised(entry, async () => {
        if (entry.record.tracking === false) {
          // A paused site without data is no site at all.
          await store.deleteSite(origin);
          entry.site?.free?.();
          sites.delete(origin);
          return { site: null };
        }
        await store.clearData(origin);
        entry.site?.free?.();
        entry.site = null;
        entry.error = null;
        entry.pending = 0;
        entry.lastKey = null;
        entry.skipped = 0;
        entry.site = new LinkflowSite(entry.record.siteUrl, entry.record.settings || {});
        return { site: siteInfo(entry) };
      });
    },
  },

  sites: {
    from: PRIVILEGED,
    async run() {
      await ensureLoaded();
      return { sites: [...sites.values()].map(siteInfo) };
    },
  },
};

function senderKind(sender) {
  if (!sender || sender.id !== api.runtime.id) return null;
  const base = api.runtime.getURL("");
  if (typeof sender.url === "string" && sender.url.startsWith(base)) return PRIVILEGED;
  if (sender.tab && typeof sender.url === "string" && /^https?:/.test(sender.url)) return CONTENT;
  return null;
}

async function handle(msg, sender) {
  if (!msg || typeof msg !== "object" || typeof msg.type !== "string") {
    return { ok: false, error: "malformed request" };
  }
  if (!Object.hasOwn(handlers, msg.type)) {
    return { ok: false, error: `unknown request ${String(msg.type).slice(0, 100)}` };
  }
  const h = handlers[msg.type];
  const kind = senderKind(sender);
  if (!kind || (h.from !== ANY && h.from !== kind)) {
    return { ok: false, error: `request ${msg.type} is not allowed from here` };
  }
  const out = await h.run(msg, sender);
  if (out && out.ok === false) return out;
  return { ok: true, ...out };
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  mark("message");
  handle(msg, sender).then(sendResponse, (e) => sendResponse({ ok: false, error: errorText(e) }));
  return true;
});

// A permission the user takes back: stop injecting there (the data stays).
api.permissions.onAdded.addListener(() => {
  wakeAccessWaiters().catch(() => {});
});

api.permissions.onRemoved.addListener(() => {
  ensureLoaded()
    .then(() => serialisedAdmin(syncRegistrations))
    .catch(() => {});
});

api.runtime.onInstalled.addListener(() => {
  ensureLoaded().catch((e) => console.warn(errorText(e)));
});
api.runtime.onStartup.addListener(() => {
  ensureLoaded().catch((e) => console.warn(errorText(e)));
});

// Re-check registrations on every worker start (they can be lost), without blocking it.
ensureLoaded().catch((e) => console.warn(errorText(e)));
