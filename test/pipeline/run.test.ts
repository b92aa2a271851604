import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import { parseFeedDocument } from '../../src/feed/parse.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { writeOutput } from '../../src/plugins/publish/feed/output.js';
import type { RunReport } from '../../src/pipeline/report.js';
import { serveFiles, startServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { scratch } from '../helpers/tmp.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const rssWith = (title: string, items: Array<{ guid: string; title: string; date: string }>) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${title}</title><link>https://${title}.example/</link><description>d</description>${items
    .map((i) => `<item><guid>${i.guid}</guid><title>${i.title}</title><link>https://${title}.example/${i.guid}</link><pubDate>${i.date}</pubDate></item>`)
    .join('')}</channel></rss>`;

async function upstream(routes: Parameters<typeof serveFiles>[0]): Promise<TestServer> {
  const server = await serveFiles(routes);
  cleanups.push(() => server.close());
  return server;
}

function workspace(recipe: string) {
  const s = scratch({ 'recipe.yaml': recipe });
  cleanups.push(s.cleanup);
  return s;
}

describe('runRecipe', () => {
  it('publishes the sources that work when one answers 500 and one never answers', async () => {
    const hang = await startServer(() => undefined);
    cleanups.push(() => hang.close());
    const server = await upstream({
      '/good.rss': { body: rssWith('good', [{ guid: 'g1', title: '良い', date: 'Fri, 30 May 2008 21:34:56 +0900' }]), headers: { 'content-type': 'application/rss+xml; charset=utf-8' } },
      '/broken.rss': { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } },
    });
    const s = workspace(`global:
  timeout: 1
plugins:
  - module: Subscription::Config
    config:
      feed:
        - ${server.url}/good.rss
        - ${server.url}/broken.rss
        - ${hang.url}/slow.rss
  - module: Publish::Feed
    config: {name: stream, formats: [rss]}
`);
    const report = await runRecipe(s.path('recipe.yaml'), { env: {} });
    const byTarget = Object.fromEntries(report.sources.map((o) => [o.target, o]));
    expect(byTarget[`${server.url}/good.rss`]).toMatchObject({ ok: true, entries: 1 });
    expect(byTarget[`${server.url}/broken.rss`]).toMatchObject({ ok: false, error: `${server.url}/broken.rss: HTTP 500 Internal Server Error` });
    expect(byTarget[`${hang.url}/slow.rss`]).toMatchObject({ ok: false, error: `${hang.url}/slow.rss: timed out after 1000 ms` });
    const published = await parseFeedDocument(readFileSync(s.path('out/stream.rss'), 'utf8'), { defaultZone: 'UTC' });
    expect(published.items.map((i) => i.title)).toEqual(['良い']);
    expect(published.items.some((i) => /error|500/i.test(i.title))).toBe(false);
  });

  it('keeps a source imported once in the feed after later runs (the retained window)', async () => {
    const server = await upstream({
      '/a.rss': { body: rssWith('a', [{ guid: 'a1', title: 'A1', date: 'Thu, 29 May 2008 10:00:00 +0900' }]) },
      '/b.rss': { body: rssWith('b', [{ guid: 'b1', title: 'B1', date: 'Fri, 30 May 2008 10:00:00 +0900' }]) },
    });
    const recipe = (feeds: string[]) => `plugins:
  - module: Subscription::Config
    config:
      feed: [${feeds.map((f) => `${server.url}${f}`).join(', ')}]
  - module: Publish::Feed
    config: {name: stream, keep: 2}
`;
    const s = workspace(recipe(['/a.rss']));
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    s.write('recipe.yaml', recipe(['/b.rss']));
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const titles = async () =>
      (await parseFeedDocument(readFileSync(s.path('out/stream.atom'), 'utf8'), { defaultZone: 'UTC' })).items.map((i) => i.title);
    expect(await titles()).toEqual(['B1', 'A1']);
    // keep: 2 drops the oldest when a third arrives
    server.close();
    const next = await upstream({ '/c.rss': { body: rssWith('c', [{ guid: 'c1', title: 'C1', date: 'Sat, 31 May 2008 10:00:00 +0900' }]) } });
    s.write('recipe.yaml', recipe([]).replace('feed: []', `feed: [${next.url}/c.rss]`));
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    expect(await titles()).toEqual(['C1', 'B1']);
  });

  it('writes the files from the stored renders, and writes a deleted file again on an unchanged run', async () => {
    const server = await upstream({ '/a.rss': { body: rssWith('a', [{ guid: 'a1', title: '鴨川', date: 'Thu, 29 May 2008 10:00:00 +0900' }]) } });
    const s = workspace(`plugins:
  - module: Subscription::Config
    config: {feed: ['${server.url}/a.rss']}
  - module: Publish::Feed
    config: {name: stream}
`);
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const store = openSqliteStore(s.path('.kakehashi/state.sqlite'));
    for (const format of ['rss', 'atom', 'json']) {
      const stored = await store.getBlob<{ etag: string }>('render', `stream.${format}`);
      expect(readFileSync(s.path(`out/stream.${format}`)).equals(stored!.body)).toBe(true);
    }
    await store.close();
    rmSync(s.path('out/stream.rss'));
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    expect(readFileSync(s.path('out/stream.rss'), 'utf8')).toContain('<title>鴨川</title>');
  });

  it('renders again when the feed settings change though the entries did not', async () => {
    const server = await upstream({ '/a.rss': { body: rssWith('a', [{ guid: 'a1', title: '鴨川', date: 'Thu, 29 May 2008 10:00:00 +0900' }]) } });
    const recipe = (title: string, timezone: string) => `global: {timezone: ${timezone}}
plugins:
  - module: Subscription::Config
    config: {feed: ['${server.url}/a.rss']}
  - module: Publish::Feed
    config: {name: stream, title: ${title}, formats: [rss]}
`;
    const s = workspace(recipe('一つ目', 'Asia/Tokyo'));
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    expect(readFileSync(s.path('out/stream.rss'), 'utf8')).toContain('<pubDate>Thu, 29 May 2008 10:00:00 +0900</pubDate>');
    s.write('recipe.yaml', recipe('二つ目', 'UTC'));
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const rss = readFileSync(s.path('out/stream.rss'), 'utf8');
    expect(rss).toContain('<title>二つ目</title>');
    expect(rss).toContain('<pubDate>Thu, 29 May 2008 01:00:00 +0000</pubDate>');
  });

  it('says which render is missing when a write job runs where the state store does not have it', async () => {
    const store = openSqliteStore(':memory:');
    await expect(writeOutput(store, { path: '/srv/feeds/stream.rss', render: 'stream.rss' })).rejects.toThrow(
      '/srv/feeds/stream.rss: render "stream.rss" is not in this worker\'s state store',
    );
    await store.close();
  });

  it('records each run in the store for the status page', async () => {
    const server = await upstream({ '/a.rss': { body: rssWith('a', [{ guid: 'a1', title: 'A1', date: 'Thu, 29 May 2008 10:00:00 +0900' }]) } });
    const s = workspace(`plugins:\n  - module: Subscription::Config\n    config: {feed: ["${server.url}/a.rss", "${server.url}/missing.rss"]}\n  - module: Publish::Feed\n`);
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const store = openSqliteStore(s.path('.kakehashi/state.sqlite'));
    cleanups.push(() => store.close());
    const runs = await store.get<RunReport[]>('runs', 'recipe');
    expect(runs).toHaveLength(1);
    expect(runs![0]!.sources.find((o) => !o.ok)?.error).toBe(`${server.url}/missing.rss: HTTP 404 Not Found`);
    expect(await store.get('subscriptions', 'recipe')).toEqual([
      { plugin: 'Source::Feed', url: `${server.url}/a.rss`, tags: [] },
      { plugin: 'Source::Feed', url: `${server.url}/missing.rss`, tags: [] },
    ]);
  });

  it('reads an OPML file and turns outline folders into tags', async () => {
    const server = await upstream({
      '/a.rss': { body: rssWith('a', [{ guid: 'a1', title: 'A1', date: 'Thu, 29 May 2008 10:00:00 +0900' }]) },
      '/b.rss': { body: rssWith('b', [{ guid: 'b1', title: 'B1', date: 'Fri, 30 May 2008 10:00:00 +0900' }]) },
    });
    const s = workspace(`plugins:\n  - module: Subscription::OPML\n    config: {path: subs.opml}\n  - module: Publish::Feed\n    config: {formats: [json]}\n`);
    s.write(
      'subs.opml',
      `<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
        <outline text="友達"><outline text="a" type="rss" xmlUrl="${server.url}/a.rss"/>
          <outline text="仕事"><outline text="b" type="rss" xmlUrl="${server.url}/b.rss"/></outline></outline></body></opml>`,
    );
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const items = (JSON.parse(readFileSync(s.path('out/lifestream.json'), 'utf8')) as { items: Array<{ title: string; _kakehashi: { source: { feedId: string } } }> }).items;
    expect(items.map((i) => i.title)).toEqual(['B1', 'A1']);
    const store = openSqliteStore(s.path('.kakehashi/state.sqlite'));
    cleanups.push(() => store.close());
    expect(await store.get('subscriptions', 'recipe')).toEqual([
      { plugin: 'Source::Feed', url: `${server.url}/a.rss`, title: 'a', tags: ['友達'] },
      { plugin: 'Source::Feed', url: `${server.url}/b.rss`, title: 'b', tags: ['友達', '仕事'] },
    ]);
  });

  it('gates a publisher by its rule', async () => {
    const server = await upstream({
      '/a.rss': {
        body: rssWith('a', [
          { guid: 'a1', title: '京都の日記', date: 'Thu, 29 May 2008 10:00:00 +0900' },
          { guid: 'a2', title: 'Tokyo', date: 'Fri, 30 May 2008 10:00:00 +0900' },
        ]),
      },
    });
    const s = workspace(`plugins:\n  - module: Subscription::Config\n    config: {feed: ["${server.url}/a.rss"]}\n  - module: Publish::Feed\n    config: {name: kyoto, formats: [rss]}\n    rule:\n      module: Expression\n      expression: 'entry.title =~ /京都/'\n`);
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const published = await parseFeedDocument(readFileSync(s.path('out/kyoto.rss'), 'utf8'), { defaultZone: 'UTC' });
    expect(published.items.map((i) => i.title)).toEqual(['京都の日記']);
  });
});

describe('runRecipe: secrets and hung sources', () => {
  it('keeps a token from the environment out of the summary, the history and the log', async () => {
    const server = await upstream({});
    const s = workspace(`plugins:\n  - module: Subscription::Config\n    config: {feed: ["${server.url}/feed?token=\${FEED_TOKEN}"]}\n  - module: Publish::Feed\n`);
    const logged: string[] = [];
    const { loadRecipe } = await import('../../src/pipeline/recipe.js');
    const { createLogger } = await import('../../src/pipeline/run.js');
    const recipe = await loadRecipe(s.path('recipe.yaml'), { env: { FEED_TOKEN: 'tok-123456' } });
    const log = createLogger('trace', recipe.secrets, { write: (line: string) => void logged.push(line) });
    const report = await runRecipe(recipe, { env: {}, log });
    expect(report.sources[0]!.error).toBe(`${server.url}/feed?token=[secret]: HTTP 404 Not Found`);
    expect(JSON.stringify(report)).not.toContain('tok-123456');
    expect(server.requests[0]!.url).toBe('/feed?token=tok-123456');
    expect(logged.join('')).toContain('Source::Feed failed');
    expect(logged.join('')).toContain('HTTP 404 Not Found');
    expect(logged.join('')).not.toContain('tok-123456');
  });

  it('gives up on a source that never finishes, and publishes the others', async () => {
    const { registryOf, loadRegistry } = await import('../../src/plugins/registry.js');
    const { definePlugin } = await import('../../src/pipeline/plugin.js');
    const { loadRecipe } = await import('../../src/pipeline/recipe.js');
    const { z } = await import('zod');
    const stuck = definePlugin({
      name: 'Source::Stuck',
      description: 'never resolves',
      phase: 'source',
      config: z.object({}),
      fetch: () => new Promise<never>(() => undefined),
    });
    const server = await upstream({ '/a.rss': { body: rssWith('a', [{ guid: 'a1', title: 'A1', date: 'Thu, 29 May 2008 10:00:00 +0900' }]) } });
    const s = workspace(`global: {source_timeout: 0.5}\nplugins:\n  - module: Source::Stuck\n  - module: Source::Feed\n    config: {url: "${server.url}/a.rss"}\n  - module: Publish::Feed\n`);
    const recipe = await loadRecipe(s.path('recipe.yaml'), { env: {}, registry: registryOf([...(await loadRegistry()).all, stuck]) });
    const report = await runRecipe(recipe);
    expect(report.sources.find((o) => o.plugin === 'Source::Stuck')).toMatchObject({ ok: false, error: 'gave up after 0.5 s (global.source_timeout)' });
    expect(report.sources.find((o) => o.plugin === 'Source::Feed')).toMatchObject({ ok: true, entries: 1 });
  });
});

describe('runRecipe: what may be published', () => {
  it('drops javascript: links and keeps local paths out of the published JSON Feed', async () => {
    const s = workspace(`plugins:\n  - module: Source::Feed\n    config: {path: evil.rss}\n  - module: Publish::Feed\n    config: {formats: [rss, json]}\n`);
    s.write(
      'evil.rss',
      `<?xml version="1.0"?><rss version="2.0"><channel><title>e</title><link>https://e.example/</link><description>d</description>
        <item><guid>1</guid><title>x</title><link>javascript:alert(1)</link><description><![CDATA[<a href="javascript:alert(2)">c</a><script>alert(3)</script><img src="/a.png" onerror="alert(4)">]]></description></item></channel></rss>`,
    );
    await runRecipe(s.path('recipe.yaml'), { env: {} });
    const rssText = readFileSync(s.path('out/lifestream.rss'), 'utf8');
    const jsonText = readFileSync(s.path('out/lifestream.json'), 'utf8');
    for (const text of [rssText, jsonText]) {
      expect(text).not.toMatch(/javascript:|<script|onerror/i);
      expect(text).not.toContain(s.dir);
    }
    expect(jsonText).toContain('https://e.example/a.png');
  });
});
