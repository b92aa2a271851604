import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import type { RunReport } from '../../src/pipeline/report.js';
import {
  nitterHosts,
  nitterStatus,
  parseNitterTitle,
  rewriteInstanceUrl,
} from '../../src/plugins/source/twitter/nitter.js';
import { scratch } from '../helpers/tmp.js';
import { serveFiles } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const RSS = join(import.meta.dirname, '..', 'fixtures', 'nitter', 'taro.rss');

describe('Nitter title prefixes and instance links', () => {
  it.each([
    ['RT by @taro: 今日は雨', { title: '今日は雨', marks: ['retweet'], retweetedBy: 'taro' }],
    ['RT: 今日は雨', { title: '今日は雨', marks: ['retweet'] }],
    ['R to @hanako: そうですね', { title: 'そうですね', marks: ['reply'], replyTo: 'hanako' }],
    ['Pinned: 固定', { title: '固定', marks: ['pinned'] }],
    ['Pinned: RT by @taro: 両方', { title: '両方', marks: ['pinned', 'retweet'], retweetedBy: 'taro' }],
    ['RTした話: RT by @x: は本文', { title: 'RTした話: RT by @x: は本文', marks: [] }],
  ])('%s', (title, expected) => {
    expect(parseNitterTitle(title)).toEqual(expected);
  });

  it('knows common instances and any nitter.* host, plus configured ones', () => {
    const builtIn = nitterHosts([], true);
    expect(nitterStatus('https://nitter.net/taro/status/123#m', builtIn)).toEqual({ user: 'taro', id: '123' });
    expect(nitterStatus('https://xcancel.com/taro/status/123', builtIn)).toEqual({ user: 'taro', id: '123' });
    expect(nitterStatus('https://nitter.somewhere.example/taro/status/9', builtIn)).toEqual({ user: 'taro', id: '9' });
    expect(nitterStatus('https://bird.example.org/taro/status/9', builtIn)).toBeUndefined();
    expect(nitterStatus('https://example.com/taro/status/9', builtIn)).toBeUndefined();
    const configured = nitterHosts(['bird.example.org'], false);
    expect(nitterStatus('https://bird.example.org/taro/status/9#m', configured)).toEqual({ user: 'taro', id: '9' });
    expect(nitterStatus('https://nitter.net/taro/status/9', configured)).toBeUndefined();
  });

  it('maps instance URLs to x.com and proxied pictures to pbs.twimg.com', () => {
    const hosts = nitterHosts([], true);
    expect(rewriteInstanceUrl('https://nitter.net/taro/status/1796883124450234433#m', hosts)).toBe('https://x.com/taro/status/1796883124450234433');
    expect(rewriteInstanceUrl('https://nitter.net/pic/orig/media%2FGPaBcDeFgH1.jpg', hosts)).toBe('https://pbs.twimg.com/media/GPaBcDeFgH1.jpg');
    expect(rewriteInstanceUrl('https://nitter.net/pic/media%2FGPxYz.jpg%3Fname%3Dsmall', hosts)).toBe('https://pbs.twimg.com/media/GPxYz.jpg?name=small');
    expect(rewriteInstanceUrl('https://nitter.net/search?q=%23%E6%A2%85%E9%9B%A8', hosts)).toBe('https://x.com/search?q=%23%E6%A2%85%E9%9B%A8');
    expect(rewriteInstanceUrl('https://example.com/a', hosts)).toBeUndefined();
  });
});

describe('Filter::NitterLinks on a Nitter RSS feed, through a recipe', () => {
  const work = scratch();
  let server: TestServer;
  let report: RunReport;
  let items: Array<Record<string, unknown>>;

  beforeAll(async () => {
    server = await serveFiles({
      '/taro/rss': {
        file: RSS,
        headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"nitter-taro-1"' },
      },
    });
    const recipe = work.write(
      'nitter.yaml',
      [
        'global:',
        '  timezone: Asia/Tokyo',
        'plugins:',
        '  - module: Source::Feed',
        '    config:',
        `      url: ${server.url}/taro/rss`,
        '      service: twitter',
        '  - module: Filter::NitterLinks',
        '    config:',
        '      instances: [bird.example.org]',
        '  - module: Publish::Feed',
        '    config:',
        '      name: nitter',
        '      formats: [json, rss]',
        '',
      ].join('\n'),
    );
    report = await runRecipe(recipe, { env: {}, stateDir: work.path('state'), outputDir: work.path('out') });
    items = (JSON.parse(readFileSync(work.path('out/nitter.json'), 'utf8')) as { items: Array<Record<string, unknown>> }).items;
  });
  afterAll(async () => {
    await server.close();
    work.cleanup();
  });

  it('runs without failures', () => {
    expect(report.failures).toEqual([]);
    expect(report.sources.map((source) => [source.ok, source.entries])).toEqual([[true, 4]]);
  });

  it('links every post to x.com without #m, strips the prefixes into tags, and gives tweet ids', () => {
    expect(items.map((item) => [item.id, item.url, item.title, item.tags ?? []])).toEqual([
      ['twitter#1797050000000000000', 'https://x.com/hanako/status/1797050000000000000', '今日の東京は雨でした。傘を忘れずに！ hanako.example.jp/diary/2024/06/02', ['retweet']],
      ['twitter#1796889432683450434', 'https://x.com/taro/status/1796889432683450434', 'そうですね <3 また明日', ['reply']],
      ['twitter#1796883124450234433', 'https://x.com/taro/status/1796883124450234433', '梅雨入り & 傘 #梅雨 🎉taro.hatenablog.com/entry/2024/06/01/213000', ['pinned']],
      ['twitter#1796678039761850452', 'https://x.com/taro/status/1796678039761850452', '新しい傘を買った', []],
    ]);
  });

  it('rewrites links and pictures in the content, keeps dates (GMT → JST) and the author without @', () => {
    const [retweet, reply, pinned, photo] = items;
    expect(retweet!.date_published).toBe('2024-06-02T08:39:42+09:00');
    expect(retweet!.authors).toEqual([{ name: 'hanako' }]);
    expect(retweet!.content_html).toContain('<img src="https://pbs.twimg.com/media/GPxYz00001.jpg?name=orig"');
    expect(reply!.content_html).toMatch(/<a href="https:\/\/x\.com\/hanako"[^>]*>@hanako<\/a>/);
    expect(pinned!.content_html).toMatch(/<a href="https:\/\/x\.com\/search\?q=%23%E6%A2%85%E9%9B%A8"[^>]*>#梅雨<\/a>/);
    expect(pinned!.content_html).toContain('<a href="https://taro.hatenablog.com/entry/2024/06/01/213000"');
    expect(pinned!.date_published).toBe('2024-06-01T21:34:56+09:00');
    expect(photo!.content_html).toContain('<img src="https://pbs.twimg.com/media/GPaBcDeFgH1.jpg"');
    expect(JSON.stringify(items)).not.toContain('bird.example.org');
  });

  it('writes RSS items whose guid and link are the x.com permalink', () => {
    const rss = readFileSync(work.path('out/nitter.rss'), 'utf8');
    expect(rss).toContain('<link>https://x.com/taro/status/1796883124450234433</link>');
    expect(rss).not.toContain('#m<');
  });
});
