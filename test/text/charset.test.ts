import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { charsetFromContentType, decode, detectEncoding, encodingForLabel, htmlMetaLabel, xmlDeclarationLabel } from '../../src/text/charset.js';
import { encodeText } from './encoders.js';

const ascii = (text: string) => Buffer.from(text, 'latin1');
const concat = (...parts: Uint8Array[]) => Buffer.concat(parts);

describe('encodingForLabel', () => {
  it.each([
    ['Shift_JIS', 'shift_jis'],
    ['shift-jis', 'shift_jis'],
    ['x-sjis', 'shift_jis'],
    ['SJIS', 'shift_jis'],
    ['Windows-31J', 'shift_jis'],
    ['CP932', 'shift_jis'],
    ['MS932', 'shift_jis'],
    ['EUC-JP', 'euc-jp'],
    ['EUC_JP', 'euc-jp'],
    ['eucjp', 'euc-jp'],
    ['x-euc-jp', 'euc-jp'],
    ['eucJP-ms', 'euc-jp'],
    ['ISO-2022-JP', 'iso-2022-jp'],
    ['ISO-8859-1', 'windows-1252'],
    ['latin1', 'windows-1252'],
    ['US-ASCII', 'windows-1252'],
    ['ascii', 'windows-1252'],
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    ['"utf-8"', 'utf-8'],
    ['UTF-16', 'utf-16le'],
    ['UTF-16BE', 'utf-16be'],
  ])('%s → %s', (label, expected) => {
    expect(encodingForLabel(label)).toBe(expected);
  });

  it('knows no made-up label', () => {
    expect(encodingForLabel('x-klingon')).toBeUndefined();
    expect(encodingForLabel('')).toBeUndefined();
  });
});

describe('declarations', () => {
  it('reads the charset parameter of a Content-Type', () => {
    expect(charsetFromContentType('text/xml; charset=Shift_JIS')).toBe('Shift_JIS');
    expect(charsetFromContentType('text/html;charset="EUC-JP"')).toBe('EUC-JP');
    expect(charsetFromContentType('application/rss+xml')).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });

  it('reads the XML declaration only at the start', () => {
    expect(xmlDeclarationLabel(ascii(`<?xml version="1.0" encoding='EUC-JP'?><rss/>`))).toBe('EUC-JP');
    expect(xmlDeclarationLabel(ascii(`<?xml version="1.0"?><rss/>`))).toBeUndefined();
    expect(xmlDeclarationLabel(ascii(`<rss><?xml version="1.0" encoding="EUC-JP"?></rss>`))).toBeUndefined();
  });

  it('prescans HTML meta, skipping comments', () => {
    expect(htmlMetaLabel(ascii('<html><head><meta charset="euc-jp"><title>x</title>'))).toBe('euc-jp');
    expect(htmlMetaLabel(ascii('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'))).toBe('Shift_JIS');
    expect(htmlMetaLabel(ascii('<!-- <meta charset="utf-8"> --><META HTTP-EQUIV="content-type" CONTENT="text/html;charset=EUC-JP">'))).toBe('EUC-JP');
    expect(htmlMetaLabel(ascii(`${' '.repeat(1100)}<meta charset="euc-jp">`))).toBeUndefined();
  });
});

describe('decode', () => {
  const text = '今日は東京で「架け橋」のテストをしました。ｶﾀｶﾅもあります。';

  it('takes UTF-8 as declared', () => {
    const result = decode(Buffer.from(text), { contentType: 'application/rss+xml; charset=UTF-8' });
    expect(result).toEqual({ text, encoding: 'utf-8', decidedBy: 'HTTP charset', overrides: [] });
  });

  it('strips a BOM and lets it beat every declaration, saying so', () => {
    const body = concat(Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="Shift_JIS"?><t>${text}</t>`));
    const result = decode(body, { contentType: 'text/xml; charset=EUC-JP', kind: 'xml' });
    expect(result.text).toBe(`<?xml version="1.0" encoding="Shift_JIS"?><t>${text}</t>`);
    expect(result.decidedBy).toBe('BOM');
    expect(result.overrides.join('\n')).toMatch(/EUC-JP.*BOM/);
    expect(result.overrides.join('\n')).toMatch(/Shift_JIS.*BOM/);
  });

  it('overrides an ISO-8859-1 header over Shift_JIS bytes', () => {
    const result = decode(iconv.encode(text, 'shift_jis'), { contentType: 'text/xml; charset=ISO-8859-1' });
    expect(result.text).toBe(text);
    expect(result.encoding).toBe('shift_jis');
    expect(result.overrides).toEqual([expect.stringMatching(/ISO-8859-1.*overridden/)]);
  });

  it('keeps an ISO-8859-1 header over Western text', () => {
    const western = 'Café crème, naïve résumé — “Straße” über Ørsted';
    const result = decode(iconv.encode(western, 'windows-1252'), { contentType: 'text/html; charset=ISO-8859-1' });
    expect(result.text).toBe(western);
    expect(result.encoding).toBe('windows-1252');
    expect(result.overrides).toEqual([]);
  });

  it('lets a valid XML declaration win over an HTTP charset the bytes are invalid in', () => {
    const body = concat(ascii('<?xml version="1.0" encoding="EUC-JP"?>\n<rss><title>'), iconv.encode(text, 'euc-jp'), ascii('</title></rss>'));
    const result = decode(body, { contentType: 'application/xml; charset=UTF-8', kind: 'xml' });
    expect(result.text).toContain(text);
    expect(result.decidedBy).toBe('XML declaration');
    expect(result.overrides).toEqual([expect.stringMatching(/HTTP charset "UTF-8".*not valid/)]);
  });

  it('detects when the declaration lies too', () => {
    const body = concat(ascii('<?xml version="1.0" encoding="UTF-8"?>\n<rss><title>'), iconv.encode(text, 'shift_jis'), ascii('</title></rss>'));
    const result = decode(body, { contentType: 'text/xml', kind: 'xml' });
    expect(result.text).toContain(text);
    expect(result.encoding).toBe('shift_jis');
    expect(result.decidedBy).toMatch(/^detected/);
    expect(result.overrides).toEqual([expect.stringMatching(/XML declaration "UTF-8".*not valid/)]);
  });

  it('decodes NEC and IBM extension characters from Shift_JIS and EUC-JP', () => {
    const vendor = '①②③㈱㈲№髙﨑纊ⅰⅱ';
    expect(decode(iconv.encode(vendor, 'shift_jis'), { contentType: 'text/plain; charset=Shift_JIS' }).text).toBe(vendor);
    expect(decode(iconv.encode(vendor, 'euc-jp'), { contentType: 'text/plain; charset=EUC-JP' }).text).toBe(vendor);
    expect(decode(iconv.encode(`髙橋さんの①番目の記事`, 'shift_jis')).text).toBe('髙橋さんの①番目の記事');
    expect(decode(iconv.encode(`髙橋さんの①番目の記事`, 'euc-jp')).text).toBe('髙橋さんの①番目の記事');
  });

  it('decodes undeclared ISO-2022-JP, also under a UTF-8 label', () => {
    const bytes = encodeText(text, 'iso-2022-jp');
    expect(decode(bytes).text).toBe(text);
    const labelled = decode(bytes, { contentType: 'text/plain; charset=utf-8' });
    expect(labelled.text).toBe(text);
    expect(labelled.overrides).toEqual([expect.stringMatching(/"utf-8".*iso-2022-jp/)]);
  });

  it.each(['utf-16le', 'utf-16be'])('decodes %s with and without a BOM', (encoding) => {
    const xml = `<?xml version="1.0" encoding="UTF-16"?><title>${text}</title>`;
    const bom = encoding === 'utf-16le' ? [0xff, 0xfe] : [0xfe, 0xff];
    expect(decode(concat(Buffer.from(bom), iconv.encode(xml, encoding)), { kind: 'xml' })).toMatchObject({ text: xml, encoding, decidedBy: 'BOM' });
    expect(decode(iconv.encode(xml, encoding), { kind: 'xml' })).toMatchObject({ text: xml, encoding });
    expect(decode(iconv.encode('こんにちは、世界。', encoding))).toMatchObject({ text: 'こんにちは、世界。', encoding });
  });

  it('treats a UTF-16 label on single-byte bytes as the lie it is', () => {
    const result = decode(Buffer.from(`<?xml version="1.0" encoding="UTF-16"?><t>${text}</t>`), { kind: 'xml' });
    expect(result.encoding).toBe('utf-8');
    expect(result.text).toContain(text);
  });

  it('follows an HTML meta charset', () => {
    const html = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=EUC-JP"><title>${text}</title>`;
    const result = decode(iconv.encode(html, 'euc-jp'), { contentType: 'text/html', kind: 'html' });
    expect(result).toMatchObject({ text: html, encoding: 'euc-jp', decidedBy: 'HTML meta' });
  });

  it('overrides a Shift_JIS label on EUC-JP bytes that only happen to be valid Shift_JIS', () => {
    const euc = iconv.encode('こんにちは', 'euc-jp');
    expect(new TextDecoder('shift_jis', { fatal: true }).decode(euc)).not.toBe('こんにちは');
    const result = decode(euc, { contentType: 'text/plain; charset=Shift_JIS' });
    expect(result.text).toBe('こんにちは');
    expect(result.overrides).toEqual([expect.stringMatching(/Shift_JIS.*euc-jp/)]);
  });

  it('maps 〜 and − the JIS way when asked', () => {
    const bytes = Buffer.from([0x31, 0x30, 0x81, 0x60, 0x32, 0x30, 0x81, 0x7c]);
    expect(decode(bytes, { contentType: 'text/plain; charset=Shift_JIS' }).text).toBe('10～20－');
    expect(decode(bytes, { contentType: 'text/plain; charset=Shift_JIS', mapping: 'jis' }).text).toBe('10〜20−');
  });

  it('detects a long undeclared feed whose sample boundary cuts a character, and one with a bad byte', () => {
    const line = '今日は東京で「架け橋」のテストをしました。ｶﾀｶﾅもあります。\n';
    const long = line.repeat(Math.ceil(300_000 / Buffer.byteLength(line)) * 2);
    for (const encoding of ['shift_jis', 'euc-jp']) {
      const bytes = iconv.encode(long, encoding);
      expect(decode(bytes)).toMatchObject({ text: long, encoding });
      const damaged = Buffer.from(bytes);
      damaged[1000] = 0xff;
      expect(decode(damaged).encoding).toBe(encoding);
    }
  });

  it('keeps a short EUC-JP title under its own label even when it is also valid UTF-8', () => {
    const bytes = iconv.encode('檸檬', 'euc-jp');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).not.toBe('檸檬');
    expect(decode(bytes, { contentType: 'text/plain; charset=EUC-JP' }).text).toBe('檸檬');
  });

  it('takes NUL-patterned bytes as UTF-16 whatever an 8-bit label says', () => {
    const xml = '<?xml version="1.0"?><t>髙橋</t>';
    expect(decode(iconv.encode(xml, 'utf-16le'), { contentType: 'text/xml; charset=UTF-8', kind: 'xml' })).toMatchObject({ text: xml, encoding: 'utf-16le' });
  });

  it('returns empty text for an empty body', () => {
    expect(decode(new Uint8Array(0))).toMatchObject({ text: '', encoding: 'utf-8' });
  });
});

describe('detectEncoding on short texts', () => {
  const shortTexts = ['日本', 'こんにちは', 'ｺﾝﾆﾁﾊ', 'ｱｲｳｴ', 'ﾃｽﾄ', 'カタカナ', '東京都', 'テスト', '①㈱髙', 'ﾃｽﾄ中です', '新着情報'];
  it.each(shortTexts.flatMap((t) => ['shift_jis', 'euc-jp'].map((e) => [t, e] as const)))('%s in %s', (sample, encoding) => {
    expect(detectEncoding(iconv.encode(sample, encoding)).encoding).toBe(encoding);
  });
});
