import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import { scratch } from '../helpers/tmp.js';

interface JsonItem {
  id: string;
  title: string;
  url?: string;
  _kakehashi: { source: { service?: string }; via?: Array<{ link?: string }> };
}

// A lifestream run on a schedule: the tweet announcing a blog post is read in one run, the post
// itself only in the next, when the blog's feed finally shows it.
const work = scratch();
afterAll(() => work.cleanup());
const blog = readFileSync('examples/blog.rss', 'utf8');
const withoutPost = blog.replace(/<item>\s*<title>Kakehashi[\s\S]*?<\/item>\s*/, '');
const recipe = work.write(
  'lifestream.yaml',
  [
    'global: { state_dir: state, output_dir: out, log: { level: silent } }',
    'plugins:',
    '  - { module: Source::Feed, config: { path: blog.rss, service: blog } }',
    `  - { module: Source::TwitterArchive, config: { path: ${JSON.stringify(resolve('examples/twitter'))} } }`,
    '  - module: SmartFeed::Merge',
    '  - { module: Publish::Feed, config: { name: lifestream } }',
    '',
  ].join('\n'),
);
const items = () => (JSON.parse(readFileSync(work.path('out/lifestream.json'), 'utf8')) as { items: JsonItem[] }).items;
const announcing = (item: JsonItem) => item.url === 'https://x.com/taro/status/824700105';

describe('a crosspost whose parts arrive in different runs', () => {
  it('publishes the tweet alone while its post is not in the blog feed yet', async () => {
    expect(withoutPost).not.toContain('Kakehashi');
    work.write('blog.rss', withoutPost);
    const report = await runRecipe(recipe, { env: {} });
    expect(report.failures).toEqual([]);
    expect(items().filter(announcing)).toHaveLength(1);
  });

  it('folds the published tweet into the post once the post appears, leaving no second copy', async () => {
    work.write('blog.rss', blog);
    const report = await runRecipe(recipe, { env: {} });
    expect(report.failures).toEqual([]);
    const post = items().find((i) => i.title === 'Kakehashi を作った')!;
    expect(post.url).toBe('https://taro.example.jp/entry/2008/05/31/kakehashi');
    expect(post._kakehashi.via?.map((v) => v.link)).toEqual(['https://x.com/taro/status/824700105']);
    expect(items().filter(announcing)).toEqual([]);
    const ids = items().map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('a digest that reaches min_items in a later run', () => {
  const feedWith = (count: number) =>
    JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'taro の短信',
      home_page_url: 'https://microblog.example.jp/taro',
      items: Array.from({ length: count }, (_, i) => ({
        id: `https://microblog.example.jp/taro/${i + 1}`,
        url: `https://microblog.example.jp/taro/${i + 1}`,
        content_text: `短信 ${i + 1}`,
        date_published: `2008-05-30T1${i}:00:00+09:00`,
      })),
    });
  const digestWork = scratch();
  afterAll(() => digestWork.cleanup());
  const digestRecipe = digestWork.write(
    'digest.yaml',
    [
      'global: { state_dir: state, output_dir: out, log: { level: silent } }',
      'plugins:',
      '  - { module: Source::Feed, config: { path: short.json, service: microblog } }',
      '  - { module: SmartFeed::Digest, config: { window: day, min_items: 3 } }',
      '  - { module: Publish::Feed, config: { name: short } }',
      '',
    ].join('\n'),
  );
  const published = () => (JSON.parse(readFileSync(digestWork.path('out/short.json'), 'utf8')) as { items: JsonItem[] }).items;

  it('publishes two entries of a day on their own, then only the digest once a third comes', async () => {
    digestWork.write('short.json', feedWith(2));
    expect((await runRecipe(digestRecipe, { env: {} })).failures).toEqual([]);
    expect(published().map((i) => i.url)).toEqual(['https://microblog.example.jp/taro/2', 'https://microblog.example.jp/taro/1']);

    digestWork.write('short.json', feedWith(3));
    expect((await runRecipe(digestRecipe, { env: {} })).failures).toEqual([]);
    expect(published()).toHaveLength(1);
    expect(published()[0]!.id).toMatch(/^digest:/);
    expect(published()[0]!.title).toContain('(3)');
  });
});
