// Linkflow persistence: every IndexedDB call of the extension lives here.
//
// Database `linkflow`, version 1:
//   sites      key origin → { origin, siteUrl, settings, trackedAt, tracking }
//   snapshots  key origin → { origin, bytes, seq, upToKey, at, proven, fallback }
//              bytes: LinkflowSite.snapshotParts() as a Blob (records written before hold a
//              Uint8Array; both load). IndexedDB keeps a large value in a blob file anyway;
//              stored as a Blob, it reads back without structured-clone decoding (18 MB:
//              about half the time).
//              proven: false while no worker has restored these bytes yet; fallback is then
//              the last proven snapshot ({bytes, seq, upToKey, at}, or null: none, start
//              empty). Records without `proven` were checked before they were written.
//   journal    autoIncrement key → { origin, observation, at }, index "origin"
//
// The journal holds the observations ingested since the site's snapshot. A write is only
// reported done when its transaction has completed, so a worker killed right after an
// answer loses nothing. Compaction writes a new snapshot and deletes the journal entries it
// covers in ONE transaction, so a crash leaves either the old or the new state, never a
// mix. A snapshot written unproven (the idle fold's: restoring it there would double the
// worker's memory) deletes nothing: it keeps the last proven snapshot as its fallback, and
// the journal after that, until a wake restores it (`prove`), or, if it does not restore,
// restores the fallback and replays the journal instead.

const DB_NAME = "linkflow";
const DB_VERSION = 1;

let dbPromise = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error("IndexedDB request failed"));
  });
}

function done(tx) {
  const p = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error || new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
  p.catch(() => {}); // observed by the caller's await; never an unhandled rejection
  return p;
}

/** Opens (and on first use creates) the database; one connection per worker life. */
export function open() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("sites")) db.createObjectStore("sites", { keyPath: "origin" });
      if (!db.objectStoreNames.contains("snapshots")) db.createObjectStore("snapshots", { keyPath: "origin" });
      if (!db.objectStoreNames.contains("journal")) {
        const j = db.createObjectStore("journal", { autoIncrement: true });
        j.createIndex("origin", "origin", { unique: false });
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another context upgrading the schema: let go so it can proceed; reopen next time.
      db.onversionchange = () => {
        db.close();
        dbPromise = null;
      };
      db.onclose = () => {
        dbPromise = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      dbPromise = null;
      reject(req.error || new Error("cannot open IndexedDB"));
    };
    req.onblocked = () => console.warn("Linkflow: IndexedDB open is blocked by another connection");
  });
  return dbPromise;
}

/** All site records. */
export async function getSites() {
  const db = await open();
  const tx = db.transaction("sites", "readonly");
  const committed = done(tx);
  const all = await request(tx.objectStore("sites").getAll());
  await committed;
  return all;
}

/** Adds or replaces a site record. */
export async function putSite(record) {
  const db = await open();
  const tx = db.transaction("sites", "readwrite");
  const committed = done(tx);
  tx.objectStore("sites").put(record);
  await committed;
}

/** A snapshot record with its bytes as a Uint8Array, whatever form they were stored in. */
async function withBytes(rec) {
  if (!rec || rec.bytes == null) return rec || null;
  const b = rec.bytes;
  if (b instanceof Uint8Array) return rec;
  return { ...rec, bytes: new Uint8Array(b instanceof Blob ? await b.arrayBuffer() : b) };
}

/** Collects the journal entries of `origin` in key order: [{key, observation, at}]. */
function journalIn(tx, origin) {
  const out = [];
  return new Promise((resolve, reject) => {
    const req = tx.objectStore("journal").index("origin").openCursor(IDBKeyRange.only(origin));
    req.onsuccess = () => {
      const c = req.result;
      if (!c) {
        // An index cursor over one origin already walks primary keys in order; sort to be sure.
        resolve(out.sort((a, b) => a.key - b.key));
        return;
      }
      out.push({ key: c.primaryKey, observation: c.value.observation, at: c.value.at });
      c.continue();
    };
    req.onerror = () => reject(req.error);
  });
}

/** The site's snapshot record (bytes: Uint8Array), or null. */
export async function getSnapshot(origin) {
  const db = await open();
  const tx = db.transaction("snapshots", "readonly");
  const committed = done(tx);
  const rec = await request(tx.objectStore("snapshots").get(origin));
  await committed;
  return withBytes(rec);
}

/** The site's journal entries in key order: [{key, observation, at}]. */
export async function getJournal(origin) {
  const db = await open();
  const tx = db.transaction("journal", "readonly");
  const committed = done(tx);
  const out = await journalIn(tx, origin);
  await committed;
  return out;
}

/**
 * What a wake needs, read in ONE transaction (so the two agree even if a compaction
 * raced): {snapshot: record (bytes: Uint8Array) | null, journal: [{key, observation, at}]}.
 * The journal holds the entries after the snapshot only: those an unproven snapshot
 * covers and keeps for its fallback are not read (`getJournal` reads them all). So the
 * first wake after a fold reads no visit it does not replay.
 */
export async function readSite(origin) {
  const db = await open();
  const tx = db.transaction(["snapshots", "journal"], "readonly");
  const committed = done(tx);
  const journal = tx.objectStore("journal");
  // The record and the journal's keys at once; then only the values after the snapshot.
  const [rec, keys] = await Promise.all([
    request(tx.objectStore("snapshots").get(origin)),
    request(journal.index("origin").getAllKeys(IDBKeyRange.only(origin))),
  ]);
  const upTo = rec?.upToKey ?? null;
  const after = keys.filter((k) => upTo == null || k > upTo).sort((a, b) => a - b);
  // Only those values, each by its key (no other site's entries; usually none or a few).
  const values = await Promise.all(after.map((k) => request(journal.get(k))));
  const entries = after.map((key, i) => ({ key, observation: values[i]?.observation, at: values[i]?.at }));
  await committed;
  return { snapshot: await withBytes(rec), journal: entries };
}

/** Appends one observation to the journal; resolves with its key once committed. */
export async function appendJournal(origin, observation) {
  const db = await open();
  const tx = db.transaction("journal", "readwrite");
  const committed = done(tx);
  const key = await request(tx.objectStore("journal").add({ origin, observation, at: Date.now() }));
  await committed;
  return key;
}

function deleteJournalOf(tx, origin, upToKey) {
  const req = tx.objectStore("journal").index("origin").openCursor(IDBKeyRange.only(origin));
  req.onsuccess = () => {
    const c = req.result;
    if (!c) return;
    if (upToKey == null || c.primaryKey <= upToKey) c.delete();
    c.continue();
  };
}

/** `bytes` (a Blob, a Uint8Array, or an array of parts) as a Blob. */
function asBlob(bytes) {
  if (bytes instanceof Blob) return bytes;
  return new Blob(Array.isArray(bytes) ? bytes : [bytes], { type: "application/octet-stream" });
}

/**
 * Writes a new snapshot (bytes: a Blob, a Uint8Array or an array of parts; stored as a
 * Blob) covering the journal entries with keys <= upToKey, in one transaction. Proven (the
 * default: restored once already): those entries are deleted. Unproven: nothing is
 * deleted, and the last proven snapshot is kept as its fallback (see the top of the file).
 */
export async function compact(origin, bytes, seq, upToKey, { proven = true } = {}) {
  const blob = asBlob(bytes);
  const db = await open();
  const tx = db.transaction(["snapshots", "journal"], "readwrite");
  const committed = done(tx);
  const snapshots = tx.objectStore("snapshots");
  const rec = { origin, bytes: blob, seq, upToKey: upToKey ?? null, at: Date.now() };
  if (proven) {
    snapshots.put(rec);
    if (upToKey != null) deleteJournalOf(tx, origin, upToKey);
  } else {
    const cur = await request(snapshots.get(origin));
    // The proven state the new one falls back to: the current one if proven, else its own
    // fallback; null when the site never had a proven snapshot (replay all from empty).
    let fallback = null;
    if (cur && cur.proven !== false) fallback = { bytes: cur.bytes, seq: cur.seq, upToKey: cur.upToKey ?? null, at: cur.at };
    else if (cur && cur.fallback) fallback = cur.fallback;
    snapshots.put({ ...rec, proven: false, fallback });
  }
  await committed;
}

/**
 * Marks the site's snapshot `seq` proven (a worker restored it): its fallback goes, and
 * the journal entries it covers. Does nothing if a newer snapshot replaced it meanwhile.
 */
export async function prove(origin, seq) {
  const db = await open();
  const tx = db.transaction(["snapshots", "journal"], "readwrite");
  const committed = done(tx);
  const snapshots = tx.objectStore("snapshots");
  const cur = await request(snapshots.get(origin));
  if (cur && cur.proven === false && cur.seq === seq) {
    const { fallback: _, ...rest } = cur;
    snapshots.put({ ...rest, proven: true });
    if (cur.upToKey != null) deleteJournalOf(tx, origin, cur.upToKey);
  }
  await committed;
}

/** A fallback snapshot's bytes as a Uint8Array (null: none). */
export async function fallbackBytes(fallback) {
  return fallback ? (await withBytes(fallback)).bytes : null;
}

/** Deletes the site's graph data (snapshot and journal); keeps the site record. */
export async function clearData(origin) {
  const db = await open();
  const tx = db.transaction(["snapshots", "journal"], "readwrite");
  const committed = done(tx);
  tx.objectStore("snapshots").delete(origin);
  deleteJournalOf(tx, origin, null);
  await committed;
}

/** Deletes the site entirely: record, snapshot and journal. */
export async function deleteSite(origin) {
  const db = await open();
  const tx = db.transaction(["sites", "snapshots", "journal"], "readwrite");
  const committed = done(tx);
  tx.objectStore("sites").delete(origin);
  tx.objectStore("snapshots").delete(origin);
  deleteJournalOf(tx, origin, null);
  await committed;
}
