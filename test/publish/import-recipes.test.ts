/**
 * The two one-off import recipes, run as a person runs them: `kakehashi run` on the recipe file
 * with the archive from the environment. The Mastodon import is killed half-way and run again:
 * it carries on where it was, and every tweet ends up posted exactly once.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/pipeline/run.js';
import { startFakeMastodon } from '../fixtures/destinations/mastodon.js';
import type { FakeMastodon } from '../fixtures/destinations/mastodon.js';
import { countLikeMastodon } from '../fixtures/destinations/mastodon.js';
import { scratch } from '../helpers/tmp.js';

const ARCHIVE = resolve('test/fixtures/twitter-archive/x-2024');
/** Own tweets and replies in the archive (the shipped sample and the fixture alike); the Mastodon recipe posts own tweets only. */
const TWEETS_IN_ARCHIVE = 6;
const OWN_TWEETS_IN_ARCHIVE = 5;

describe('recipes/import-twitter-archive-notes.yaml', () => {
  it('turns the sample archive it ships with into a notes feed and one Markdown file per tweet', async () => {
    const dir = scratch();
    const { TWITTER_ARCHIVE: _ignored, ...env } = process.env;
    try {
      const report = await runRecipe('recipes/import-twitter-archive-notes.yaml', {
        env: { ...env, NOTES_DIR: dir.path('site') },
        stateDir: dir.path('state'),
        outputDir: dir.path('out'),
      });
      expect(report.sources).toMatchObject([{ target: '../examples/twitter/sample-archive.zip', ok: true, entries: TWEETS_IN_ARCHIVE }]);
      expect(report.failures).toEqual([]);
      expect(report.deliveries.failed).toEqual([]);
      const rss = readFileSync(dir.path('out/twitter-notes.rss'), 'utf8');
      expect(rss.match(/<item>/g)).toHaveLength(TWEETS_IN_ARCHIVE);
      expect(rss).toMatch(/<pubDate>\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0900<\/pubDate>/);
      expect(rss).toContain('>原文</a></p>');
      const titles = [...rss.matchAll(/<item>\n<title>([^<]*)<\/title>/g)].map((m) => m[1]);
      expect(titles.every((title) => title!.length > 0)).toBe(true);
      const files = readdirSync(dir.path('site'));
      expect(files).toHaveLength(TWEETS_IN_ARCHIVE);
      for (const file of files) {
        const text = readFileSync(join(dir.path('site'), file), 'utf8');
        expect(text).toMatch(/^---\ntitle: .+\ndate: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00\noriginal: https:\/\/x\.com\/taro\/status\/\d+\n/);
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('recipes/import-twitter-archive-mastodon.yaml', () => {
  let instance: FakeMastodon | undefined;
  afterEach(async () => {
    await instance?.close();
  });

  function kakehashiRun(env: NodeJS.ProcessEnv, stateDir: string) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'run', 'recipes/import-twitter-archive-mastodon.yaml', '--state-dir', stateDir, '--quiet'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { child, exit, output: () => output };
  }

  it('stopped half-way and run again, posts every tweet exactly once', async () => {
    const token = 'import-token';
    const dir = scratch();
    let firstRun: ReturnType<typeof kakehashiRun> | undefined;
    instance = await startFakeMastodon({ token, answerDelayMs: 300 });
    const env = { TWITTER_ARCHIVE: ARCHIVE, MASTODON_INSTANCE: instance.url, MASTODON_TOKEN: token };
    try {
      firstRun = kakehashiRun(env, dir.path('state'));
      while (instance.statuses.length < 2) {
        if (firstRun.child.exitCode !== null) throw new Error(`the first run ended early:\n${firstRun.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      firstRun.child.kill('SIGKILL');
      await firstRun.exit;
      const postedBeforeStop = instance.statuses.length;
      expect(postedBeforeStop).toBeLessThan(OWN_TWEETS_IN_ARCHIVE);

      const secondRun = kakehashiRun(env, dir.path('state'));
      expect(await secondRun.exit).toBe(0);
      const texts = instance.statuses.map((s) => s.status);
      // Own tweets only (the recipe leaves replies and retweets out), each once.
      expect(texts).toHaveLength(OWN_TWEETS_IN_ARCHIVE);
      expect(new Set(texts).size).toBe(OWN_TWEETS_IN_ARCHIVE);
      const tweetLinks = texts.map((t) => /https:\/\/x\.com\/taro\/status\/\d+$/.exec(t)?.[0]);
      expect(tweetLinks.every(Boolean)).toBe(true);
      expect(new Set(tweetLinks).size).toBe(texts.length);
      expect(instance.statuses.every((s) => s.visibility === 'unlisted' && s.language === 'ja')).toBe(true);
      expect(texts.every((t) => countLikeMastodon(t) <= 500)).toBe(true);

      // A third run has nothing left to post.
      const thirdRun = kakehashiRun(env, dir.path('state'));
      expect(await thirdRun.exit).toBe(0);
      expect(instance.statuses.map((s) => s.status)).toEqual(texts);
    } finally {
      if (firstRun?.child.exitCode === null) firstRun.child.kill('SIGKILL');
      dir.cleanup();
    }
  }, 60_000);
});
