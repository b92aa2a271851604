import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasText, hostOf, normalizePermalink, normalizePermalinkWithWhatwg } from '../../src/pipeline/urls.js';

describe('normalizePermalink gives two spellings of one page one key', () => {
  it.each([
    ['utm parameters', 'https://example.com/post?utm_source=twitter&utm_medium=social', 'https://example.com/post'],
    ['fbclid among real parameters', 'https://example.com/item?id=3&fbclid=IwAR0x&page=2', 'https://example.com/item?id=3&page=2'],
    ['parameter order', 'https://example.com/item?page=2&id=3', 'https://example.com/item?id=3&page=2'],
    ['http and https', 'http://example.com/post', 'https://example.com/post'],
    ['a trailing slash', 'https://example.com/post/', 'https://example.com/post'],
    ['the root', 'https://Example.COM/', 'https://example.com'],
    ['a fragment', 'https://example.com/post#comments', 'https://example.com/post'],
    ['an m. host', 'https://m.example.com/post', 'https://example.com/post'],
    ['a mobile. host', 'http://mobile.example.com/post', 'https://example.com/post'],
    ['a www. host', 'https://www.example.com/post', 'https://example.com/post'],
    ['a default port', 'https://example.com:443/post', 'https://example.com/post'],
    ['percent-escape case', 'https://example.com/%e6%97%a5', 'https://example.com/%E6%97%A5'],
    ['unescaped Japanese path', 'https://example.com/日記', 'https://example.com/%E6%97%A5%E8%A8%98'],
    ['twitter.com', 'https://twitter.com/Taro/status/1797000000000000001', 'https://x.com/taro/status/1797000000000000001'],
    ['mobile.twitter.com with share parameters', 'https://mobile.twitter.com/taro/status/12?s=20&t=abc', 'https://x.com/taro/status/12'],
    ['old statuses path', 'http://twitter.com/taro/statuses/824', 'https://x.com/taro/status/824'],
    ['a Nitter host', 'https://nitter.net/taro/status/1797000000000000001#m', 'https://x.com/taro/status/1797000000000000001'],
    ['another Nitter instance', 'https://nitter.poast.org/taro/status/5', 'https://x.com/taro/status/5'],
    ['x.com photo suffix', 'https://x.com/taro/status/5/photo/1', 'https://x.com/taro/status/5'],
    ['statuses in capitals', 'https://twitter.com/Taro/STATUSES/824', 'https://x.com/taro/status/824'],
    ['a path only like a status', 'https://twitter.com/taro/statusesx/824', 'https://x.com/taro/statusesx/824'],
    ['a status without an id', 'https://twitter.com/taro/status/', 'https://x.com/taro/status'],
    ['an empty user before status', 'https://twitter.com//status/5', 'https://x.com/status/5'],
    ['a host with a trailing dot', 'https://example.com./post', 'https://example.com/post'],
    ['old Hatena Diary', 'http://d.hatena.ne.jp/taro/20080530/1212150896', 'https://taro.hatenadiary.jp/entry/20080530/1212150896'],
    ['migrated Hatena Diary', 'https://taro.hatenadiary.jp/entry/20080530/1212150896', 'https://taro.hatenadiary.jp/entry/20080530/1212150896'],
    ['Hatena Blog host for a migrated diary', 'https://taro.hatenablog.com/entry/20080530/1212150896', 'https://taro.hatenadiary.jp/entry/20080530/1212150896'],
    ['old Hatena section anchor', 'http://d.hatena.ne.jp/taro/20080530#p1', 'https://taro.hatenadiary.jp/entry/20080530/p1'],
    ['old Hatena section path', 'http://d.hatena.ne.jp/taro/20080530/p2', 'https://taro.hatenadiary.jp/entry/20080530/p2'],
  ])('%s', (_what, input, expected) => {
    expect(normalizePermalink(input)).toBe(expected);
  });

  it('keeps what tells pages apart', () => {
    expect(normalizePermalink('https://example.com/a?id=1')).not.toBe(normalizePermalink('https://example.com/a?id=2'));
    expect(normalizePermalink('https://example.com/Post')).not.toBe(normalizePermalink('https://example.com/post'));
    expect(normalizePermalink('https://taro.hatenablog.com/entry/2024/06/01/213000')).toBe(
      'https://taro.hatenablog.com/entry/2024/06/01/213000',
    );
    expect(normalizePermalink('https://jiro.hatenadiary.jp/entry/20080530/1212150896')).not.toBe(
      normalizePermalink('http://d.hatena.ne.jp/taro/20080530/1212150896'),
    );
  });

  it('returns what is not an http URL unchanged', () => {
    expect(normalizePermalink('  tag:example.com,2008:1 ')).toBe('tag:example.com,2008:1');
    expect(normalizePermalink('not a url')).toBe('not a url');
    expect(normalizePermalink('mailto:taro@example.com')).toBe('mailto:taro@example.com');
  });

  it('is idempotent', () => {
    for (const url of ['http://m.example.com/a/?utm_x=1#f', 'http://d.hatena.ne.jp/taro/20080530#p1', 'https://nitter.net/Taro/status/9']) {
      const once = normalizePermalink(url);
      expect(normalizePermalink(once)).toBe(once);
    }
  });

  it('hostOf folds mobile hosts', () => {
    expect(hostOf('https://m.example.com/x')).toBe('example.com');
    expect(hostOf('nope')).toBeUndefined();
  });

  it('hostOf gives the host the WHATWG parser reads, mobile prefixes folded, on its fast path too', () => {
    const variants = fc.tuple(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.constantFrom('', '/', '/a/', '?x=1', '#p1', '/./a', ':8080/x', '//a'),
      fc.constantFrom('http://', 'https://', 'HTTP://WWW.', 'https://m.', 'https://www.m.'),
    );
    fc.assert(
      fc.property(variants, ([url, suffix, prefix]) => {
        const candidate = `${prefix}${url.replace(/^https?:\/\//, '')}${suffix}`;
        let host = new URL(candidate).hostname.replace(/\.$/, '');
        while (/^(?:m|mobile|sp|www)\.[^.]*\./.test(host)) host = host.slice(host.indexOf('.') + 1);
        expect(hostOf(candidate)).toBe(host);
      }),
      { numRuns: 2000 },
    );
    expect(hostOf('https://www.m.example.com/a/b')).toBe('example.com');
    expect(hostOf('https://example.com')).toBe('example.com');
  });

  it('gives what the WHATWG parser would give, on its fast path too', () => {
    const variants = fc.tuple(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.constantFrom('', '/', '?utm_source=x', '#p1', '/./a/../b', ':443', '?b=2&a=1&fbclid=z'),
      fc.constantFrom('http://', 'https://', 'HTTP://WWW.', 'https://m.'),
    );
    fc.assert(
      fc.property(variants, ([url, suffix, prefix]) => {
        const candidate = `${prefix}${url.replace(/^https?:\/\//, '')}${suffix}`;
        expect(normalizePermalink(candidate)).toBe(normalizePermalinkWithWhatwg(candidate));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hasText', () => {
  it('is what `text?.trim()` is as a condition', () => {
    for (const text of [undefined, '', ' ', '\t\n', '\u3000', '\u00a0x', ' https://example.com/', 'https://example.com/', '\ufeff', '日本', 'a']) {
      expect(hasText(text), JSON.stringify(text)).toBe(Boolean(text?.trim()));
    }
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), (text) => hasText(text) === Boolean(text?.trim())),
      { numRuns: 2000 },
    );
  });
});
