import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeEntry, type Entry } from '../../src/pipeline/model.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { scratch } from '../helpers/tmp.js';

describe('SQLite store (the embedded default)', () => {
  it('keeps what was written, across a close and a reopen of the file', async () => {
    const dir = scratch();
    try {
      const path = dir.path('state/state.sqlite');
      const first = openSqliteStore(path);
      for (let i = 0; i < 2500; i++) await first.set('seen', `key-${i}`, { i });
      await first.delete('seen', 'key-7');
      await first.saveRetained('lifestream', [makeEntry({ id: 'a', title: '京都', source: { plugin: 'Source::Feed', feedId: 'f' } })]);
      await first.close();
      const again = openSqliteStore(path);
      expect(await again.get('seen', 'key-2499')).toEqual({ i: 2499 });
      expect(await again.get('seen', 'key-7')).toBeUndefined();
      expect((await again.entries('seen')).length).toBe(2499);
      expect((await again.loadRetained('lifestream')).map((e) => e.title)).toEqual(['京都']);
      await again.close();
    } finally {
      dir.cleanup();
    }
  });

  it('reads its own writes before they are committed', async () => {
    const store = openSqliteStore(':memory:');
    await store.set('http', 'u', { etag: '"1"' });
    expect(await store.get('http', 'u')).toEqual({ etag: '"1"' });
    await store.delete('http', 'u');
    expect(await store.get('http', 'u')).toBeUndefined();
    await store.close();
  });

  const diaryEntry = (n: number): Entry =>
    makeEntry({
      id: `diary:${n}`,
      title: `日記 ${n}`,
      content: `<p>${'鴨川沿いを歩いた。'.repeat(100)}</p>`,
      published: { epochMs: Date.UTC(2008, 4, 30) - n * 3_600_000, kind: 'zoned', precision: 'second', offsetMinutes: 540 },
      source: { plugin: 'Source::Feed', feedId: 'f' },
    });

  it('does not rewrite a retained window that came back unchanged', async () => {
    const dir = scratch();
    try {
      const path = dir.path('state.sqlite');
      const store = openSqliteStore(path);
      const window = Array.from({ length: 500 }, (_, n) => diaryEntry(n));
      await store.saveRetained('diary', window);
      // Pages written by a save, counted as WAL frames from a second connection.
      const observer = new Database(path);
      const framesSince = () => {
        const frames = (observer.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
        observer.pragma('wal_checkpoint(TRUNCATE)');
        return frames;
      };
      framesSince();
      // The next run: the window loaded, the same entries parsed again (new objects), one new entry on top.
      const loaded = await store.loadRetained('diary');
      expect(loaded).toHaveLength(500);
      await store.saveRetained('diary', [diaryEntry(-1), ...window.map((entry) => ({ ...entry })).slice(0, 499)]);
      const unchangedSave = framesSince();
      await store.saveRetained('diary', window.map((entry) => ({ ...entry, title: `${entry.title}（改）` })));
      const rewrite = framesSince();
      // ~750 kB of entries: rewriting them all takes dozens of pages; a new row, a removed one and the order, a few.
      expect(rewrite).toBeGreaterThan(40);
      expect(unchangedSave).toBeLessThan(rewrite / 4);
      expect((await store.loadRetained('diary')).map((e) => e.title).slice(0, 2)).toEqual(['日記 0（改）', '日記 1（改）']);
      observer.close();
      await store.close();
    } finally {
      dir.cleanup();
    }
  });

  it('reads retained windows from a state file written before they were kept by id', async () => {
    const dir = scratch();
    try {
      const path = dir.path('state.sqlite');
      const old = new Database(path);
      old.exec('CREATE TABLE retained (feed TEXT NOT NULL, position INTEGER NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (feed, position))');
      const insert = old.prepare('INSERT INTO retained (feed, position, entry) VALUES (?, ?, ?)');
      [2, 1, 3].forEach((n, position) => insert.run('lifestream', position, JSON.stringify(diaryEntry(n))));
      old.close();
      const store = openSqliteStore(path);
      expect((await store.loadRetained('lifestream')).map((e) => e.id)).toEqual(['diary:2', 'diary:1', 'diary:3']);
      await store.close();
    } finally {
      dir.cleanup();
    }
  });

  it('keeps blobs as files beside the database: one file per blob, the old one removed, orphans swept', async () => {
    const dir = scratch();
    try {
      const path = dir.path('state/state.sqlite');
      const store = openSqliteStore(path);
      await store.putBlob('render', 'lifestream.rss', { etag: '"1"' }, Buffer.from('<rss>一</rss>'));
      await store.putBlob('render', 'lifestream.rss', { etag: '"2"' }, Buffer.from('<rss>二</rss>'));
      await store.putBlob('render', 'lifestream.atom', { etag: '"3"' }, Buffer.from('<feed/>'));
      expect(readdirSync(dir.path('state/blobs'))).toHaveLength(2);
      await store.close();
      // A file from a process that stopped before recording it, long ago, and one being written now.
      writeFileSync(dir.path('state/blobs/render.stale'), 'x');
      utimesSync(dir.path('state/blobs/render.stale'), new Date('2020-01-01'), new Date('2020-01-01'));
      writeFileSync(dir.path('state/blobs/render.fresh'), 'y');
      const again = openSqliteStore(path);
      const blob = await again.getBlob<{ etag: string }>('render', 'lifestream.rss');
      expect(blob?.record.etag).toBe('"2"');
      expect(blob?.body.toString('utf8')).toBe('<rss>二</rss>');
      expect(readdirSync(dir.path('state/blobs')).sort()).toEqual(expect.arrayContaining(['render.fresh']));
      expect(readdirSync(dir.path('state/blobs'))).not.toContain('render.stale');
      expect(readdirSync(dir.path('state/blobs'))).toHaveLength(3);
      await again.close();
    } finally {
      dir.cleanup();
    }
  });

  it('copies a big save from the log into the database in the background, while the store stays open', async () => {
    const dir = scratch();
    try {
      const path = dir.path('state.sqlite');
      const store = openSqliteStore(path);
      await store.saveRetained('archive', Array.from({ length: 3000 }, (_, n) => diaryEntry(n)));
      // SQLite alone would leave these ~4.5 MB in the log until far more piled up.
      const deadline = Date.now() + 10_000;
      while (statSync(path).size < 3_000_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statSync(path).size).toBeGreaterThan(3_000_000);
      expect(await store.loadRetained('archive')).toHaveLength(3000);
      await store.close();
    } finally {
      dir.cleanup();
    }
  });

  it('lets a process that saved a big window and closed its store exit on its own, with status 0', async () => {
    const dir = scratch();
    try {
      const script = [
        "import { makeEntry } from './src/pipeline/model.ts';",
        "import { openSqliteStore } from './src/store/sqlite.ts';",
        `const store = openSqliteStore(${JSON.stringify(dir.path('state.sqlite'))});`,
        "await store.saveRetained('archive', Array.from({ length: 3000 }, (_, n) => makeEntry({ id: 'e' + n, title: '日記 ' + n, source: { plugin: 'Source::Feed', feedId: 'f' } })));",
        'await store.close();',
        "console.log('closed');",
      ].join('\n');
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
      expect(stdout.trim()).toBe('closed');
    } finally {
      dir.cleanup();
    }
  });
});
