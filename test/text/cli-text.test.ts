import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { textCommand } from '../../src/cli/text.js';

async function runText(args: string[], stdin = Buffer.alloc(0)) {
  let out = '';
  let err = '';
  const text = textCommand({ out: (t) => (out += t), err: (t) => (err += t), readStdin: async () => stdin });
  const program = new Command('kakehashi').addCommand(text);
  for (const command of [program, text, ...text.commands]) {
    command.exitOverride().configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  }
  let exitCode = 0;
  try {
    await program.parseAsync(['text', ...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    exitCode = error.exitCode;
  }
  return { out, err, exitCode };
}

const dir = mkdtempSync(join(tmpdir(), 'kakehashi-text-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kakehashi text date', () => {
  it('shows the instant in UTC and in the zone, the kind and the precision', async () => {
    const { out, exitCode } = await runText(['date', 'Fri, 30 May 2008 21:34:56 JST']);
    expect(exitCode).toBe(0);
    expect(out).toMatch(/^UTC:\s+2008-05-30T12:34:56Z$/m);
    expect(out).toMatch(/^Asia\/Tokyo:\s+2008-05-30T21:34:56\+09:00 {2}\(Fri, 30 May 2008 21:34:56 \+0900\)$/m);
    expect(out).toMatch(/^kind:\s+zoned \(the input says \+09:00\)$/m);
    expect(out).toMatch(/^precision:\s+second$/m);
  });

  it('reads a naive time in --zone and says so', async () => {
    const { out } = await runText(['date', '2008-05-30 21:34', '--zone', 'America/New_York']);
    expect(out).toMatch(/^UTC:\s+2008-05-31T01:34:00Z$/m);
    expect(out).toMatch(/^kind:\s+assumed \(naive time, read in America\/New_York\)$/m);
    expect(out).toMatch(/^precision:\s+minute$/m);
  });

  it('says what it could not read, with exit code 2', async () => {
    const bad = await runText(['date', 'Thu, 29 Feb 2007 10:00:00 GMT']);
    expect(bad.exitCode).toBe(2);
    expect(bad.err).toContain('not a date kakehashi can read: "Thu, 29 Feb 2007 10:00:00 GMT"');
    const zone = await runText(['date', '2008-05-30', '--zone', 'Mars/Olympus']);
    expect(zone.exitCode).toBe(2);
    expect(zone.err).toContain('unknown time zone "Mars/Olympus"');
  });
});

describe('kakehashi text repair', () => {
  it('repairs stdin to stdout and reports on stderr with --verbose', async () => {
    const broken = Buffer.from('タイトル: 縺薙ｓ縺ｫ縺｡縺ｯ\nCafé ok\n');
    const { out, err } = await runText(['repair', '--verbose'], broken);
    expect(out).toBe('タイトル: こんにちは\nCafé ok\n');
    expect(err).toBe('repaired: UTF-8 read as Shift_JIS\n');
  });

  it('passes clean text through byte for byte', async () => {
    const clean = 'ｶﾀｶﾅ “quotes” 〜～ ①\n';
    expect((await runText(['repair'], Buffer.from(clean))).out).toBe(clean);
  });
});

describe('kakehashi text decode', () => {
  it('decodes a file as a fetch would and explains the choice', async () => {
    const file = join(dir, 'feed.xml');
    writeFileSync(file, iconv.encode('<?xml version="1.0"?><rss><title>日本語のフィード</title></rss>', 'shift_jis'));
    const { out, err } = await runText(['decode', file, '--content-type', 'text/xml; charset=ISO-8859-1']);
    expect(out).toBe('<?xml version="1.0"?><rss><title>日本語のフィード</title></rss>');
    expect(err).toContain(`${file}: shift_jis, decided by detected (byte statistics)`);
    expect(err).toContain('HTTP charset "ISO-8859-1" (windows-1252) overridden');
  });

  it('names a missing file', async () => {
    const { err, exitCode } = await runText(['decode', join(dir, 'nope.xml')]);
    expect(exitCode).toBe(2);
    expect(err).toContain('nope.xml: no such file');
  });
});
