// The offline catalog in IndexedDB: each row in the "catalog" store under [table, …its key] (db.js),
// changed by the catalog part of each POST /api/v1/sync answer. A change is applied in one
// transaction or not at all: a change that cannot be applied leaves the catalog as it was and makes
// the next sync ask for a whole one.
import { announce, CATALOG_TABLES, catalogKey, db, getMeta, setMeta } from "./db.js";

const TABLES = Object.keys(CATALOG_TABLES);
const OLD_SNAPSHOT = "snapshot"; // how earlier versions kept the catalog: one record, GET /api/v1/catalog's body
// The catalog as this page (or the worker) last read or wrote it. A delta applied here patches it
// (reading 25,000 rows again takes about a second); a change made elsewhere shows as another
// version or fetched_at in meta, and then it is read again.
let memory = null;
let moved = null;

/** Every row of a table: the keys [table, …] sort after [table] and before [table, []] (arrays sort last). */
const rowsOf = (table) => IDBKeyRange.bound([table], [table, []]);

/**
 * Earlier versions kept the catalog as one record: its rows move under their keys and its version to
 * meta, once, in one transaction. A row that cannot be keyed is left out, and then no version is kept,
 * so the next sync asks for a whole catalog.
 */
function moveOldSnapshot() {
  moved ||= (async () => {
    const tx = (await db()).transaction(["catalog", "meta"], "readwrite");
    const catalog = tx.objectStore("catalog");
    const meta = tx.objectStore("meta");
    const writes = [];
    try {
      const snapshot = await catalog.get(OLD_SNAPSHOT);
      if (snapshot) {
        let whole = Boolean(snapshot.version);
        for (const table of TABLES) {
          writes.push(catalog.delete(rowsOf(table)));
          for (const row of Array.isArray(snapshot[table]) ? snapshot[table] : []) {
            let key;
            try {
              key = catalogKey(table, row);
            } catch {
              whole = false;
              continue;
            }
            writes.push(catalog.put(row, key));
          }
        }
        const state = await meta.get("catalog");
        writes.push(meta.put({ ...state, version: whole ? snapshot.version : null, fetched_at: snapshot.fetched_at || null }, "catalog"),
          meta.delete("catalog_etag"), catalog.delete(OLD_SNAPSHOT));
      }
      await Promise.all([...writes, tx.done]);
    } catch (error) {
      // The old record stays as it was (one transaction): the next page tries again; a sync brings a new catalog meanwhile.
      await abandon(tx, writes);
      console.warn("The catalog kept by an earlier version could not be moved.", error);
    }
  })();
  return moved;
}

/** What this handheld knows of its catalog: {version, fetched_at, asked_at, checked_at, failed_at}. */
/** Roll back a transaction whose write failed, and wait until it and its requests have settled. */
async function abandon(tx, writes) {
  try {
    tx.abort();
  } catch {
    /* already aborted by the failed request */
  }
  await Promise.allSettled([...writes, tx.done]);
}

export async function catalogState() {
  await moveOldSnapshot();
  return getMeta("catalog", { version: null, fetched_at: null, asked_at: null, checked_at: null, failed_at: null });
}

async function noteCatalog(fields) {
  await setMeta("catalog", { ...(await catalogState()), ...fields });
}

/** A sync is about to carry the catalog version: remembered so background syncs keep their pace. */
export async function noteCatalogAsked(at = new Date().toISOString()) {
  await noteCatalog({ asked_at: at });
}

/** The stored catalog, from memory while it is the one stored (one small read to know). */
export async function currentCatalog() {
  const state = await catalogState();
  if (!memory || memory.version !== (state.version || null) || memory.fetched_at !== (state.fetched_at || null)) memory = await readCatalog();
  return memory;
}

const keyText = (table, value, fromRow = true) => JSON.stringify(catalogKey(table, value, { fromRow }));

/** `snapshot` with a delta's changes made (a new object; unchanged tables are shared, changed rows go last). */
export function patched(snapshot, changes, version, fetchedAt) {
  const next = { ...snapshot, version, fetched_at: fetchedAt };
  for (const [table, change] of Object.entries(changes || {})) {
    if (!(table in CATALOG_TABLES)) continue;
    const upsert = change.upsert || [];
    const replaced = new Set([...(change.delete || []).map((key) => keyText(table, key, false)), ...upsert.map((row) => keyText(table, row))]);
    next[table] = [...(snapshot[table] || []).filter((row) => !replaced.has(keyText(table, row))), ...upsert];
  }
  return next;
}

/** The stored catalog as GET /api/v1/catalog's body had it: {version, fetched_at, products: […], lots: […], …}. */
export async function readCatalog() {
  await moveOldSnapshot();
  const tx = (await db()).transaction(["catalog", "meta"], "readonly");
  const snapshot = {};
  await Promise.all([
    ...TABLES.map(async (table) => { snapshot[table] = await tx.objectStore("catalog").getAll(rowsOf(table)); }),
    tx.objectStore("meta").get("catalog").then((state) => Object.assign(snapshot, { version: state?.version || null, fetched_at: state?.fetched_at || null })),
    tx.done,
  ]);
  return snapshot;
}

/**
 * Apply the catalog part of a sync answer, given the version the sync sent (`base`):
 * {version, unchanged: true} | {version, full: false, changes: {table: {upsert: [rows], delete: [keys]}}}
 * | {version, full: true, snapshot}. Tables this handheld does not know are left out, as in a whole
 * catalog. Returns "unchanged", "updated" or "failed" (the old catalog kept, a whole one asked next).
 */
export async function applyCatalog(answer, base, now = new Date().toISOString()) {
  if (!answer || typeof answer !== "object") return "unchanged";
  if (answer.unchanged) {
    await noteCatalog({ checked_at: now });
    return "unchanged";
  }
  await moveOldSnapshot();
  const tx = (await db()).transaction(["catalog", "meta"], "readwrite");
  const catalog = tx.objectStore("catalog");
  const writes = [];
  try {
    const state = (await tx.objectStore("meta").get("catalog")) || {};
    if (!answer.version) throw new Error("The catalog answer has no version.");
    if (answer.full) {
      if (!answer.snapshot || typeof answer.snapshot !== "object") throw new Error("The whole catalog is missing from the answer.");
      for (const table of TABLES) {
        writes.push(catalog.delete(rowsOf(table)));
        for (const row of answer.snapshot[table] || []) writes.push(catalog.put(row, catalogKey(table, row)));
      }
    } else {
      if ((state.version || null) !== (base || null)) throw new Error(`The catalog changes start from ${base}, but this handheld has ${state.version}.`);
      for (const [table, change] of Object.entries(answer.changes || {})) {
        if (!(table in CATALOG_TABLES)) continue;
        for (const key of change.delete || []) writes.push(catalog.delete(catalogKey(table, key, { fromRow: false })));
        for (const row of change.upsert || []) writes.push(catalog.put(row, catalogKey(table, row)));
      }
    }
    writes.push(tx.objectStore("meta").put({ ...state, version: answer.version, fetched_at: now, checked_at: now, failed_at: null }, "catalog"));
    await Promise.all([...writes, tx.done]);
  } catch (error) {
    await abandon(tx, writes);
    console.warn("The catalog change could not be applied; a whole catalog is asked next time.", error);
    await noteCatalog({ version: null, checked_at: now, failed_at: now });
    return "failed";
  }
  memory = remembered(answer, base, now);
  announce("catalog");
  return "updated";
}

/** What `memory` becomes once `answer` is stored: the whole catalog, the old one patched, or null (read it again). */
function remembered(answer, base, now) {
  if (answer.full) {
    const tables = Object.fromEntries(TABLES.map((table) => [table, answer.snapshot[table] || []]));
    return { ...tables, version: answer.version, fetched_at: now };
  }
  return memory && memory.version === (base || null) ? patched(memory, answer.changes, answer.version, now) : null;
}
