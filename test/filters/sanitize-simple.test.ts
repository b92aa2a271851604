import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeWithPolicy } from '../../src/plugins/filter/sanitize/policy.js';
import { sanitizeSimpleHtml } from '../../src/plugins/filter/sanitize/simple.js';

const BASE = 'https://taro.hatenablog.com/entry/2008/05/30/213400';
const payloads = readFileSync(new URL('../fixtures/xss/payloads.txt', import.meta.url), 'utf8')
  .split(/\n----\n/)
  .map((p) => p.trim())
  .filter(Boolean);

/** The fast path may decline; when it answers, it must answer exactly what sanitize-html does. */
function agrees(html: string, base: string | undefined = BASE): boolean {
  const fast = sanitizeSimpleHtml(html, base);
  if (fast !== undefined) expect(fast, html).toBe(sanitizeWithPolicy(html, base ? { baseUrl: base } : {}));
  return fast !== undefined;
}

const TAGS = ['p', 'a', 'img', 'br', 'hr', 'div', 'span', 'b', 'strong', 'em', 'i', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote', 'q', 'pre', 'code',
  'h1', 'h2', 'h3', 'ruby', 'rb', 'rt', 'rp', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'abbr', 'time', 'del', 'ins', 'details', 'summary', 'figure',
  'figcaption', 'sub', 'sup', 'small', 'wbr', 'col', 'source', 'picture', 'menu', 'section', 'font', 'center', 'script', 'style', 'iframe', 'svg',
  'textarea', 'title', 'noscript', 'object', 'math', 'P', 'A', 'Br'];
const NAMES = ['href', 'src', 'title', 'alt', 'width', 'height', 'lang', 'dir', 'class', 'style', 'onclick', 'onerror', 'rel', 'target', 'cite',
  'datetime', 'colspan', 'scope', 'start', 'reversed', 'loading', 'srcset', 'data-src', 'data-original', 'data-lazy-srcset', 'id', 'HREF', 'xlink:href'];
const VALUES = ['https://example.jp/a?b=1&amp;c=2', '/entry/2', '../31/next', '#top', '//evil.example/x', 'javascript:alert(1)', 'JaVaScRiPt:x',
  'java&#x09;script:x', 'data:image/gif;base64,R0lGOD', 'mailto:taro@example.jp', 'http://例え.jp/パス', ' https://spaces.example/ ', 'ja', 'rtl',
  '', '0', '100', 'a "quoted" title', "it's", '&lt;b&gt;', 'x &copy; y', '&#128;', 'blank.gif', 'https://img.example/a.png 2x', 'tab\there', '&'];
const TEXTS = ['今日は京都', ' ', '\n', '\r\n', 'a & b', '&amp;', '&lt;script&gt;', '&nbsp;', '&copy;', '&#39;', '&#x1F600;', '&#0;', '&#128;',
  '&#xD800;', '&amp', '1 < 2', '3 > 2', '"quoted"', "'single'", 'x\u0000y', '<', '<!-- c -->', '<![CDATA[x]]>', '<?php ?>', '</', '< p>', '<p/>',
  '<br/>', '<br >', 'ｱｲｳ', '😀', '\u00a0', '&#x41;', '&#65;', '&AMP;', '&quot;'];

/** Tags and attributes the fast path takes, drawn more often so their corner cases meet. */
const COMMON_TAGS = ['p', 'a', 'img', 'br', 'li', 'ul', 'div', 'span', 'b', 'blockquote', 'ruby', 'rt', 'rp', 'table', 'tr', 'td', 'th', 'dl', 'dd', 'dt', 'h2'];
const COMMON_NAMES = ['href', 'src', 'alt', 'title', 'width', 'lang'];
const tagName = fc.oneof({ arbitrary: fc.constantFrom(...COMMON_TAGS), weight: 3 }, { arbitrary: fc.constantFrom(...TAGS), weight: 1 });
const attributeName = fc.oneof({ arbitrary: fc.constantFrom(...COMMON_NAMES), weight: 2 }, { arbitrary: fc.constantFrom(...NAMES), weight: 1 });

const attribute = fc
  .tuple(attributeName, fc.constantFrom(...VALUES), fc.constantFrom('"', "'", '', '"'), fc.constantFrom(' ', '\n', '  ', ' '))
  .map(([name, value, quote, space]) => (quote ? `${space}${name}=${quote}${quote === "'" ? value.replace(/'/g, '') : value.replace(/"/g, '')}${quote}` : `${space}${name}=${value.replace(/[\s"'>]/g, '')}`));

const tree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...TEXTS),
    fc
      .tuple(tagName, fc.array(attribute, { maxLength: 3 }), fc.array(tie('node'), { maxLength: 4 }), fc.boolean())
      .map(([tag, attributes, children, close]) => `<${tag}${attributes.join('')}>${children.join('')}${close ? `</${tag}>` : ''}`),
  ),
})).node;

/** Closed, mostly valid markup of the common tags: what the fast path answers, nested every way. */
const GOOD_VALUES = ['https://example.jp/a?b=1&amp;c=2', '/entry/2', '#top', 'ja', '', '100', 'a "q"', 'mailto:taro@example.jp', 'javascript:x'];
const simpleTree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'medium' },
    fc.constantFrom('文', ' ', 'a &amp; b', '1 > 0', '\n'),
    fc
      .tuple(
        fc.constantFrom(...COMMON_TAGS),
        fc.array(fc.tuple(fc.constantFrom(...COMMON_NAMES), fc.constantFrom(...GOOD_VALUES)), { maxLength: 3 }),
        fc.array(tie('node'), { maxLength: 3 }),
      )
      .map(([tag, attributes, children]) => {
        const open = `<${tag}${attributes.map(([n, v]) => ` ${n}="${v.replace(/"/g, '&quot;')}"`).join('')}>`;
        return tag === 'img' || tag === 'br' ? open : `${open}${children.join('')}</${tag}>`;
      }),
  ),
})).node;

const soup = fc.array(fc.oneof(fc.constantFrom(...TEXTS), tagName.map((t) => `<${t}>`), tagName.map((t) => `</${t}>`), attribute), {
  maxLength: 12,
}).map((parts) => parts.join(''));

describe('sanitizer fast path', () => {
  /** How many generated inputs the fast path answered; a property it passed by always declining would prove nothing. */
  function answeredOf(html: fc.Arbitrary<string>): number {
    let answered = 0;
    fc.assert(
      fc.property(html, fc.constantFrom(BASE, undefined), (input, base) => {
        if (agrees(input, base)) answered++;
      }),
      { numRuns: 6000 },
    );
    return answered;
  }

  it('answers as sanitize-html does for well-nested markup, or declines', () => {
    expect(answeredOf(fc.array(tree, { maxLength: 4 }).map((nodes) => nodes.join('')))).toBeGreaterThan(400);
  });

  it('answers as sanitize-html does for nested common markup, or declines', () => {
    expect(answeredOf(simpleTree)).toBeGreaterThan(600);
  });

  it('answers as sanitize-html does for tag soup, or declines', () => {
    expect(answeredOf(soup)).toBeGreaterThan(200);
  });

  it('answers as sanitize-html does for every XSS payload, or declines', () => {
    for (const payload of payloads) agrees(payload);
  });

  it('takes the ordinary markup of blogs and diaries, so the fast path is really used', () => {
    const ordinary = [
      '<p>今日は京都の鴨川沿いを歩いた。<a href="https://taro.example.jp/">ブログ</a>も更新した。</p>',
      '<p>一行目<br>二行目<br />三行目</p><p><img src="/images/kamo.jpg" alt="" width="640" height="480"></p>',
      '<div class="section"><h3><a href="/entry/2008/05/30">*</a>鴨川</h3><p>雨 &amp; 傘 &gt; 晴れ</p></div>',
      '<ul><li>一つ目</li><li><ruby>漢<rt>かん</rt>字<rt>じ</rt></ruby></li></ul><blockquote><p>引用</p></blockquote><pre><code>a &lt; b</code></pre>',
      '<p lang="ja" style="color:red" onclick="x()">style と handler は落ちる</p>',
      'ただのテキスト、タグなし',
    ];
    for (const html of ordinary) {
      const fast = sanitizeSimpleHtml(html, BASE);
      expect(fast, html).toBeDefined();
      expect(fast).toBe(sanitizeWithPolicy(html, { baseUrl: BASE }));
    }
    expect(sanitizeSimpleHtml(ordinary[2]!, BASE)).toContain('<a href="https://taro.hatenablog.com/entry/2008/05/30" rel="nofollow noopener noreferrer">');
  });

  it('declines what only the full sanitizer handles', () => {
    for (const html of ['<p>a<!-- x --></p>', '<p>unclosed', '<p><div>implied close</div></p>', '<img data-src="/a.png" src="blank.gif">', '<script>x</script>',
      '<a href="javascript:alert(1)">x</a>', '<P>upper</P>', '&copy; 2008', '<img srcset="/a.png 2x" src="/a.png">', '<a href=/unquoted>x</a>'])
      expect(sanitizeSimpleHtml(html, BASE), html).toBeUndefined();
  });
});
