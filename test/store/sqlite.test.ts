import { describe, expect, it } from 'vitest';
import { makeEntry } from '../../src/pipeline/model.js';
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
});
