/**
 * What the three Hatena sources share: the service key, reading an export file, decoding
 * percent-encoded text that may be EUC-JP, and turning input problems into report warnings.
 */
import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { z } from 'zod';
import type { PluginContext } from '../../../pipeline/context.js';
import { decode } from '../../../text/charset.js';
import { isValidZone } from '../../../text/zones.js';
import { formatProblem, type InputProblem } from './xml-records.js';

export const HATENA_SERVICE = 'hatena';

/** A Hatena user name (id): a letter, then letters, digits, `_` or `-`; 3–32 characters. */
export const HATENA_USER = /^[A-Za-z][\w-]{1,31}$/;

/** The zone of naive dates in a Hatena input: Japan unless the recipe says otherwise. */
export const hatenaZone = z
  .string()
  .refine(isValidZone, { message: 'an IANA time zone such as Asia/Tokyo' })
  .default('Asia/Tokyo');

/** `https://example.com/` → `https://example.com` so paths can be appended. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Percent-decoding that never throws: UTF-8 first, then EUC-JP and Shift_JIS (old Hatena keyword
 * and tag links are EUC-JP, and `decodeURIComponent('%a4%cf')` throws URIError). Text that is none
 * of them comes back as it was.
 */
export function decodePercentEncoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // not UTF-8: fall through to the Japanese legacy encodings
  }
  const bytes: number[] = [];
  const plain = text.replace(/\+/g, '%20');
  for (let i = 0; i < plain.length; i++) {
    const escape = /^%([0-9a-fA-F]{2})/.exec(plain.slice(i, i + 3));
    if (escape) {
      bytes.push(Number.parseInt(escape[1]!, 16));
      i += 2;
    } else {
      const code = plain.charCodeAt(i);
      if (code > 0x7f) return text;
      bytes.push(code);
    }
  }
  const buffer = Buffer.from(bytes);
  for (const encoding of ['euc-jp', 'shift_jis']) {
    const decoded = iconv.decode(buffer, encoding);
    if (!decoded.includes('\uFFFD')) return decoded;
  }
  return text;
}

/**
 * Hatena Bookmark once stored tags inside the comment, `[tag1][tag2]comment` (and the export's
 * summary may start with a space): the leading bracket run becomes tags.
 */
export function splitBookmarkComment(summary: string): { comment: string; tags: string[] } {
  const trimmed = summary.trim();
  const run = /^((?:\[[^\][\n]+\])+)/.exec(trimmed);
  if (!run) return { comment: trimmed, tags: [] };
  const tags = [...run[1]!.matchAll(/\[([^\]]+)\]/g)].map((match) => match[1]!.trim()).filter(Boolean);
  return { comment: trimmed.slice(run[1]!.length).trim(), tags };
}

/** An export file's text: bytes decoded once (BOM, XML declaration, then detection). */
export async function readExportFile(path: string, kind: 'xml' | 'text'): Promise<{ text: string; encoding: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the export file${code ? ` (${code})` : ''}`, { cause: error });
  }
  const decoded = decode(bytes, { kind });
  return { text: decoded.text, encoding: decoded.encoding };
}

/**
 * Problems become the source's warnings in the run report (`file:line:column: message`) and log
 * lines; what was read is kept. When nothing at all could be read, the first error is thrown so
 * the source shows as failed.
 */
export function reportProblems(
  ctx: Pick<PluginContext<unknown>, 'log'>,
  where: string,
  problems: InputProblem[],
  entriesRead: number,
): string[] {
  const ordered = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const messages = ordered.map((problem) => formatProblem(where, problem));
  ordered.forEach((problem, index) => {
    if (problem.severity === 'warning') ctx.log.warn({ where }, messages[index]!);
    else ctx.log.error({ where }, messages[index]!);
  });
  const firstError = ordered.findIndex((problem) => problem.severity !== 'warning');
  if (entriesRead === 0 && firstError !== -1) {
    const more = ordered.length > 1 ? ` (and ${ordered.length - 1} more problem(s))` : '';
    throw new Error(`${messages[firstError]}${more}`);
  }
  return messages;
}
