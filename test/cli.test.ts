import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { serveFiles } from './helpers/server.js';
import { scratch } from './helpers/tmp.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function workspace(files: Record<string, string | Buffer>) {
  const s = scratch(files);
  cleanups.push(s.cleanup);
  return s;
}

const goodFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://a.example/</link><description>d</description><item><guid>1</guid><title>ok</title><pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate></item></channel></rss>`;

describe('kakehashi CLI', () => {
  it('run: exit 0 and a summary naming sources, entries and outputs', async () => {
    const s = workspace({ 'feed.rss': goodFeed, 'r.yaml': `plugins:\n  - module: Source::Feed\n    config: {path: feed.rss}\n  - module: Publish::Feed\n` });
    const result = await cli('run', s.path('r.yaml'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^r: 1 source read, 0 failed; 1 entry in, 1 out;/);
    expect(result.out).toContain(`→ ${s.path('out/lifestream.rss')}`);
  });

  it('run: exit 1 when a source failed, naming it, with the rest published', async () => {
    const server = await serveFiles({ '/ok.rss': { body: goodFeed } });
    cleanups.push(() => server.close());
    const s = workspace({ 'r.yaml': `plugins:\n  - module: Subscription::Config\n    config: {feed: ["${server.url}/ok.rss", "${server.url}/gone.rss"]}\n  - module: Publish::Feed\n` });
    const result = await cli('run', s.path('r.yaml'));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`✗ Source::Feed ${server.url}/gone.rss: FAILED: HTTP 404 Not Found`);
    expect(result.out.indexOf('ok.rss')).toBeLessThan(result.out.indexOf('gone.rss'));
    expect(readFileSync(s.path('out/lifestream.rss'), 'utf8')).toContain('<title>ok</title>');
  });

  it('run: exit 2 on a bad recipe, with file:line:column, and nothing written', async () => {
    const s = workspace({ 'r.yaml': `plugins:\n  - module: Subscription::Config\n    config:\n      feed: [ftp//nope]\n  - module: Publish::Feed\n` });
    const result = await cli('run', s.path('r.yaml'));
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${s.path('r.yaml')}:4:14: plugins[0].config.feed[0]: expected a URL`);
    expect(result.err).toContain('nothing was run');
    expect(() => readFileSync(s.path('out/lifestream.rss'))).toThrow();
  });

  it('check: prints the plan in phase order with rules, and runs nothing', async () => {
    const s = workspace({
      'r.yaml': `plugins:\n  - module: Publish::Feed\n    rule: {title: {contains: 京都}}\n  - module: Aggregator::Simple\n    config: {url: "https://a.example/feed"}\n`,
    });
    const result = await cli('check', s.path('r.yaml'));
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    const source = lines.findIndex((l) => l.startsWith('source'));
    const publish = lines.findIndex((l) => l.startsWith('publish'));
    expect(source).toBeGreaterThan(0);
    expect(publish).toBeGreaterThan(source);
    expect(lines[source + 1]).toMatch(/Source::Feed \(as Aggregator::Simple\)/);
    expect(result.out).toMatch(/rule: .*京都/);
  });

  it('plugins: lists every plugin, and shows one config schema generated from its definition', async () => {
    const all = await cli('plugins');
    expect(all.out).toMatch(/subscription:\n {2}Subscription::Config/);
    expect(all.out).toContain('Publish::Feed (also Publish::RSS, Publish::Atom, Publish::JSONFeed)');
    const one = await cli('plugins', 'Publish::RSS');
    expect(one.out).toMatch(/^Publish::Feed \(publish\)/);
    expect(one.out).toMatch(/keep: integer = 200/);
    expect(one.out).toMatch(/formats: ("rss" \| "atom" \| "json")\[\]/);
    expect((await cli('plugins', 'Publish::Fead')).err).toContain('did you mean Publish::Feed');
  });

  it('inspect: tells the encoding and why, then the normalised entries', async () => {
    const s = workspace({
      'sjis.rss': iconv.encode(`<?xml version="1.0" encoding="Shift_JIS"?><rss version="2.0"><channel><title>古い</title><link>http://old.example/</link><description>d</description><item><title>ﾃｽﾄ①</title><pubDate>Fri, 30 May 2008 21:34:56 JST</pubDate></item></channel></rss>`, 'shift_jis'),
    });
    const result = await cli('inspect', s.path('sjis.rss'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/# encoding: (Shift_JIS|shift_jis|windows-31j|cp932) \(decided by .*XML declaration.*\)/i);
    const json = JSON.parse(result.out.slice(result.out.indexOf('['))) as Array<{ title: string; published: { epochMs: number; text: string } }>;
    expect(json[0]!.title).toBe('ﾃｽﾄ①');
    expect(json[0]!.published.epochMs).toBe(Date.UTC(2008, 4, 30, 12, 34, 56));
    expect(json[0]!.published.text).toBe('2008-05-30T21:34:56+09:00');
  });

  it('--help on each command, and exit 2 for an unknown command', async () => {
    for (const command of ['run', 'check', 'plugins', 'inspect']) {
      const result = await cli(command, '--help');
      expect(result.code).toBe(0);
      expect(result.out).toContain(`Usage: kakehashi ${command}`);
    }
    expect((await cli('frobnicate')).code).toBe(2);
  });

  it('commands from other modules (text, serve, worker, queue) are wired, with the same exit codes', async () => {
    const date = await cli('text', 'date', 'Fri, 30 May 2008 21:34:56 JST');
    expect(date.code).toBe(0);
    const badPort = await cli('serve', 'recipes/lifestream.yaml', '--port', 'abc');
    expect(badPort.code).toBe(2);
    expect(badPort.err).toContain("argument 'abc' is invalid");
    for (const command of ['worker', 'queue']) expect((await cli(command, '--help')).out).toContain(`Usage: kakehashi ${command}`);
  });

  it('loads neither the server nor the Redis queue for a command that does not use them', async () => {
    const run = promisify(execFile);
    const script = [
      "const { main } = await import('./src/cli.ts');",
      "await main(['check', 'recipes/lifestream.yaml']);",
      "const { createRequire } = await import('node:module');",
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      "console.log(JSON.stringify(['bullmq', 'ioredis', 'fastify'].filter((name) => loaded.some((path) => path.includes(`/node_modules/${name}/`)))));",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual([]);
  });

  it('the real process exits with the code', async () => {
    const s = workspace({ 'r.yaml': `plugins:\n  - module: Nope\n` });
    const run = promisify(execFile);
    const failure = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check', s.path('r.yaml')]).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('unknown module "Nope"');
  });
});
