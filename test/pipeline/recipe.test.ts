import { afterEach, describe, expect, it } from 'vitest';
import { loadRecipe, RecipeError } from '../../src/pipeline/recipe.js';
import { scratch } from '../helpers/tmp.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function recipeFile(files: Record<string, string>) {
  const s = scratch(files);
  cleanups.push(s.cleanup);
  return s;
}

async function problemsOf(path: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await loadRecipe(path, { env });
  } catch (error) {
    if (error instanceof RecipeError) return error.message.split('\n').map((line) => line.replace(path, 'R'));
    throw error;
  }
  throw new Error('expected the recipe to be rejected');
}

describe('loadRecipe', () => {
  it('loads Plagger module names as aliases and fills global defaults', async () => {
    const s = recipeFile({
      'x.yaml': `plugins:
  - module: Subscription::Config
    config:
      feed:
        - https://a.example/feed
  - module: Aggregator::Simple
    disable: 1
  - module: Publish::Feed
`,
    });
    const recipe = await loadRecipe(s.path('x.yaml'), { env: {} });
    expect(recipe.name).toBe('x');
    expect(recipe.global.timezone).toBe('Asia/Tokyo');
    expect(recipe.global.stateDir).toBe(s.path('.kakehashi'));
    expect(recipe.plugins.map((p) => p.plugin.name)).toEqual(['Subscription::Config', 'Publish::Feed']);
    expect(recipe.plugins[0]!.origin).toBe(`${s.path('x.yaml')}:2:13`);
  });

  it('reports a bad config value at its line and column with its path', async () => {
    const s = recipeFile({
      'x.yaml': `global:
  timezone: Asia/Tokyo
plugins:
  - module: Subscription::Config
    config:
      feed:
        - url: not a url
`,
    });
    expect(await problemsOf(s.path('x.yaml'))).toEqual(['R:7:16: plugins[0].config.feed[0].url: expected a URL']);
  });

  it('suggests the nearest module name for a typo, and runs nothing', async () => {
    const s = recipeFile({ 'x.yaml': `plugins:\n  - module: Publish::Fed\n  - module: Subscription::Confg\n    config: {feed: [https://a.example/]}\n` });
    expect(await problemsOf(s.path('x.yaml'))).toEqual([
      'R:2:13: plugins[0].module: unknown module "Publish::Fed"; did you mean Publish::Feed? (kakehashi plugins lists them all)',
      expect.stringMatching(/^R:3:13: plugins\[1\]\.module: unknown module "Subscription::Confg"; did you mean Subscription::Config/),
    ]);
  });

  it('reports unknown keys, bad time zones and YAML syntax errors with positions', async () => {
    const s = recipeFile({
      'a.yaml': `global:\n  timezone: Mars/Olympus\n  colour: red\nplugins: []\n`,
      'b.yaml': `plugins:\n  - module: Publish::Feed\n    config: {name: [}\n`,
    });
    expect(await problemsOf(s.path('a.yaml'))).toEqual(['R:3:3: global: unknown key "colour"']);
    const syntax = await problemsOf(s.path('b.yaml'));
    expect(syntax[0]).toMatch(/^R:3:\d+: /);
    const zone = recipeFile({ 'c.yaml': `global:\n  timezone: Mars/Olympus\n` });
    expect(await problemsOf(zone.path('c.yaml'))).toEqual(['R:2:13: global.timezone: unknown time zone "Mars/Olympus"']);
  });

  it('interpolates ${ENV} values, keeps them as secrets, and names a missing variable', async () => {
    const s = recipeFile({
      'x.yaml': `plugins:\n  - module: Subscription::Config\n    config:\n      feed:\n        - https://a.example/feed?token=\${FEED_TOKEN}\n  - module: Publish::Feed\n    config:\n      name: \${NAME:-stream}\n`,
    });
    const recipe = await loadRecipe(s.path('x.yaml'), { env: { FEED_TOKEN: 's3cr3t-token' } });
    expect((recipe.plugins[0]!.config as { feed: string[] }).feed[0]).toBe('https://a.example/feed?token=s3cr3t-token');
    expect((recipe.plugins[1]!.config as { name: string }).name).toBe('stream');
    expect(recipe.secrets).toEqual(['s3cr3t-token']);
    expect(await problemsOf(s.path('x.yaml'))).toEqual(['R:5:11: plugins[0].config.feed[0]: environment variable FEED_TOKEN is not set']);
  });

  it('merges included files in order, and reports include cycles', async () => {
    const s = recipeFile({
      'common.yaml': `global:\n  timezone: UTC\nplugins:\n  - module: Subscription::Config\n    config: {feed: [https://a.example/]}\n`,
      'main.yaml': `include: common.yaml\nplugins:\n  - module: Publish::Feed\n`,
      'loop-a.yaml': `include: loop-b.yaml\n`,
      'loop-b.yaml': `include: loop-a.yaml\n`,
    });
    const recipe = await loadRecipe(s.path('main.yaml'), { env: {} });
    expect(recipe.global.timezone).toBe('UTC');
    expect(recipe.plugins.map((p) => p.plugin.name)).toEqual(['Subscription::Config', 'Publish::Feed']);
    expect((await problemsOf(s.path('loop-a.yaml')))[0]).toMatch(/include cycle/);
  });

  it('names the line of a rule error', async () => {
    const s = recipeFile({
      'x.yaml': `plugins:\n  - module: Publish::Feed\n    rule:\n      module: NoSuchRule\n`,
    });
    const [problem] = await problemsOf(s.path('x.yaml'));
    expect(problem).toMatch(/^R:[34]:\d+: plugins\[0\]\.rule/);
  });
});

describe('secrets', () => {
  it('treats values of credential-like variables or keys as secrets, and leaves base URLs readable', async () => {
    const s = recipeFile({
      'x.yaml': `plugins:\n  - module: Subscription::Config\n    config:\n      feed:\n        - url: \${BASE_URL}/feed\n          config: {password: "\${MIXI_PW}"}\n  - module: Publish::Feed\n`,
    });
    const recipe = await loadRecipe(s.path('x.yaml'), { env: { BASE_URL: 'http://127.0.0.1:8080', MIXI_PW: 'hunter2hunter2' } });
    expect(recipe.secrets).toEqual(['hunter2hunter2']);
  });
});

describe('secrets and paths', () => {
  it('does not hide the path of a cookies file', async () => {
    const s = recipeFile({ 'x.yaml': `plugins:\n  - module: Subscription::Config\n    config:\n      feed:\n        - url: https://a.example/\n          config: {cookies: "\${MIXI_COOKIES}", token: "\${API_TOKEN}"}\n` });
    const recipe = await loadRecipe(s.path('x.yaml'), { env: { MIXI_COOKIES: '/home/taro/mixi-cookies.txt', API_TOKEN: 'abcd1234' } });
    expect(recipe.secrets).toEqual(['abcd1234']);
  });
});
