/**
 * The embedded state store: one SQLite file, so a new user needs nothing but Node. Values are
 * JSON; expiry is checked on read and swept on write.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RetainedIndex, Store } from '../pipeline/context.js';
import { copyAtomically, writeAtomically } from './atomic-file.js';
import type { Entry, EntrySource } from '../pipeline/model.js';
import { entryTime } from '../pipeline/model.js';

const requireHere = createRequire(import.meta.url);
/** The page cache of each connection, in KiB (see openSqliteStore). */
const PAGE_CACHE_KIB = 2048;

export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // Rendered feeds and retained windows are megabytes; larger pages write them in fewer pieces
  // (about twice as fast measured). Only takes effect when the file is created.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection (SQLite's own default is
  // 2 MB). A big save fills all of it with pages it never reads again: 14 MB of the peak of a
  // 100,000-tweet import (bench/twitter-archive.ts). What we read back is whole windows, scanned
  // once, and single keys; the pages between run from the operating system's file cache.
  db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS kv (
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      expires_at INTEGER,
      PRIMARY KEY (namespace, key)
    );
    CREATE TABLE IF NOT EXISTS retained_entries (
      feed TEXT NOT NULL,
      id TEXT NOT NULL,
      entry TEXT NOT NULL,
      PRIMARY KEY (feed, id)
    );
    CREATE TABLE IF NOT EXISTS entry_sources (
      ref INTEGER PRIMARY KEY,
      source TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS retained_order (
      feed TEXT PRIMARY KEY,
      ids TEXT NOT NULL,
      version TEXT
    );
    CREATE TABLE IF NOT EXISTS blobs (
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      record TEXT NOT NULL,
      body BLOB,
      file TEXT,
      PRIMARY KEY (namespace, key)
    );
  `);
  migrateRetainedByPosition(db);
  const getStatement = db.prepare<[string, string], { value: string; expires_at: number | null }>(
    'SELECT value, expires_at FROM kv WHERE namespace = ? AND key = ?',
  );
  const setStatement = db.prepare(
    'INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
  );
  const deleteStatement = db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?');
  const listStatement = db.prepare<[string, number], { key: string; value: string }>(
    'SELECT key, value FROM kv WHERE namespace = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key',
  );
  const sweepStatement = db.prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?');
  const blobs = blobStore(db, path === ':memory:' ? undefined : join(dirname(path), 'blobs'));
  const checkpoints = path === ':memory:' ? undefined : backgroundCheckpoints(db, path);
  const retained = retainedWindows(db, (rowsWritten) => {
    if (rowsWritten >= CHECKPOINT_AFTER_ROWS) checkpoints?.request();
  });
  let writesSinceSweep = 0;

  // A run sets thousands of small keys (seen ids, sanitizer results); one transaction per key
  // would spend the run in SQLite's write path. Writes made in one tick are committed together;
  // reads look at the pending ones first, so nobody can tell.
  const pending = new Map<string, { namespace: string; key: string; value: string | null; expiresAt: number | null }>();
  const flush = db.transaction(() => {
    for (const write of pending.values()) {
      if (write.value === null) deleteStatement.run(write.namespace, write.key);
      else setStatement.run(write.namespace, write.key, write.value, write.expiresAt);
    }
    pending.clear();
  });
  let flushScheduled = false;
  const schedule = (namespace: string, key: string, value: string | null, expiresAt: number | null) => {
    pending.set(`${namespace}\u0000${key}`, { namespace, key, value, expiresAt });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        if (db.open) flush();
      });
    }
  };
  const flushNow = () => {
    if (pending.size > 0) flush();
  };

  return {
    async get<T>(namespace: string, key: string): Promise<T | undefined> {
      const write = pending.get(`${namespace}\u0000${key}`);
      if (write) {
        if (write.value === null || (write.expiresAt !== null && write.expiresAt <= Date.now())) return undefined;
        return JSON.parse(write.value) as T;
      }
      const row = getStatement.get(namespace, key);
      if (!row) return undefined;
      if (row.expires_at !== null && row.expires_at <= Date.now()) return undefined;
      return JSON.parse(row.value) as T;
    },
    async set(namespace, key, value, ttlMs) {
      schedule(namespace, key, JSON.stringify(value), ttlMs ? Date.now() + ttlMs : null);
      if (++writesSinceSweep >= 1000) {
        writesSinceSweep = 0;
        flushNow();
        sweepStatement.run(Date.now());
      }
    },
    async delete(namespace, key) {
      schedule(namespace, key, null, null);
    },
    async entries<T>(namespace: string): Promise<Array<[string, T]>> {
      flushNow();
      return listStatement.all(namespace, Date.now()).map((row) => [row.key, JSON.parse(row.value) as T]);
    },
    async loadRetained(feed) {
      return retained.load(feed);
    },
    async retainedIndex(feed) {
      return retained.index(feed);
    },
    async saveRetained(feed, entries, digestOf) {
      return retained.save(feed, entries, digestOf);
    },
    putBlob: blobs.put,
    getBlobRecord: blobs.getRecord,
    getBlob: blobs.get,
    writeBlobTo: blobs.writeTo,
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (!db.open) return;
      flushNow();
      await checkpoints?.close();
      db.close();
    },
  };
}

const UPSERT_BATCH = 200;
const COMMIT_EVERY_ROWS = 2000;
/** Smaller commits leave the checkpoint to SQLite: a thread is not worth starting for them. */
const CHECKPOINT_AFTER_ROWS = 1000;

/**
 * A window's order (the `ids` column) with the digests and times kept in `refs`, as flat lists in
 * the same order: an import of 100,000 entries would otherwise build 100,000 little arrays.
 */
interface StoredRefs {
  ids: string[];
  digests: Array<string | null>;
  times: Array<number | null>;
}

/**
 * Retained windows, one row per entry plus the order: a run that brings back the entries it had
 * writes nothing, and a new entry costs one row, not a rewrite of the window. The order row also
 * keeps each entry's digest and time (its index), so an unchanged window is recognised without
 * reading a single entry.
 */
function retainedWindows(db: Database.Database, onCommit: (rowsWritten: number) => void) {
  if (!db.prepare<[], { name: string }>('PRAGMA table_info(retained_order)').all().some((column) => column.name === 'refs')) {
    db.exec('ALTER TABLE retained_order ADD COLUMN refs TEXT');
  }
  const orderStatement = db.prepare<[string], { ids: string; version: string | null; refs: string | null }>(
    'SELECT ids, version, refs FROM retained_order WHERE feed = ?',
  );
  const rowsStatement = db.prepare<[string], { id: string; entry: string }>('SELECT id, entry FROM retained_entries WHERE feed = ?');
  const upsertRows = (rows: number) =>
    db.prepare(
      `INSERT INTO retained_entries (feed, id, entry) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')} ` +
        'ON CONFLICT (feed, id) DO UPDATE SET entry = excluded.entry',
    );
  // Rows go in batches: one statement per row spends more time crossing into SQLite than writing
  // (an import of 100,000 tweets: 520 ms one by one, 230 ms in batches of 200, measured).
  const upsertBatch = upsertRows(UPSERT_BATCH);
  const upsertOne = upsertRows(1);
  const removeStatement = db.prepare('DELETE FROM retained_entries WHERE feed = ? AND id = ?');
  const saveOrderStatement = db.prepare(
    'INSERT INTO retained_order (feed, ids, version, refs) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (feed) DO UPDATE SET ids = excluded.ids, version = excluded.version, refs = excluded.refs',
  );
  const sources = entrySources(db);
  /** The stored JSON of each entry object `load` handed out, so an untouched one is not serialised again. */
  const loadedText = new WeakMap<Entry, string>();
  /** The digest stored with each entry object `load` handed out. */
  const loadedDigest = new WeakMap<Entry, string>();
  /** Per feed, the JSON each id had in the table at the last load, until the save that follows it. */
  const stored = new Map<string, Map<string, string>>();

  const readRows = (feed: string): Map<string, string> => {
    const rows = new Map<string, string>();
    for (const row of rowsStatement.all(feed)) rows.set(row.id, row.entry);
    stored.set(feed, rows);
    return rows;
  };

  const readIndex = (feed: string) => {
    const order = orderStatement.get(feed);
    if (!order) return undefined;
    const ids = JSON.parse(order.ids) as string[];
    const refs: StoredRefs = order.refs ? { ids, ...(JSON.parse(order.refs) as Omit<StoredRefs, 'ids'>) } : withoutDigests(ids);
    return { version: order.version, refs, idsText: order.ids, refsText: order.refs };
  };

  /**
   * Committed every few thousand rows rather than once: the log can then be copied into the
   * database (by the background checkpointer) while the rest is written. A save cut short leaves
   * the previous order, whose entries are all still there, some perhaps in their newer version.
   * Rows are written as they are serialised, so a big import never holds all their texts at once;
   * the transaction only starts at the first row that differs.
   */
  const save = (feed: string, entries: Entry[], digestOf: ((entry: Entry) => string | undefined) | undefined): string => {
    const previous = readIndex(feed);
    const before = new Map<string, string | null>();
    previous?.refs.ids.forEach((id, i) => before.set(id, previous.refs.digests[i] ?? null));
    let batch: string[] = [];
    let rowsWritten = 0;
    let rowsInTransaction = 0;
    const write = () => {
      if (!db.inTransaction) db.exec('BEGIN IMMEDIATE');
      if (batch.length === UPSERT_BATCH * 3) upsertBatch.run(batch);
      else for (let at = 0; at < batch.length; at += 3) upsertOne.run(batch[at], batch[at + 1], batch[at + 2]);
      rowsInTransaction += batch.length / 3;
      rowsWritten += batch.length / 3;
      batch = [];
      if (rowsInTransaction < COMMIT_EVERY_ROWS) return;
      db.exec('COMMIT');
      onCommit(rowsInTransaction);
      rowsInTransaction = 0;
    };
    try {
      // Sized once: grown by push, 100,000 ids leave a trail of outgrown copies.
      const ids = new Array<string>(entries.length);
      // Digests and times are only worth keeping when a saver named digests: an import that
      // names none (100,000 tweets) keeps no lists it would never use.
      let digests: Array<string | null> | undefined;
      let times: Array<number | null> | undefined;
      const kept = new Set<string>();
      for (const [i, entry] of entries.entries()) {
        const digest = loadedDigest.get(entry) ?? digestOf?.(entry);
        ids[i] = entry.id;
        if (digest !== undefined && !digests) {
          digests = new Array<string | null>(i).fill(null);
          times = entries.slice(0, i).map((earlier) => entryTime(earlier) ?? null);
        }
        digests?.push(digest ?? null);
        times?.push(entryTime(entry) ?? null);
        if (before.size > 0) kept.add(entry.id);
        const storedDigest = before.get(entry.id);
        if (storedDigest !== undefined && digest !== undefined && storedDigest === digest) continue;
        const text = loadedText.get(entry) ?? JSON.stringify({ ...entry, source: sources.refOf(entry.source) });
        // Compared with what this process read at its load; a writer in between (another
        // process) is last-writer-wins, as a whole-window rewrite was.
        if (storedDigest !== undefined && (stored.get(feed) ?? readRows(feed)).get(entry.id) === text) continue;
        batch.push(feed, entry.id, text);
        if (batch.length === UPSERT_BATCH * 3) write();
      }
      if (batch.length > 0) write();
      const removed = [...before.keys()].filter((id) => !kept.has(id));
      const idsText = JSON.stringify(ids);
      const refsText = digests ? JSON.stringify({ digests, times }) : null;
      const contentSame = rowsWritten === 0 && removed.length === 0 && Boolean(previous?.version);
      if (contentSame && previous!.refsText === refsText && previous!.idsText === idsText) return previous!.version!;
      const version = contentSame && sameOrder(previous!.refs.ids, ids) ? previous!.version! : randomUUID();
      if (!db.inTransaction) db.exec('BEGIN IMMEDIATE');
      for (const id of removed) removeStatement.run(feed, id);
      saveOrderStatement.run(feed, idsText, version, refsText);
      db.exec('COMMIT');
      onCommit(rowsInTransaction);
      return version;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };

  return {
    load(feed: string): Entry[] {
      const index = readIndex(feed);
      const rows = readRows(feed);
      const refs = index?.refs ?? withoutDigests([...rows.keys()]);
      const entries: Entry[] = [];
      for (const [i, id] of refs.ids.entries()) {
        const digest = refs.digests[i] ?? null;
        const text = rows.get(id);
        if (text === undefined) continue;
        const entry = JSON.parse(text) as Omit<Entry, 'source'> & { source: EntrySource | number };
        if (typeof entry.source === 'number') entry.source = sources.byRef(entry.source);
        loadedText.set(entry as Entry, text);
        if (digest !== null) loadedDigest.set(entry as Entry, digest);
        entries.push(entry as Entry);
      }
      return entries;
    },
    index(feed: string): RetainedIndex | undefined {
      const index = readIndex(feed);
      if (!index?.version || !index.refsText) return undefined;
      return {
        version: index.version,
        entries: index.refs.ids.map((id, i) => {
          const digest = index.refs.digests[i] ?? null;
          const time = index.refs.times[i] ?? null;
          return { id, ...(digest !== null ? { digest } : {}), ...(time !== null ? { time } : {}) };
        }),
      };
    },
    save(feed: string, entries: Entry[], digestOf?: (entry: Entry) => string | undefined): string {
      try {
        return save(feed, entries, digestOf);
      } finally {
        // The texts are only kept from a load to the save after it: an import of 100,000 entries
        // must not hold them all twice.
        stored.delete(feed);
      }
    },
  };
}

function sameOrder(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function withoutDigests(ids: string[]): StoredRefs {
  return { ids, digests: ids.map(() => null), times: ids.map(() => null) };
}

/**
 * An entry's source (plugin, feed id, title, links: a few hundred bytes) is the same for every
 * entry of a feed; rows name it by number. An import of 100,000 tweets then writes a quarter less.
 */
function entrySources(db: Database.Database) {
  const insert = db.prepare<[string], { ref: number }>('INSERT INTO entry_sources (source) VALUES (?) ON CONFLICT (source) DO UPDATE SET source = source RETURNING ref');
  const byText = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const row of db.prepare<[], { ref: number; source: string }>('SELECT ref, source FROM entry_sources').all()) {
    byText.set(row.source, row.ref);
    byNumber.set(row.ref, row.source);
  }
  /** Entries of one source usually share the object; its number is then looked up once. */
  const byObject = new WeakMap<EntrySource, number>();
  return {
    refOf(source: EntrySource): number {
      let ref = byObject.get(source);
      if (ref !== undefined) return ref;
      const text = JSON.stringify(source);
      ref = byText.get(text);
      if (ref === undefined) {
        ref = insert.get(text)!.ref;
        byText.set(text, ref);
        byNumber.set(ref, text);
      }
      byObject.set(source, ref);
      return ref;
    },
    /** A fresh object per entry: nothing that edits one entry's source can reach another's. */
    byRef(ref: number): EntrySource {
      const text = byNumber.get(ref) ?? db.prepare<[number], { source: string }>('SELECT source FROM entry_sources WHERE ref = ?').get(ref)?.source;
      if (text === undefined) throw new Error(`state store: retained entry names source ${ref}, which is not in entry_sources`);
      byNumber.set(ref, text);
      return JSON.parse(text) as EntrySource;
    },
  };
}

/** State files from before retained entries were keyed by id kept them by position. */
function migrateRetainedByPosition(db: Database.Database): void {
  const old = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'retained'").get();
  if (!old) return;
  db.transaction(() => {
    const rows = db.prepare<[], { feed: string; entry: string }>('SELECT feed, entry FROM retained ORDER BY feed, position').all();
    const byFeed = new Map<string, string[]>();
    const insert = db.prepare('INSERT OR REPLACE INTO retained_entries (feed, id, entry) VALUES (?, ?, ?)');
    for (const row of rows) {
      const id = (JSON.parse(row.entry) as Entry).id;
      insert.run(row.feed, id, row.entry);
      byFeed.set(row.feed, [...(byFeed.get(row.feed) ?? []), id]);
    }
    const order = db.prepare('INSERT OR REPLACE INTO retained_order (feed, ids) VALUES (?, ?)');
    for (const [feed, ids] of byFeed) order.run(feed, JSON.stringify(ids));
    db.exec('DROP TABLE retained');
  })();
}

/**
 * Blobs (rendered feeds, megabytes each) live as files beside the database, named afresh on
 * every write, with their record and file name in a row: SQLite writes big values twice (log,
 * then the file) and on the event loop, a file is written once, off it. A reader that finds the
 * row's file already replaced by a newer write reads the row again. In memory (tests), the bytes
 * stay in the row.
 */
function blobStore(db: Database.Database, dir: string | undefined) {
  const putRow = db.prepare(
    'INSERT INTO blobs (namespace, key, record, body, file) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (namespace, key) DO UPDATE SET record = excluded.record, body = excluded.body, file = excluded.file',
  );
  const getRecordRow = db.prepare<[string, string], { record: string }>('SELECT record FROM blobs WHERE namespace = ? AND key = ?');
  const getRow = db.prepare<[string, string], { record: string; body: Buffer | null; file: string | null }>(
    'SELECT record, body, file FROM blobs WHERE namespace = ? AND key = ?',
  );
  const fileRows = db.prepare<[], { file: string }>('SELECT file FROM blobs WHERE file IS NOT NULL');
  if (dir) sweepOrphans(dir, new Set(fileRows.all().map((row) => row.file)));

  const readBody = async (file: string): Promise<Buffer | undefined> => {
    try {
      return await readFile(join(dir!, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  return {
    async put(namespace: string, key: string, record: unknown, body: Uint8Array): Promise<void> {
      const json = JSON.stringify(record ?? null);
      if (!dir) {
        putRow.run(namespace, key, json, body, null);
        return;
      }
      const previous = getRow.get(namespace, key)?.file;
      const file = `${encodeURIComponent(namespace)}.${encodeURIComponent(key)}.${randomUUID()}`;
      mkdirSync(dir, { recursive: true });
      await writeFile(join(dir, file), body);
      putRow.run(namespace, key, json, null, file);
      if (previous) await unlink(join(dir, previous)).catch(() => undefined);
    },
    async getRecord<T>(namespace: string, key: string): Promise<T | undefined> {
      const row = getRecordRow.get(namespace, key);
      return row ? (JSON.parse(row.record) as T) : undefined;
    },
    async get<T>(namespace: string, key: string): Promise<{ record: T; body: Buffer } | undefined> {
      return fromCurrentFile(namespace, key, async (row) => {
        const body = row.file ? await readBody(row.file) : (row.body ?? undefined);
        return body ? { record: JSON.parse(row.record) as T, body } : undefined;
      });
    },
    async writeTo<T>(namespace: string, key: string, path: string): Promise<T | undefined> {
      return fromCurrentFile(namespace, key, async (row) => {
        if (row.file) {
          const file = join(dir!, row.file);
          try {
            await copyAtomically(file, path);
          } catch (error) {
            // Replaced by a newer write since the row was read: read the row again.
            if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (error as NodeJS.ErrnoException).path === file) return undefined;
            throw error;
          }
        } else if (row.body) {
          await writeAtomically(path, row.body);
        } else {
          return undefined;
        }
        return JSON.parse(row.record) as T;
      });
    },
  };

  /**
   * Reads the row, then its file; a file replaced by a newer write in between is gone, so the
   * row is read again (`use` answers undefined for a vanished file).
   */
  async function fromCurrentFile<R>(
    namespace: string,
    key: string,
    use: (row: { record: string; body: Buffer | null; file: string | null }) => Promise<R | undefined>,
  ): Promise<R | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = getRow.get(namespace, key);
      if (!row) return undefined;
      const result = await use(row);
      if (result !== undefined) return result;
    }
    throw new Error(`blob ${namespace}/${key}: its file in ${dir} keeps disappearing (another process rewriting it?)`);
  }
}

/** Files no row names, left by a process that stopped between writing one and recording it. */
function sweepOrphans(dir: string, named: Set<string>): void {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return;
  }
  // A file this young may be another process's write whose row is not in yet.
  const settled = Date.now() - 3_600_000;
  for (const file of files) {
    if (named.has(file)) continue;
    try {
      if (statSync(join(dir, file)).mtimeMs < settled) unlinkSync(join(dir, file));
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

/**
 * The checkpointer's code, run as a worker thread so it needs no file of its own in any build;
 * dynamic imports, because the code is read as CommonJS or as a module depending on the flags
 * the process was started with.
 */
const CHECKPOINTER = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { default: Database } = await import(workerData.driver);
  const db = new Database(workerData.path);
  db.pragma('busy_timeout = 1000');
  parentPort.on('message', (message) => {
    if (message === 'close') {
      db.close();
      parentPort.close();
      return;
    }
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or closing: the next request, or the main connection's own checkpoint, catches up.
    }
    parentPort.postMessage('done');
  });
})();
`;

/**
 * Copying the write-ahead log into the database (a checkpoint) costs as much as writing it; done
 * on the writing thread it doubles the time of a big save. After a big commit the copy is asked
 * of a worker thread with its own connection instead, on the other core. SQLite's own automatic
 * checkpoint stays as the backstop, at a higher mark; the thread starts on the first request.
 */
function backgroundCheckpoints(db: Database.Database, path: string) {
  db.pragma('wal_autocheckpoint = 8192');
  let worker: Worker | undefined;
  let busy = false;
  let wanted = false;
  const post = () => {
    busy = true;
    wanted = false;
    worker!.postMessage('checkpoint');
  };
  return {
    request(): void {
      if (!worker) {
        worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver: pathToFileURL(requireHere.resolve('better-sqlite3')).href, path } });
        worker.unref();
        worker.on('message', () => {
          busy = false;
          if (wanted) post();
        });
        worker.on('error', () => {
          worker = undefined;
          busy = false;
        });
      }
      if (busy) wanted = true;
      else post();
    },
    async close(): Promise<void> {
      if (!worker) return;
      const stopping = once(worker, 'exit');
      // Unreferenced so a forgotten store never holds a process open; a closing one waits for it.
      worker.ref();
      worker.postMessage('close');
      await stopping;
      worker = undefined;
    },
  };
}
