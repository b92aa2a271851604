/**
 * The Hatena Diary export "はてなの日記データ形式" (formats.md §1.4): `<diary><day date title>` with a
 * `<body>` of Hatena notation and the day's `<comments>`. A day holds one entry per `*` heading.
 */
import type { Entry, EntrySource, When } from '../../../pipeline/model.js';
import { makeEntry } from '../../../pipeline/model.js';
import { parseDate } from '../../../text/dates.js';
import { deriveTitle, htmlToText } from '../../../text/html.js';
import { diaryEntryId, diaryLinks, type DiaryLinkStyle } from './diary-links.js';
import { renderHatenaInline, renderHatenaNotation, splitDiaryDay } from './notation.js';
import {
  childElement,
  childElements,
  childText,
  readXmlRecords,
  removeForbiddenXmlCharacters,
  type InputProblem,
} from './xml-records.js';

export interface DiaryComment {
  author: string;
  /** Plain text as the commenter wrote it. */
  body: string;
  published?: When;
}

export interface DiaryDay {
  /** `YYYY-MM-DD` as in `day@date`. */
  date: string;
  title: string;
  /** Hatena notation source. */
  body: string;
  comments: DiaryComment[];
  /** File line of the `<day>` tag. */
  line: number;
  /** File line where the body's first line is. */
  bodyLine: number;
}

export interface ParsedDiaryExport {
  days: DiaryDay[];
  problems: InputProblem[];
}

const DAY_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads every well-formed day; a malformed day is a problem with its position, the rest are kept. */
export function parseDiaryExport(text: string, zone: string): ParsedDiaryExport {
  const problems: InputProblem[] = [];
  const cleaned = removeForbiddenXmlCharacters(text);
  if (cleaned.removed > 0) {
    problems.push({
      message: `removed ${cleaned.removed} character(s) that XML forbids (such as &#65535; or control bytes)`,
      line: cleaned.firstLine,
      severity: 'warning',
    });
  }
  const { records, problems: recordProblems } = readXmlRecords(cleaned.text, 'day', 'diary');
  problems.push(...recordProblems);
  const days: DiaryDay[] = [];
  for (const record of records) {
    const date = record.attributes.date ?? '';
    const day = DAY_DATE.test(date) ? parseDate(date, { defaultZone: zone }) : undefined;
    if (!day) {
      problems.push({ message: `<day date="${date}"> is not a date (YYYY-MM-DD); this day is skipped`, line: record.line });
      continue;
    }
    const bodyElement = childElement(record, 'body');
    if (!bodyElement) {
      problems.push({ message: `<day date="${date}"> has no <body>; this day is skipped`, line: record.line });
      continue;
    }
    const comments: DiaryComment[] = [];
    const commentList = childElement(record, 'comments');
    for (const comment of commentList ? childElements(commentList, 'comment') : []) {
      const timestamp = childText(comment, 'timestamp')?.trim();
      const published = timestamp && /^\d+$/.test(timestamp) ? parseDate(Number(timestamp)) : undefined;
      if (timestamp && !published) {
        problems.push({ message: `comment timestamp ${JSON.stringify(timestamp)} is not epoch seconds`, line: comment.line, severity: 'warning' });
      }
      const entry: DiaryComment = { author: childText(comment, 'username')?.trim() ?? '', body: (childText(comment, 'body') ?? '').trim() };
      if (published) entry.published = published;
      comments.push(entry);
    }
    days.push({
      date,
      title: record.attributes.title ?? '',
      body: bodyElement.text,
      comments,
      line: record.line,
      bodyLine: bodyElement.line,
    });
  }
  return { days, problems };
}

export interface DiaryEntryOptions {
  user: string;
  source: EntrySource;
  zone: string;
  links: DiaryLinkStyle;
}

/** Metadata a diary entry carries in `meta.hatenaDiary`. */
export interface HatenaDiaryMeta {
  /** The diary date (`day@date`); differs from `published` for back-dated days. */
  date: string;
  /** `1212150896`, `p1`, a custom name, or undefined for an untitled day. */
  anchor?: string;
  /** The day's comments; Hatena showed them under the day's last section, so they go there. */
  comments?: DiaryComment[];
}

/** A day's entries, one per section, with notes about unclosed blocks at their file lines. */
export function diaryDayToEntries(day: DiaryDay, options: DiaryEntryOptions): { entries: Entry[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const split = splitDiaryDay(day.body);
  const fileLine = (bodyLine: number): number => day.bodyLine + bodyLine - 1;
  for (const warning of split.warnings) {
    problems.push({ message: `day ${day.date}: ${warning.message}`, line: fileLine(warning.line), severity: 'warning' });
  }
  const compactDate = day.date.replace(/-/g, '');
  const dayWhen = parseDate(day.date, { defaultZone: options.zone });
  const entries = split.sections.map((section, index) => {
    const anchor = section.anchor?.value;
    const rendered = renderHatenaNotation(section.body, { anchorPrefix: `${compactDate}-${anchor ?? 'day'}` });
    for (const warning of rendered.warnings) {
      // An unclosed block is already reported by the split, at the same line.
      if (split.warnings.some((splitWarning) => splitWarning.line === section.bodyLine + warning.line - 1)) continue;
      problems.push({ message: `day ${day.date}: ${warning.message}`, line: fileLine(section.bodyLine + warning.line - 1), severity: 'warning' });
    }
    const headingTitle = htmlToText(renderHatenaInline(section.titleSource));
    const onlySection = split.sections.length === 1;
    const title =
      headingTitle ||
      (onlySection ? day.title.trim() : '') ||
      deriveTitle(htmlToText(rendered.html)) ||
      day.date;
    const published =
      section.anchor?.kind === 'timestamp' ? parseDate(section.anchor.epochSeconds) ?? dayWhen : dayWhen;
    const meta: HatenaDiaryMeta = { date: day.date };
    if (anchor) meta.anchor = anchor;
    if (index === split.sections.length - 1 && day.comments.length) meta.comments = day.comments;
    const entry = makeEntry({
      id: diaryEntryId(options.user, compactDate, anchor),
      guid: `${options.user}/${compactDate}${anchor ? `/${anchor}` : ''}`,
      title,
      link: diaryLinks(options.links, options.user, compactDate, section.anchor),
      content: rendered.html,
      author: options.user,
      tags: [...new Set(section.categories)],
      source: options.source,
      meta: { hatenaDiary: meta },
    });
    if (published) entry.published = published;
    return entry;
  });
  return { entries, problems };
}
