import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import sanitize, { sanitizeEntry, sanitizeHtmlFragment } from '../../src/plugins/filter/sanitize.js';
import { makeTestContext } from '../helpers/context.js';
import { BLOG, entryOf, feedOf } from '../rules/make.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/xss/${name}`, import.meta.url), 'utf8');
const payloads = fixture('payloads.txt').split(/\n----\n/).map((p) => p.trim()).filter(Boolean);
const BASE = 'https://taro.hatenablog.com/entry/2008/05/30/213400';

const FORBIDDEN_ELEMENTS =
  'script, style, iframe, frame, frameset, object, embed, applet, svg, math, form, input, button, textarea, select, link, meta, base, body, template, noscript, video, audio, marquee, isindex';
const URL_ATTRIBUTES = ['href', 'src', 'cite', 'action', 'formaction', 'background', 'dynsrc', 'lowsrc', 'poster', 'data', 'xlink:href'];

function problems(html: string): string[] {
  const found: string[] = [];
  const $ = cheerio.load(html, null, false);
  $(FORBIDDEN_ELEMENTS).each((_, element) => void found.push(`<${element.tagName}>`));
  $('*').each((_, element) => {
    const attributes: Record<string, string> = 'attribs' in element ? element.attribs : {};
    for (const [name, value] of Object.entries(attributes)) {
      if (/^on/i.test(name)) found.push(`${name} handler`);
      if (name === 'style') found.push('style attribute');
      if (URL_ATTRIBUTES.includes(name) && !/^(?:https?:\/\/|mailto:)/i.test(value)) found.push(`${name}=${value}`);
      if (name === 'srcset' && value.split(',').some((c) => !/^\s*https?:\/\//i.test(c))) found.push(`srcset=${value}`);
    }
  });
  if (/<\s*(?:script|iframe|svg|object|embed|style)/i.test(html)) found.push('raw tag');
  return found;
}

describe('Filter::Sanitize against the XSS corpus (test/fixtures/xss/payloads.txt)', () => {
  it('has the corpus', () => {
    expect(payloads.length).toBeGreaterThan(60);
    // The checker itself must see what it is looking for.
    expect(problems('<a href="javascript:x" onclick="y" style="z">a</a><script></script>')).toEqual(
      expect.arrayContaining(['onclick handler', 'style attribute', 'href=javascript:x', 'raw tag', '<script>']),
    );
  });

  it.each(payloads.map((payload, i) => [i + 1, payload]))('payload %i is defused', (_n, payload) => {
    const out = sanitizeHtmlFragment(payload as string, { baseUrl: BASE });
    expect(problems(out)).toEqual([]);
  });

  it('keeps ordinary HTML, with links made absolute and lazy images fixed', () => {
    expect(sanitizeHtmlFragment(fixture('kept.html'), { baseUrl: BASE }).trim()).toBe(fixture('kept.expected.html').trim());
  });
});

describe('sanitizeEntry', () => {
  it('cleans content and HTML summaries, resolves against the entry link, and leaves text alone', () => {
    const entry = entryOf({
      id: 'e',
      title: '<script> is the title, in plain text',
      link: BASE,
      content: '<p onclick="x()">hi <a href="../31/next">next</a><script>steal()</script></p>',
      summary: 'A & B < C: plain text',
    });
    const clean = sanitizeEntry(entry);
    expect(clean.content).toBe('<p>hi <a href="https://taro.hatenablog.com/entry/2008/05/31/next" rel="nofollow noopener noreferrer">next</a></p>');
    expect(clean.summary).toBe(entry.summary);
    expect(clean.title).toBe(entry.title);
    expect(entry.content).toContain('<script>');
  });

  it('falls back to the given base, then the feed page, and cleans the parts of a digest', () => {
    const part = entryOf({ id: 'p', title: 'part', content: '<img src="a.png" onerror="x()">' });
    const digest = entryOf({ id: 'd', title: 'digest', content: '<a href="/x">x</a>', parts: [part] }, { ...BLOG, feedLink: 'https://taro.hatenablog.com/' });
    const clean = sanitizeEntry(digest, { baseUrl: 'https://example.com/base/' });
    expect(clean.content).toBe('<a href="https://example.com/x" rel="nofollow noopener noreferrer">x</a>');
    expect(clean.parts[0]!.content).toBe('<img src="https://example.com/base/a.png" />');
    expect(sanitizeEntry({ ...digest, parts: [] }).content).toBe('<a href="https://taro.hatenablog.com/x" rel="nofollow noopener noreferrer">x</a>');
  });

  it('runs as a filter plugin with the feed page as base', async () => {
    const { ctx, close } = await makeTestContext(sanitize.config.parse(undefined));
    try {
      const entry = entryOf({ id: 'e', title: 't', content: '<a href="p/1" onmouseover="x">1</a>' }, { plugin: 'Source::Feed', feedId: 'f' });
      const out = await sanitize.entry!(entry, feedOf('f', [entry], { link: 'https://example.net/blog/' }), ctx);
      expect(out?.content).toBe('<a href="https://example.net/blog/p/1" rel="nofollow noopener noreferrer">1</a>');
    } finally {
      await close();
    }
  });
});
