import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldedMarkup, foldedText, NearDuplicateIndex } from '../../src/plugins/smartfeed/merge/near-duplicates.js';
import { htmlToText } from '../../src/text/html.js';

const TEXT = '梅雨入りした京都を一日歩いた。鴨川の水が増えていて、傘を持つ手が冷たかった。';

function allPairs(index: NearDuplicateIndex, threshold: number): string[] {
  return [...index.pairs(threshold, () => true)].map(([a, b]) => `${a}-${b}`);
}

describe('NearDuplicateIndex', () => {
  it('yields each pair once though copies share every band, and leaves a full bucket out', () => {
    const index = new NearDuplicateIndex();
    // 64 is the bucket limit: the copies after it are boilerplate, not candidates.
    for (let id = 0; id < 70; id++) index.add(id, TEXT, 10);
    const pairs = allPairs(index, 0.8);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toHaveLength((64 * 63) / 2);
    expect(pairs.some((pair) => pair.endsWith('-64'))).toBe(false);
  });

  it('folds case, width, punctuation and URLs before comparing', () => {
    const index = new NearDuplicateIndex();
    index.add(1, `Kyoto 日記 ${TEXT}`, 10);
    index.add(2, `ＫＹＯＴＯ 日記 ${TEXT.replace(/。/g, '！')} HTTPS://Example.com/a`, 10);
    index.add(3, `kyoto日記${TEXT.replace(/[、。]/g, '')} http://t.co/x`, 10);
    expect(allPairs(index, 1)).toEqual(['1-2', '1-3', '2-3']);
  });

  it('does not take unrelated texts for copies', () => {
    const index = new NearDuplicateIndex();
    index.add(1, TEXT, 10);
    index.add(2, '今日は朝から会議が続いて、昼食を食べる時間もなかった。夜は映画を見に行く。', 10);
    expect(allPairs(index, 0.3)).toEqual([]);
  });

  it('reads a simple HTML body as its text, tags skipped in place, and leaves anything else to htmlToText', () => {
    const piece = fc.constantFrom(
      '京都', 'あいう', 'Kyoto', 'ABC', ' ', '\n', '。', '!', '<p>', '</p>', '<br>', '<br/>', '<div class="x">', '</div>',
      '<a href="https://example.com/a">', '</a>', '<', '>', 'a < b', 'https://t.co/x', 'HTTP://A.B/c', 'http', 'http://',
      '&amp;', '<!-- c -->', '<script>x</script>', '<style>p{}</style>', '日本語の文章です', '\u3000', 'é',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const html = pieces.join('');
        const folded = foldedMarkup(html);
        const text = htmlToText(html);
        if (folded !== undefined) expect(folded).toBe(text === '' ? '' : foldedText(text));
      }),
      { numRuns: 3000 },
    );
    expect(foldedMarkup('<p>京都を<b>歩いた</b></p>\n<p>Kyoto</p>')).toBe('京都を歩いたkyoto');
    expect(foldedMarkup('<p> </p><br>')).toBe('');
    expect(foldedMarkup('<p>a &amp; b</p>')).toBeUndefined();
  });

  it('cuts URLs out of plain text as the full fold does', () => {
    expect(foldedText('ブログ書いた: 京都 https://t.co/123 です')).toBe('ブログ書いた京都です');
    expect(foldedText('HTTPS://Example.com/a 京都')).toBe('京都');
    expect(foldedText('http:// 京都 http')).toBe('http京都http');
    expect(foldedText('見て https://example.com/日本\u3000京都')).toBe(foldedText('見て 京都'));
  });

  it('finds the same copies in an HTML body as in its text', () => {
    const html = `<p>${TEXT}</p><p>${TEXT.slice(0, 20)}</p>`;
    const index = new NearDuplicateIndex();
    expect(index.addMarkup(1, html, 10)).toBe('added');
    index.add(2, htmlToText(html), 10);
    expect(index.addMarkup(3, '<p> </p>', 10)).toBe('no text');
    expect(index.addMarkup(4, `<p>${TEXT}&amp;</p>`, 10)).toBe('not simple');
    expect(allPairs(index, 1)).toEqual(['1-2']);
  });
});
