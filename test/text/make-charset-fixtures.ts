/**
 * Writes test/fixtures/charset/: feeds and pages as bytes in the encodings real servers sent,
 * with the Content-Type each would be served with, listed in index.json with the text a reader
 * must get back. Bytes come from iconv-lite (Shift_JIS, EUC-JP, windows-1252, UTF-16) and from
 * ./encoders.ts (ISO-2022-JP), never from UTF-8 relabelled.
 *
 *   npx tsx test/text/make-charset-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { encodeIso2022Jp } from './encoders.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/charset/', import.meta.url));

export interface CharsetFixture {
  file: string;
  /** What the case is about, for the test name. */
  about: string;
  contentType: string;
  kind: 'xml' | 'html' | 'text';
  /** The encoding decode() must choose (WHATWG name). */
  encoding: string;
  /** How it must have decided: `BOM`, `HTTP charset`, `XML declaration`, `HTML meta` or `detected`. */
  decidedBy: string;
  /** Whether a declaration must be reported as overridden or ignored. */
  overridden: boolean;
  expected: string;
}

const rss = (encoding: string | undefined, title: string, item: string) =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?>\n` +
  `<rss version="2.0"><channel><title>${title}</title><link>https://example.jp/</link>\n` +
  `<item><title>${item}</title><link>https://example.jp/2008/05/30/1</link><pubDate>Fri, 30 May 2008 21:34:56 +0900</pubDate></item>\n` +
  `</channel></rss>\n`;

const html = (meta: string, body: string, title = 'たろうの日記') =>
  `<!DOCTYPE html>\n<html lang="ja"><head>${meta}<title>${title}</title></head>\n<body><h1>${body}</h1></body></html>\n`;

const BOM_UTF8 = Buffer.from([0xef, 0xbb, 0xbf]);
const BOM_UTF16LE = Buffer.from([0xff, 0xfe]);
const BOM_UTF16BE = Buffer.from([0xfe, 0xff]);

interface Case extends Omit<CharsetFixture, 'expected'> {
  text: string;
  bytes(text: string): Buffer;
}

const CASES: Case[] = [
  {
    file: 'latin1-header-over-sjis.xml',
    about: 'an Apache-style ISO-8859-1 header over an undeclared Shift_JIS feed',
    contentType: 'text/xml; charset=ISO-8859-1',
    kind: 'xml',
    encoding: 'shift_jis',
    decidedBy: 'detected',
    overridden: true,
    text: rss(undefined, 'たろうの日記', '今日は東京で「架け橋」のテストをしました。'),
    bytes: (t) => iconv.encode(t, 'shift_jis'),
  },
  {
    file: 'textxml-sjis-declaration.xml',
    about: 'text/xml without charset, Shift_JIS declared in the XML',
    contentType: 'text/xml',
    kind: 'xml',
    encoding: 'shift_jis',
    decidedBy: 'XML declaration',
    overridden: false,
    text: rss('Shift_JIS', 'はなこのブログ', '営業時間は10:00～19:00です（定休日：水曜日）'),
    bytes: (t) => iconv.encode(t, 'shift_jis'),
  },
  {
    file: 'halfwidth-sjis-undeclared.txt',
    about: 'undeclared Shift_JIS of half-width katakana only',
    contentType: 'text/plain',
    kind: 'text',
    encoding: 'shift_jis',
    decidedBy: 'detected',
    overridden: false,
    text: 'ｺﾝﾆﾁﾊ ｹｰﾀｲ ｶﾗ ﾃﾞｽ｡ ｾｰﾙ ﾁｭｳ!\n',
    bytes: (t) => iconv.encode(t, 'shift_jis'),
  },
  {
    file: 'eucjp-nec-ibm.xml',
    about: 'EUC-JP with NEC and IBM extension characters, declared in the XML',
    contentType: 'application/rss+xml',
    kind: 'xml',
    encoding: 'euc-jp',
    decidedBy: 'XML declaration',
    overridden: false,
    text: rss('EUC-JP', '㈱髙島商店', '第①回 﨑山さんと纊の字を調べる会 ㈲も ⅰⅱⅲ'),
    bytes: (t) => iconv.encode(t, 'euc-jp'),
  },
  {
    file: 'eucjp-nec-ibm-undeclared.txt',
    about: 'undeclared EUC-JP with NEC and IBM extension characters',
    contentType: 'text/plain',
    kind: 'text',
    encoding: 'euc-jp',
    decidedBy: 'detected',
    overridden: false,
    text: '髙橋さんの①番目の記事。㈱テスト商事の﨑山さんも来ました。\n',
    bytes: (t) => iconv.encode(t, 'euc-jp'),
  },
  {
    file: 'iso2022jp-undeclared.txt',
    about: 'undeclared ISO-2022-JP (a mail-to-feed gateway)',
    contentType: 'text/plain',
    kind: 'text',
    encoding: 'iso-2022-jp',
    decidedBy: 'detected',
    overridden: false,
    text: '件名: 会議のお知らせ\n明日は午後３時から第２会議室です。ｶﾀｶﾅもあります。\n',
    bytes: (t) => encodeIso2022Jp(t),
  },
  {
    file: 'utf8-bom-wrong-declaration.xml',
    about: 'a UTF-8 BOM before a Shift_JIS declaration and header',
    contentType: 'application/xml; charset=Shift_JIS',
    kind: 'xml',
    encoding: 'utf-8',
    decidedBy: 'BOM',
    overridden: true,
    text: rss('Shift_JIS', '架け橋', '絵文字も大丈夫🍣 〜 ～'),
    bytes: (t) => Buffer.concat([BOM_UTF8, Buffer.from(t, 'utf8')]),
  },
  {
    file: 'utf16le-bom.xml',
    about: 'UTF-16LE with a BOM',
    contentType: 'application/xml',
    kind: 'xml',
    encoding: 'utf-16le',
    decidedBy: 'BOM',
    overridden: false,
    text: rss('UTF-16', 'リトルエンディアン', '今日は晴れ。'),
    bytes: (t) => Buffer.concat([BOM_UTF16LE, iconv.encode(t, 'utf-16le')]),
  },
  {
    file: 'utf16be-bom.xml',
    about: 'UTF-16BE with a BOM',
    contentType: 'application/xml',
    kind: 'xml',
    encoding: 'utf-16be',
    decidedBy: 'BOM',
    overridden: false,
    text: rss('UTF-16', 'ビッグエンディアン', '明日は雨。'),
    bytes: (t) => Buffer.concat([BOM_UTF16BE, iconv.encode(t, 'utf-16be')]),
  },
  {
    file: 'utf16le-nobom.xml',
    about: 'UTF-16LE without a BOM',
    contentType: 'application/xml',
    kind: 'xml',
    encoding: 'utf-16le',
    decidedBy: 'detected',
    overridden: false,
    text: rss('UTF-16', 'BOMなし', 'ＢＯＭがなくても読める'),
    bytes: (t) => iconv.encode(t, 'utf-16le'),
  },
  {
    file: 'utf16be-nobom.xml',
    about: 'UTF-16BE without a BOM',
    contentType: 'application/xml',
    kind: 'xml',
    encoding: 'utf-16be',
    decidedBy: 'detected',
    overridden: false,
    text: rss('UTF-16', 'BOMなし', 'ビッグエンディアンでも読める'),
    bytes: (t) => iconv.encode(t, 'utf-16be'),
  },
  {
    file: 'html-meta-eucjp.html',
    about: 'an HTML page whose charset is only in <meta http-equiv>',
    contentType: 'text/html',
    kind: 'html',
    encoding: 'euc-jp',
    decidedBy: 'HTML meta',
    overridden: false,
    text: html('<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">', '2008年05月30日 21:34 の日記'),
    bytes: (t) => iconv.encode(t, 'euc-jp'),
  },
  {
    file: 'html-meta-charset-sjis.html',
    about: 'an HTML page with <meta charset="Shift_JIS">',
    contentType: 'text/html',
    kind: 'html',
    encoding: 'shift_jis',
    decidedBy: 'HTML meta',
    overridden: false,
    text: html('<meta charset="Shift_JIS">', 'ｹｰﾀｲ向けページ'),
    bytes: (t) => iconv.encode(t, 'shift_jis'),
  },
  {
    file: 'utf8-header-over-eucjp.xml',
    about: 'a UTF-8 server default over an EUC-JP feed that declares EUC-JP',
    contentType: 'application/rss+xml; charset=UTF-8',
    kind: 'xml',
    encoding: 'euc-jp',
    decidedBy: 'XML declaration',
    overridden: true,
    text: rss('EUC-JP', 'はてなダイアリー', '桜が満開で、公園はお花見の人でいっぱいでした'),
    bytes: (t) => iconv.encode(t, 'euc-jp'),
  },
  {
    file: 'sjis-header-over-eucjp.html',
    about: 'a Shift_JIS header over an EUC-JP page (bytes valid in both)',
    contentType: 'text/html; charset=Shift_JIS',
    kind: 'html',
    encoding: 'euc-jp',
    decidedBy: 'HTML meta',
    overridden: true,
    text: html('<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">', 'こんにちは、みなさん'),
    bytes: (t) => iconv.encode(t, 'euc-jp'),
  },
  {
    file: 'x-sjis-label.xml',
    about: 'the old x-sjis label in the header',
    contentType: 'text/xml; charset=x-sjis',
    kind: 'xml',
    encoding: 'shift_jis',
    decidedBy: 'HTTP charset',
    overridden: false,
    text: rss(undefined, '古いサーバー', '①～⑳の丸数字'),
    bytes: (t) => iconv.encode(t, 'shift_jis'),
  },
  {
    file: 'latin1-header-over-utf8.xml',
    about: 'an ISO-8859-1 header over a UTF-8 feed',
    contentType: 'application/rss+xml; charset=ISO-8859-1',
    kind: 'xml',
    encoding: 'utf-8',
    decidedBy: 'detected',
    overridden: true,
    text: rss(undefined, 'ニュース', '日経平均株価は一時、300円以上値上がりしました。'),
    bytes: (t) => Buffer.from(t, 'utf8'),
  },
  {
    file: 'latin1-western.html',
    about: 'an ISO-8859-1 header over a real Western page (kept)',
    contentType: 'text/html; charset=ISO-8859-1',
    kind: 'html',
    encoding: 'windows-1252',
    decidedBy: 'HTTP charset',
    overridden: false,
    text: html('', 'Café crème — “Straße” über Ørsted, naïve résumé', 'Journal de Zoë'),
    bytes: (t) => iconv.encode(t, 'windows-1252'),
  },
  {
    file: 'short-sjis-title.txt',
    about: 'a two-character undeclared Shift_JIS title',
    contentType: 'text/plain',
    kind: 'text',
    encoding: 'shift_jis',
    decidedBy: 'detected',
    overridden: false,
    text: '日記',
    bytes: (t) => iconv.encode(t, 'shift_jis'),
  },
  {
    file: 'short-eucjp-title.txt',
    about: 'a two-character undeclared EUC-JP title',
    contentType: 'text/plain',
    kind: 'text',
    encoding: 'euc-jp',
    decidedBy: 'detected',
    overridden: false,
    text: '日記',
    bytes: (t) => iconv.encode(t, 'euc-jp'),
  },
];

export function writeCharsetFixtures(): CharsetFixture[] {
  const index: CharsetFixture[] = [];
  for (const { text, bytes, ...fixture } of CASES) {
    const encoded = bytes(text);
    if (fixture.encoding !== 'iso-2022-jp' && iconv.decode(encoded, fixture.encoding === 'windows-1252' ? 'windows-1252' : fixture.encoding).replace(/^\uFEFF/, '') !== text) {
      throw new Error(`${fixture.file}: "${text}" does not survive ${fixture.encoding}`);
    }
    writeFileSync(`${FIXTURE_DIR}${fixture.file}`, encoded);
    index.push({ ...fixture, expected: text });
  }
  writeFileSync(`${FIXTURE_DIR}index.json`, `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`wrote ${writeCharsetFixtures().length} fixtures to ${FIXTURE_DIR}`);
}
