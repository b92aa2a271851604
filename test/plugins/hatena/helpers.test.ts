import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodePercentEncoded, splitBookmarkComment } from '../../../src/plugins/source/hatena/common.js';
import { diaryKeyFromLink } from '../../../src/plugins/source/hatena/diary-links.js';
import { parseMovableTypeExport } from '../../../src/plugins/source/hatena/mt-export.js';
import { readXmlRecords, removeForbiddenXmlCharacters } from '../../../src/plugins/source/hatena/xml-records.js';

const percent = (bytes: Buffer): string => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

describe('decodePercentEncoded', () => {
  it('decodes UTF-8, EUC-JP and Shift_JIS percent-encoding without throwing', () => {
    const eucJp = percent(iconv.encode('はてな', 'EUC-JP'));
    expect(() => decodeURIComponent(eucJp)).toThrow(URIError);
    expect(decodePercentEncoded(eucJp)).toBe('はてな');
    expect(decodePercentEncoded(percent(Buffer.from('はてな', 'utf8')))).toBe('はてな');
    expect(decodePercentEncoded(percent(iconv.encode('ソフト', 'Shift_JIS')))).toBe('ソフト');
    expect(decodePercentEncoded('/keyword/%a4%cf%a4%c6%a4%ca?x=1')).toBe('/keyword/はてな?x=1');
  });

  it('gives back text it cannot decode as it was', () => {
    expect(decodePercentEncoded('%ff%ff%ff')).toBe('%ff%ff%ff');
    expect(decodePercentEncoded('100%')).toBe('100%');
  });
});

describe('splitBookmarkComment', () => {
  it('takes a leading [tag] run off the comment', () => {
    expect(splitBookmarkComment(' [regex][memo]後方参照')).toEqual({ comment: '後方参照', tags: ['regex', 'memo'] });
    expect(splitBookmarkComment('あとで読む')).toEqual({ comment: 'あとで読む', tags: [] });
    expect(splitBookmarkComment('[あとで読む]')).toEqual({ comment: '', tags: ['あとで読む'] });
    expect(splitBookmarkComment('配列 a[0] の話')).toEqual({ comment: '配列 a[0] の話', tags: [] });
  });
});

describe('removeForbiddenXmlCharacters', () => {
  it('removes &#65535;, &#xFFFE;, &#1; and raw control bytes, keeping tabs and newlines', () => {
    const cleaned = removeForbiddenXmlCharacters('a&#65535;b\n&#xFFFE;c\u001c\td&#1;e&#12354;&#x3042;');
    expect(cleaned).toEqual({ text: 'ab\nc\tde&#12354;&#x3042;', removed: 4, firstLine: 1 });
  });

  it('reports the first line with a removal', () => {
    expect(removeForbiddenXmlCharacters('ok\nok\nbad\u0001').firstLine).toBe(3);
  });
});

describe('readXmlRecords', () => {
  it('reads well-formed records around a broken one and names its line', () => {
    const text = '<diary>\n<day date="1"><body>a</body></day>\n<day date="2"><body>b</bdy></day>\n<day date="3"><body>c &amp; d</body></day>\n</diary>';
    const { records, problems } = readXmlRecords(text, 'day', 'diary');
    expect(records.map((r) => [r.attributes.date, r.text])).toEqual([
      ['1', 'a'],
      ['3', 'c & d'],
    ]);
    expect(problems).toEqual([{ message: 'malformed XML (unexpected close tag); this record is skipped', line: 3, column: 28 }]);
  });

  it('says when a file is not the export it should be', () => {
    expect(readXmlRecords('<html><body>nope</body></html>', 'day', 'diary').problems).toEqual([
      { message: 'no <diary> element: this is not a diary export', line: 1, column: 1 },
    ]);
  });

  it('notices a file cut between records', () => {
    const { records, problems } = readXmlRecords('<diary>\n<day date="1"><body>a</body></day>\n', 'day', 'diary');
    expect(records).toHaveLength(1);
    expect(problems).toEqual([{ message: 'the file ends without </diary>: it looks truncated after the last complete <day>', line: 3, column: 1 }]);
  });
});

describe('parseMovableTypeExport', () => {
  it('reads header fields, sections and comments, with CRLF line ends', () => {
    const text = 'TITLE: a\r\nCATEGORY: x\r\nCATEGORY: y\r\n-----\r\nBODY:\r\n<p>1</p>\r\n\r\n<p>2</p>\r\n-----\r\nCOMMENT:\r\nAUTHOR: h\r\nDATE: 01/06/2026 08:00:00\r\nhi\r\n-----\r\n--------\r\n';
    const { entries, problems } = parseMovableTypeExport(text);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        fields: { TITLE: ['a'], CATEGORY: ['x', 'y'] },
        body: '<p>1</p>\n\n<p>2</p>',
        comments: [{ author: 'h', date: '01/06/2026 08:00:00', body: 'hi', line: 10 }],
        line: 1,
      },
    ]);
  });

  it('reports a stray line with its number and goes on', () => {
    const { entries, problems } = parseMovableTypeExport('TITLE: a\nthis is not a field\n-----\nBODY:\nx\n-----\n--------\n');
    expect(entries.map((e) => e.body)).toEqual(['x']);
    expect(problems).toEqual([{ message: 'expected a KEY: value line but found "this is not a field"; line ignored', line: 2, column: 1 }]);
  });
});

describe('diaryKeyFromLink', () => {
  it('finds user, day and anchor in old and migrated diary links', () => {
    expect(diaryKeyFromLink('http://d.hatena.ne.jp/taro/20080530/1212150896')).toEqual({ user: 'taro', compactDate: '20080530', anchor: '1212150896' });
    expect(diaryKeyFromLink('http://d.hatena.ne.jp/taro/20080530#p1')).toEqual({ user: 'taro', compactDate: '20080530', anchor: 'p1' });
    expect(diaryKeyFromLink('http://d.hatena.ne.jp/taro/20080530')).toEqual({ user: 'taro', compactDate: '20080530' });
    expect(diaryKeyFromLink('https://taro.hatenadiary.jp/entry/20080530/1212150896')).toEqual({ user: 'taro', compactDate: '20080530', anchor: '1212150896' });
    expect(diaryKeyFromLink('https://example.com/entry/20080530/1212150896')).toBeUndefined();
    expect(diaryKeyFromLink('https://example.com/blog/post')).toBeUndefined();
    expect(diaryKeyFromLink('not a url')).toBeUndefined();
  });
});
