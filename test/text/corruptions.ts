/**
 * The corruption paths of formats.md §6.1, produced the way real software produces them: bytes
 * from iconv-lite or Buffer, read back with Node's TextDecoder (WHATWG), Buffer's Latin-1, or
 * windows-1252 as a browser reads it. Each path says how to tell whether a given text survived
 * it without losing bytes ("exactly recoverable"), so that tests and the accuracy script can hold
 * repair to exact results there and to "never invent" elsewhere.
 */
import iconv from 'iconv-lite';
import { decodeWindows1252 } from '../../src/text/charset.js';
import { encodeIso2022Jp } from './encoders.js';

export interface CorruptionPath {
  name: string;
  corrupt(text: string): string;
  /** The exact inverse, used only to decide whether the corruption lost bytes. */
  invert(corrupted: string): string | undefined;
}

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const read = (encoding: string, bytes: Uint8Array) => new TextDecoder(encoding).decode(bytes);
const strictUtf8 = (bytes: Uint8Array) => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
};
const encodeLossless = (text: string, encoding: string): Buffer | undefined => {
  const bytes = iconv.encode(text, encoding);
  return iconv.decode(bytes, encoding) === text ? bytes : undefined;
};
const latin1Bytes = (text: string) => (/^[\u0000-\u00ff]*$/.test(text) ? Buffer.from(text, 'latin1') : undefined);
/** windows-1252 with the five unassigned bytes kept as the C1 controls a browser shows for them. */
const windows1252Bytes = (text: string) => {
  const bytes = Buffer.from(Array.from(text, (char) => (char.charCodeAt(0) <= 0xff ? char.charCodeAt(0) : iconv.encode(char, 'windows-1252')[0]!)));
  return decodeWindows1252(bytes) === text ? bytes : undefined;
};

export const CORRUPTIONS: CorruptionPath[] = [
  {
    name: 'UTF-8 read as windows-1252',
    corrupt: (t) => decodeWindows1252(utf8(t)),
    invert: (c) => {
      const bytes = windows1252Bytes(c);
      return bytes && strictUtf8(bytes);
    },
  },
  {
    name: 'UTF-8 read as Latin-1',
    corrupt: (t) => utf8(t).toString('latin1'),
    invert: (c) => {
      const bytes = latin1Bytes(c);
      return bytes && strictUtf8(bytes);
    },
  },
  {
    name: 'UTF-8 read as windows-1252 twice',
    corrupt: (t) => decodeWindows1252(utf8(decodeWindows1252(utf8(t)))),
    invert: (c) => {
      const once = windows1252Bytes(c);
      const middle = once && strictUtf8(once);
      const twice = middle === undefined ? undefined : windows1252Bytes(middle);
      return twice && strictUtf8(twice);
    },
  },
  {
    name: 'UTF-8 read as Latin-1, then as windows-1252',
    corrupt: (t) => decodeWindows1252(utf8(utf8(t).toString('latin1'))),
    invert: (c) => {
      const once = windows1252Bytes(c);
      const middle = once && strictUtf8(once);
      const twice = middle === undefined ? undefined : latin1Bytes(middle);
      return twice && strictUtf8(twice);
    },
  },
  {
    name: 'UTF-8 read as Shift_JIS',
    corrupt: (t) => read('shift_jis', utf8(t)),
    invert: (c) => {
      const bytes = c.includes('\uFFFD') ? undefined : encodeLossless(c, 'cp932');
      return bytes && strictUtf8(bytes);
    },
  },
  {
    name: 'UTF-8 read as EUC-JP',
    corrupt: (t) => read('euc-jp', utf8(t)),
    invert: (c) => {
      const bytes = c.includes('\uFFFD') ? undefined : encodeLossless(c, 'euc-jp');
      return bytes && strictUtf8(bytes);
    },
  },
  {
    name: 'Shift_JIS read as windows-1252',
    corrupt: (t) => decodeWindows1252(iconv.encode(t, 'cp932')),
    invert: (c) => {
      const bytes = windows1252Bytes(c);
      return bytes && read('shift_jis', bytes);
    },
  },
  {
    name: 'Shift_JIS read as Latin-1',
    corrupt: (t) => iconv.encode(t, 'cp932').toString('latin1'),
    invert: (c) => {
      const bytes = latin1Bytes(c);
      return bytes && read('shift_jis', bytes);
    },
  },
  {
    name: 'EUC-JP read as Latin-1',
    corrupt: (t) => iconv.encode(t, 'euc-jp').toString('latin1'),
    invert: (c) => {
      const bytes = latin1Bytes(c);
      return bytes && read('euc-jp', bytes);
    },
  },
  {
    name: 'EUC-JP read as windows-1252',
    corrupt: (t) => decodeWindows1252(iconv.encode(t, 'euc-jp')),
    invert: (c) => {
      const bytes = windows1252Bytes(c);
      return bytes && read('euc-jp', bytes);
    },
  },
  {
    name: 'EUC-JP read as Shift_JIS',
    corrupt: (t) => read('shift_jis', iconv.encode(t, 'euc-jp')),
    invert: (c) => {
      const bytes = c.includes('\uFFFD') ? undefined : encodeLossless(c, 'cp932');
      return bytes && read('euc-jp', bytes);
    },
  },
  {
    name: 'Shift_JIS read as EUC-JP',
    corrupt: (t) => read('euc-jp', iconv.encode(t, 'cp932')),
    invert: (c) => {
      const bytes = c.includes('\uFFFD') ? undefined : encodeLossless(c, 'euc-jp');
      return bytes && read('shift_jis', bytes);
    },
  },
  {
    name: 'raw ISO-2022-JP',
    corrupt: (t) => {
      try {
        return encodeIso2022Jp(t).toString('latin1');
      } catch {
        return t;
      }
    },
    invert: (c) => read('iso-2022-jp', Buffer.from(c, 'latin1')),
  },
];

/** Whether `text` comes back from `path` byte for byte (the text is encodable, nothing was lost). */
export function exactlyRecoverable(path: CorruptionPath, text: string): boolean {
  const corrupted = path.corrupt(text);
  return corrupted !== text && path.invert(corrupted) === text;
}
