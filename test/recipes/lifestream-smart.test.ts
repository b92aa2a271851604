import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { scratch } from '../helpers/tmp.js';

interface JsonItem {
  id: string;
  title: string;
  url?: string;
  date_published?: string;
  content_html?: string;
  _kakehashi: { source: { service?: string }; via?: Array<{ entryId: string; link?: string; source: { service?: string } }>; parts?: number };
}

// The smart demo, run twice into one state directory as a cron job would run it.
const work = scratch();
const reports: RunReport[] = [];
const items = (name: string) => (JSON.parse(readFileSync(work.path(`out/${name}.json`), 'utf8')) as { items: JsonItem[] }).items;
const run = () => runRecipe('recipes/lifestream.yaml', { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });

beforeAll(async () => {
  reports.push(await run());
  reports.push(await run());
});
afterAll(() => work.cleanup());

describe('recipes/lifestream.yaml', () => {
  it('reads the five feeds, the X archive and the FriendFeed archive without a failure', () => {
    for (const report of reports) {
      expect(report.failures).toEqual([]);
      expect(report.sources.every((s) => s.ok)).toBe(true);
      expect(report.entriesIn).toBe(8 + 7 + 3);
    }
  });

  it('merges the blog post with the tweet announcing it through a t.co link', () => {
    const post = items('lifestream').find((i) => i.title === 'Kakehashi を作った')!;
    expect(post.url).toBe('https://taro.example.jp/entry/2008/05/31/kakehashi');
    expect(post._kakehashi.via).toEqual([
      expect.objectContaining({ link: 'https://x.com/taro/status/824700105', source: expect.objectContaining({ service: 'twitter' }) }),
    ]);
    expect(items('lifestream').filter((i) => i.title.includes('ブログ書いた'))).toEqual([]);
  });

  it("merges the diary entry with the tweet announcing it and FriendFeed's copy", () => {
    const diary = items('lifestream').find((i) => i.title === '[日記]京都で髙橋さんと①')!;
    expect(diary.url).toBe('http://d.hatena.ne.jp/taro/20080530/1212150896');
    expect(diary._kakehashi.source.service).toBe('hatena');
    expect(diary._kakehashi.via?.map((v) => [v.source.service, v.link])).toEqual([
      ['twitter', 'https://x.com/taro/status/824510104'],
      ['friendfeed', 'http://d.hatena.ne.jp/taro/20080530/1212150896'],
    ]);
  });

  it("digests the other tweets per day in JST, FriendFeed's mirror of one folded into it, replies left out", () => {
    const digests = items('lifestream').filter((i) => i.title.startsWith('Twitter:'));
    expect(digests.map((d) => [d.title, d.date_published])).toEqual([
      ['Twitter: 2008-05-31 のつぶやき (1)', '2008-05-31T12:00:00+09:00'],
      ['Twitter: 2008-05-30 のつぶやき (3)', '2008-05-30T21:34:50+09:00'],
    ]);
    const may30 = digests[1]!;
    expect([...may30.content_html!.matchAll(/<a href="([^"]+)"[^>]*>(\d\d:\d\d)<\/a>/g)].map((m) => [m[2], m[1]])).toEqual([
      ['09:05', 'https://x.com/taro/status/824400101'],
      ['18:45', 'https://x.com/taro/status/824490103'],
      ['21:34', 'https://x.com/taro/status/824500123'],
    ]);
    expect(may30.content_html).not.toContain('傘を忘れた');
    expect(items('lifestream').some((i) => i._kakehashi.source.service === 'twitter' && !i.title.startsWith('Twitter:'))).toBe(false);
  });

  it('publishes each digest once even though the recipe ran twice', () => {
    const ids = items('lifestream').map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('digest:'))).toEqual(['digest:twitter/taro:2008-05-31', 'digest:twitter/taro:2008-05-30']);
    expect(items('lifestream')).toHaveLength(11);
  });

  it('publishes a second feed with everything: every tweet and every copy, nothing merged', () => {
    const everything = items('everything');
    expect(everything).toHaveLength(8 + 6 + 3);
    expect(everything.every((i) => !i._kakehashi.via && !i._kakehashi.parts)).toBe(true);
    expect(everything.filter((i) => i._kakehashi.source.service === 'twitter').map((i) => i.url)).toEqual([
      'https://x.com/taro/status/824800106',
      'https://x.com/taro/status/824700105',
      'https://x.com/taro/status/824510104',
      'https://x.com/taro/status/824500123',
      'https://x.com/taro/status/824490103',
      'https://x.com/taro/status/824400101',
    ]);
    expect(everything.filter((i) => i._kakehashi.source.service === 'friendfeed')).toHaveLength(3);
    // The two views share their entries' ids, so a reader that has one marks the other read.
    expect(everything.map((i) => i.id)).toEqual(expect.arrayContaining(items('lifestream').filter((i) => !i.id.startsWith('digest:')).map((i) => i.id)));
  });
});
