import { describe, expect, it } from 'vitest';
import { parseCookiesTxt, readCookiesTxtFile } from '../../src/plugins/source/mixi/cookies-txt.js';
import { join } from 'node:path';
import { FIXTURES } from './fake-mixi.js';

describe('cookies.txt (Netscape format)', () => {
  it('reads domain, subdomain flag, path, secure, expiry, name, value and the #HttpOnly_ marker', () => {
    const text = [
      '# Netscape HTTP Cookie File',
      '',
      '.mixi.jp\tTRUE\t/\tTRUE\t1893456000\tBF_SESSION\tabc123',
      '#HttpOnly_mixi.jp\tFALSE\t/home\tFALSE\t0\tBF_STAMP\tdef',
      'mixi.jp\tFALSE\t/\tFALSE\t0\tempty_value',
    ].join('\r\n');
    const { cookies, warnings } = parseCookiesTxt(text, 'cookies.txt');
    expect(warnings).toEqual([]);
    expect(cookies.map((c) => [c.key, c.value, c.domain, c.hostOnly, c.path, c.secure, c.httpOnly, c.expiryTime()])).toEqual([
      ['BF_SESSION', 'abc123', 'mixi.jp', false, '/', true, false, 1893456000000],
      ['BF_STAMP', 'def', 'mixi.jp', true, '/home', false, true, Infinity],
      ['empty_value', '', 'mixi.jp', true, '/', false, false, Infinity],
    ]);
  });

  it('skips a malformed line and names it by line number', () => {
    const { cookies, warnings } = parseCookiesTxt('mixi.jp\tTRUE\t/\n.mixi.jp\tTRUE\t/\tFALSE\tsoon\tBF\tx\n.mixi.jp\tTRUE\t/\tFALSE\t0\tok\t1\n', 'c.txt');
    expect(cookies.map((c) => c.key)).toEqual(['ok']);
    expect(warnings).toEqual([
      'c.txt:1: expected 7 tab-separated fields, found 3; line skipped',
      'c.txt:2: no domain, no name or an expiry that is not a number; line skipped',
    ]);
  });

  it('gives a jar that sends the cookies to their host only', async () => {
    const { jar } = await readCookiesTxtFile(join(FIXTURES, 'cookies.txt'));
    expect(await jar.getCookieString('http://127.0.0.1:8080/list_diary.pl')).toBe(
      'BF_SESSION=123456_a1b2c3d4e5f6; BF_STAMP=7f8e9d0c1b2a; mixi_view_mode=pc',
    );
    expect(await jar.getCookieString('http://mixi.jp/list_diary.pl')).toBe('');
  });

  it('names the file it cannot read', async () => {
    await expect(readCookiesTxtFile('/nonexistent/cookies.txt')).rejects.toThrow('mixi: cannot read cookies file /nonexistent/cookies.txt: ENOENT');
  });
});
