import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { mayBeMojibake, repairMojibake, repairMojibakeDetailed } from '../../src/text/mojibake.js';
import { CORPUS_PATH, composeCorpus } from './corpus/generate.js';
import { HALFWIDTH_LINES, JAPANESE_SENTENCES, JAPANESE_TITLES, WESTERN_LINES } from './corpus/material.js';
import { CORRUPTIONS, exactlyRecoverable } from './corruptions.js';
import { encodeIso2022Jp } from './encoders.js';

const corpus = readFileSync(CORPUS_PATH, 'utf8').split('\n').slice(0, -1);
const texts = [...JAPANESE_SENTENCES, ...JAPANESE_TITLES, ...HALFWIDTH_LINES];

describe('repairMojibake on text corrupted through each path', () => {
  const exactPaths = [
    'UTF-8 read as windows-1252',
    'UTF-8 read as Latin-1',
    'UTF-8 read as windows-1252 twice',
    'UTF-8 read as Latin-1, then as windows-1252',
    'UTF-8 read as Shift_JIS',
    'Shift_JIS read as windows-1252',
    'Shift_JIS read as Latin-1',
    'EUC-JP read as Latin-1',
    'EUC-JP read as windows-1252',
    'EUC-JP read as Shift_JIS',
    'raw ISO-2022-JP',
  ];
  const cases = CORRUPTIONS.filter((path) => exactPaths.includes(path.name)).flatMap((path) =>
    texts
      .filter((text) => exactlyRecoverable(path, text))
      // Shift_JIS half-width katakana alone read as windows-1252 (ｺﾝﾆﾁﾊ → ºÝÆÁÊ) cannot be told
      // from genuine Latin-1 text: by design such stretches are left alone (README, "Text fidelity").
      // EUC-JP half-width katakana carries its SS2 byte and must come back.
      .filter((text) => !(path.name.startsWith('Shift_JIS') && /^[\uff61-\uff9f\s\u3002-\u300d\uff61-\uff65]+$/.test(text)))
      .map((text) => ({ path: path.name, text, corrupted: path.corrupt(text) })),
  );

  it('has cases for every path', () => {
    for (const name of exactPaths) expect(cases.filter((c) => c.path === name).length, name).toBeGreaterThan(10);
  });

  // Left alone by design, and said so in the README, "Text fidelity": runs of rare kanji with nothing
  // else (檸檬, a list of IBM extension kanji) read as windows-1252 look no more Japanese than
  // the Latin letters they became, and EUC-JP kanji read as Shift_JIS without a single kana
  // (雑記 → ｻｨｵｭ) look like genuine half-width katakana.
  // Half-width katakana with one kanji and no Japanese word (ﾎﾟｲﾝﾄ2倍) is left alone likewise.
  const rareKanjiOnly = new Set(['檸檬', '纊褜鍈銈蓜俉炻昱棈鋹曻彅丨仡仼伀伃伹佖侒侊侚侔俍偀倢俿倞偆偰偂傔僴僘兊', 'ﾎﾟｲﾝﾄ2倍']);
  // Kanji without kana whose EUC-JP bytes all lie in A1–DF (雑記 → »¨µ­) read as windows-1252
  // are byte for byte half-width katakana in Shift_JIS (ｻｨｵｭ): which one it was is a guess.
  const eucBytesInHalfwidthRange = (text: string) => [...iconv.encode(text, 'euc-jp')].every((b) => b < 0x80 || (b >= 0xa1 && b <= 0xdf));
  const exactCases = cases.filter(
    (c) =>
      !rareKanjiOnly.has(c.text) &&
      !(c.path === 'EUC-JP read as Shift_JIS' && !/[\u3040-\u30ff]/.test(c.text)) &&
      !(c.path.startsWith('EUC-JP read as') && !/[\u3040-\u30ff]/.test(c.text) && eucBytesInHalfwidthRange(c.text)),
  );
  it.each(exactCases)('$path: $corrupted', ({ text, corrupted }) => {
    expect(repairMojibake(corrupted)).toBe(text);
  });

  it('names what it undid', () => {
    expect(repairMojibakeDetailed('縺薙ｓ縺ｫ縺｡縺ｯ').repairs).toEqual(['UTF-8 read as Shift_JIS']);
    expect(repairMojibakeDetailed('‚±‚ñ‚É‚¿‚Í').repairs).toEqual(['Shift_JIS read as windows-1252']);
    expect(repairMojibakeDetailed('¤³¤ó¤Ë¤Á¤Ï').repairs).toEqual(['EUC-JP read as Latin-1']);
    expect(repairMojibakeDetailed('､ｳ､ﾋ､ﾁ､ﾏ').repairs).toEqual(['EUC-JP read as Shift_JIS']);
    const twice = repairMojibakeDetailed(Buffer.from(Buffer.from('日本', 'utf8').toString('latin1'), 'utf8').toString('latin1'));
    expect(twice).toEqual({ text: '日本', repairs: ['UTF-8 read as Latin-1', 'UTF-8 read as Latin-1'] });
    expect(repairMojibakeDetailed('こんにちは').repairs).toEqual([]);
  });

  it('repairs the examples of formats.md §6.1', () => {
    expect(repairMojibake('縺薙ｓ縺ｫ縺｡縺ｯ')).toBe('こんにちは');
    expect(repairMojibake('ã\u0081“ã‚“ã\u0081«ã\u0081¡ã\u0081¯')).toBe('こんにちは');
    expect(repairMojibake('ã\u0081\u0093ã\u0082\u0093ã\u0081«ã\u0081¡ã\u0081¯')).toBe('こんにちは');
    expect(repairMojibake('‚±‚ñ‚É‚¿‚Í')).toBe('こんにちは');
    expect(repairMojibake('¤³¤ó¤Ë¤Á¤Ï')).toBe('こんにちは');
    // As printed there, ん is already gone (its bytes read as a private-use character): the rest comes back.
    expect(repairMojibake('､ｳ､ﾋ､ﾁ､ﾏ')).toBe('こにちは');
    expect(repairMojibake('æ\u0097¥æ\u009c¬')).toBe('日本');
  });

  it('repairs the Latin letters beside Japanese once the Japanese has proven the path', () => {
    const text = 'New post: ご挨拶 © 2026 Example™, café, Zürich';
    expect(repairMojibake(new TextDecoder('shift_jis').decode(Buffer.from(text)))).toBe(text);
    const euc = 'テスト: Crème brûlée, SÃO PAULO';
    expect(repairMojibake(iconv.encode(euc, 'euc-jp').toString('latin1'))).toBe(euc);
  });

  it('brings back EUC-JP half-width katakana by its SS2 trace', () => {
    for (const text of ['ｺﾝﾆﾁﾊ', 'ﾃｨｰｼｬﾂ ｾｰﾙ中！']) {
      expect(repairMojibake(new TextDecoder('shift_jis').decode(iconv.encode(text, 'euc-jp')))).toBe(text);
      expect(repairMojibake(iconv.encode(text, 'euc-jp').toString('latin1'))).toBe(text);
    }
  });

  it('repairs only the broken part of a mixed title', () => {
    expect(repairMojibake('【新着】縺薙ｓ縺ｫ縺｡縺ｯ - https://example.jp/')).toBe('【新着】こんにちは - https://example.jp/');
    expect(repairMojibake('Hello ä¸–ç•Œ and ｶﾀｶﾅ 〜')).toBe('Hello 世界 and ｶﾀｶﾅ 〜');
  });

  it('decodes raw ISO-2022-JP, with or without its escape characters', () => {
    const raw = encodeIso2022Jp('件名：こんにちは').toString('latin1');
    expect(repairMojibake(`Subject: ${raw}`)).toBe('Subject: 件名：こんにちは');
    expect(repairMojibake(raw.replace(/\x1b/g, ''))).toBe('件名：こんにちは');
  });

  it('undoes double escaping, one level in HTML', () => {
    expect(repairMojibake('&amp;#12354;&amp;amp;')).toBe('あ&');
    expect(repairMojibake('Tom &amp;amp; Jerry &amp;#x3042;')).toBe('Tom & Jerry あ');
    expect(repairMojibake('<p>&amp;lt;b&amp;gt; &amp;#12354;</p>', { html: true })).toBe('<p>&lt;b&gt; &#12354;</p>');
    expect(repairMojibake('AT&amp;T')).toBe('AT&amp;T');
    expect(repairMojibake('&amp;notanentity;')).toBe('&amp;notanentity;');
  });
});

describe('where bytes were lost', () => {
  const lossy = CORRUPTIONS.flatMap((path) =>
    texts.map((text) => ({ path: path.name, text, corrupted: path.corrupt(text) })).filter(({ corrupted, text }) => corrupted !== text),
  );

  it('repairs what is certain and leaves one U+FFFD for what was lost', () => {
    expect(repairMojibake('譌･譛ｬ隱槭�繝�く繧ｹ繝医〒縺吶��')).toBe('日本語�ストです�');
    expect(repairMojibake('ã�“ã‚“ã�«')).toBe('�ん�');
  });

  it('never invents a character that is in neither the truth nor the input', () => {
    const invented = lossy.filter(({ text, corrupted }) => {
      const allowed = new Set([...text, ...corrupted, '\uFFFD']);
      return [...repairMojibake(corrupted)].some((char) => !allowed.has(char));
    });
    // Counted, not hidden: the accuracy script prints the same figure (bench/text-mojibake-accuracy.ts).
    expect(invented.length / lossy.length).toBeLessThan(0.01);
  });
});

describe('correct text stays exactly as it was', () => {
  it('uses a committed corpus of at least 5,000 lines, the one the generator writes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(5000);
    expect(corpus).toEqual(composeCorpus());
  });

  it('changes no line of the corpus', () => {
    const changed = corpus.filter((line) => repairMojibake(line) !== line);
    expect(changed).toEqual([]);
  });

  it('changes no line read as HTML either', () => {
    const changed = corpus.filter((line) => repairMojibake(line, { html: true }) !== line);
    expect(changed).toEqual([]);
  });

  it('keeps width, quotes and compatibility characters (no NFKC, no straightening)', () => {
    const delicate = 'ｶﾀｶﾅ ＡＢＣ１２３ “quoted” ‘single’ 〜～−－ ①㈱㌔ ﬁ ℃ Ⅻ';
    expect(repairMojibake(delicate)).toBe(delicate);
  });

  it('never changes any mix of corpus lines (property)', () => {
    const lines = fc.constantFrom(...corpus, ...WESTERN_LINES);
    fc.assert(
      fc.property(fc.array(lines, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '\n', '　'), (parts, separator) => {
        const text = parts.join(separator);
        expect(repairMojibake(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('lets most clean text through the fast path', () => {
    const fast = corpus.filter((line) => !mayBeMojibake(line)).length;
    expect(fast / corpus.length).toBeGreaterThan(0.7);
  });
});
