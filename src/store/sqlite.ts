/**
 * The embedded state store: one SQLite file, so a new user needs nothing but Node. Values are
 * JSON; expiry is checked on read and swept on write.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../pipeline/context.js';
import type { Entry } from '../pipeline/model.js';

export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS kv (
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      expires_at INTEGER,
      PRIMARY KEY (namespace, key)
    );
    CREATE TABLE IF NOT EXISTS retained (
      feed TEXT NOT NULL,
      position INTEGER NOT NULL,
      entry TEXT NOT NULL,
      PRIMARY KEY (feed, position)
    );
  `);
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
  const loadRetainedStatement = db.prepare<[string], { entry: string }>(
    'SELECT entry FROM retained WHERE feed = ? ORDER BY position',
  );
  const clearRetainedStatement = db.prepare('DELETE FROM retained WHERE feed = ?');
  const insertRetainedStatement = db.prepare('INSERT INTO retained (feed, position, entry) VALUES (?, ?, ?)');
  const saveRetained = db.transaction((feed: string, entries: Entry[]) => {
    clearRetainedStatement.run(feed);
    entries.forEach((entry, position) => insertRetainedStatement.run(feed, position, JSON.stringify(entry)));
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
      return loadRetainedStatement.all(feed).map((row) => JSON.parse(row.entry) as Entry);
    },
    async saveRetained(feed, entries) {
      saveRetained(feed, entries);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (!db.open) return;
      flushNow();
      db.close();
    },
  };
}
