/**
 * Reads mixi pages with the selector tables of ./eras.ts. Pure: HTML text in, plain records out.
 * Dates stay as the page wrote them; ./entries.ts turns them into instants, because a year-less
 * list date needs the fetch time.
 */
import * as cheerio from 'cheerio';
import type { CheerioAPI, Cheerio } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { htmlToText } from '../../../text/html.js';
import {
  LOGIN_FORM_SELECTOR,
  MARKUP_ERAS,
  type DiaryListMarkup,
  type DiaryPageMarkup,
  type FieldPick,
  type MarkupEra,
  type VoiceListMarkup,
} from './eras.js';

/** Where a page came from: `url` resolves its links, `where` names it in messages (URL or file). */
export interface PageOrigin {
  url: string;
  where: string;
}

export interface DiaryRow {
  link: string;
  diaryId?: string;
  ownerId?: string;
  title: string;
  dateText: string;
  summary?: string;
  thumbnails: string[];
  commentCount?: number;
  author?: string;
  /** A friend's external blog that mixi lists among diaries (`view_diary.pl?url=…`). */
  external: boolean;
}

export interface DiaryPhoto {
  thumbnail: string;
  /** Full-size image: the popup's `img_src`, else the thumbnail without its trailing `s`. */
  full: string;
}

export interface DiaryComment {
  author: string;
  authorLink?: string;
  dateText: string;
  bodyHtml: string;
}

export interface DiaryPage {
  title: string;
  dateText: string;
  bodyHtml: string;
  ownerName?: string;
  diaryId?: string;
  ownerId?: string;
  photos: DiaryPhoto[];
  comments: DiaryComment[];
}

export interface VoiceRow {
  memberId: string;
  postTime: string;
  name: string;
  bodyHtml: string;
  replyTo?: string;
  link: string;
}

export interface Scraped<T> {
  era: string;
  value: T;
  /** Rows that were skipped, with the reason (one broken row never stops the rest). */
  warnings: string[];
}

/** The selectors of every era found nothing usable: mixi changed its markup, or this is not the page. */
export class MixiLayoutError extends Error {
  override name = 'MixiLayoutError';
  constructor(where: string, detail?: string) {
    super(`mixi: page layout not recognised at ${where}${detail ? ` (${detail})` : ''}`);
  }
}

export function isLoginPage(html: string): boolean {
  return cheerio.load(html)(LOGIN_FORM_SELECTOR).length > 0;
}

type DiaryListKind = 'diaryList' | 'friendDiaryList';

export function scrapeDiaryList(html: string, origin: PageOrigin, kind: DiaryListKind = 'diaryList'): Scraped<DiaryRow[]> {
  const $ = cheerio.load(html);
  let best: Scraped<DiaryRow[]> | undefined;
  let bestScore = 0;
  for (const era of erasWith(kind)) {
    const markup = era[kind] as DiaryListMarkup;
    const rows: DiaryRow[] = [];
    const warnings: string[] = [];
    let optionalHits = 0;
    $(markup.row).each((index, element) => {
      const row = $(element);
      const href = pick($, row, markup.link);
      const title = pick($, row, markup.title);
      const dateText = pick($, row, markup.date);
      if (!href || title === undefined || !dateText) {
        warnings.push(`${origin.where}: row ${index + 1} has no ${!href ? 'link' : title === undefined ? 'title' : 'date'}; skipped`);
        return;
      }
      const link = absoluteUrl(href, origin.url);
      const query = queryOf(link);
      const summary = markup.summary && pick($, row, markup.summary);
      const thumbnails = markup.thumbnails ? pickAll($, row, markup.thumbnails).map((src) => absoluteUrl(src, origin.url)) : [];
      const count = markup.commentCount && pick($, row, markup.commentCount);
      const author = markup.author && pick($, row, markup.author);
      optionalHits += [summary, count, author].filter((v) => v !== undefined).length + thumbnails.length;
      rows.push({
        link,
        ...(query.get('id') ? { diaryId: query.get('id')! } : {}),
        ...(query.get('owner_id') ? { ownerId: query.get('owner_id')! } : {}),
        title,
        dateText,
        ...(summary ? { summary } : {}),
        thumbnails,
        ...(count !== undefined ? { commentCount: Number(count) } : {}),
        ...(author ? { author } : {}),
        external: query.has('url'),
      });
    });
    const score = rows.length * 100 + optionalHits;
    if (rows.length > 0 && score > bestScore) {
      best = { era: era.name, value: rows, warnings };
      bestScore = score;
    }
  }
  if (!best) throw new MixiLayoutError(origin.where, `no ${kind === 'diaryList' ? 'diary' : "friends' diary"} rows`);
  return best;
}

export function scrapeDiaryPage(html: string, origin: PageOrigin): Scraped<DiaryPage> {
  const $ = cheerio.load(html);
  let best: Scraped<DiaryPage> | undefined;
  let bestScore = -1;
  for (const era of erasWith('diaryPage')) {
    const markup = era.diaryPage as DiaryPageMarkup;
    const root = $.root();
    const rawTitle = pick($, root, markup.title);
    const dateText = pick($, root, markup.date);
    const bodyHtml = pick($, root, markup.body);
    if (rawTitle === undefined || !dateText || bodyHtml === undefined) continue;
    const warnings: string[] = [];
    const suffix = markup.titleSuffix && pick($, root, markup.titleSuffix);
    const title = suffix && rawTitle.endsWith(suffix) ? rawTitle.slice(0, -suffix.length).trim() : rawTitle;
    const ownerName = markup.ownerName && pick($, root, markup.ownerName);
    const photos = markup.photos ? readPhotos($, markup.photos, origin.url) : [];
    const comments = markup.comments ? readComments($, markup.comments, origin, warnings) : [];
    const self = markup.selfLinks ? readSelfIds($, markup.selfLinks, origin.url) : {};
    const score = photos.length + comments.length * 2 + (ownerName ? 1 : 0) + (self.diaryId ? 1 : 0);
    if (score > bestScore) {
      best = {
        era: era.name,
        value: {
          title,
          dateText,
          bodyHtml: absolutizeHtml(bodyHtml.trim(), origin.url),
          ...(ownerName ? { ownerName } : {}),
          ...self,
          photos,
          comments,
        },
        warnings,
      };
      bestScore = score;
    }
  }
  if (!best) throw new MixiLayoutError(origin.where, 'no diary title, date and body');
  return best;
}

export function scrapeVoiceList(html: string, origin: PageOrigin): Scraped<VoiceRow[]> {
  const $ = cheerio.load(html);
  let best: Scraped<VoiceRow[]> | undefined;
  for (const era of erasWith('voiceList')) {
    const markup = era.voiceList as VoiceListMarkup;
    const rows: VoiceRow[] = [];
    const warnings: string[] = [];
    $(markup.row).each((index, element) => {
      const row = $(element);
      const memberId = pick($, row, markup.memberId);
      const postTime = pick($, row, markup.postTime);
      const name = pick($, row, markup.name) ?? '';
      const bodyHtml = pick($, row, markup.body);
      if (!memberId || !postTime || !/^\d{14}$/.test(postTime) || bodyHtml === undefined) {
        warnings.push(`${origin.where}: voice row ${index + 1} has no member id, yyyymmddhhmmss time or text; skipped`);
        return;
      }
      const replyTo = markup.replyTo && pick($, row, markup.replyTo);
      const path = markup.permalink.replace('{member}', encodeURIComponent(memberId)).replace('{time}', postTime);
      rows.push({
        memberId,
        postTime,
        name,
        bodyHtml: absolutizeHtml(bodyHtml.trim(), origin.url),
        ...(replyTo ? { replyTo } : {}),
        link: absoluteUrl(path, origin.url),
      });
    });
    if (rows.length > (best?.value.length ?? 0)) best = { era: era.name, value: rows, warnings };
  }
  if (!best) throw new MixiLayoutError(origin.where, 'no echo or voice rows');
  return best;
}

/** `http://icN.mixi.jp/p/…/912345678_1s.jpg` → `…/912345678_1.jpg` (mixi's thumbnail naming). */
export function fullSizeImage(thumbnail: string): string {
  return thumbnail.replace(/s(\.(?:jpe?g|gif|png))(?=$|[?#])/i, '$1');
}

// ─── helpers ────────────────────────────────────────────────────────────────────────────────

function erasWith(kind: keyof Omit<MarkupEra, 'name' | 'notes'>): MarkupEra[] {
  return MARKUP_ERAS.filter((era) => era[kind] !== undefined);
}

function pick($: CheerioAPI, scope: Cheerio<AnyNode>, field: FieldPick): string | undefined {
  const target = field.selector ? scope.find(field.selector).first() : scope;
  if (target.length === 0) return undefined;
  return readValue($, target, field);
}

function pickAll($: CheerioAPI, scope: Cheerio<AnyNode>, field: FieldPick): string[] {
  const values: string[] = [];
  scope.find(field.selector).each((_, element) => {
    const value = readValue($, $(element), field);
    if (value) values.push(value);
  });
  return values;
}

function readValue(_$: CheerioAPI, target: Cheerio<AnyNode>, field: FieldPick): string | undefined {
  let value: string | undefined;
  if (field.attr) value = target.attr(field.attr);
  else if (field.html) value = target.html() ?? '';
  // `<br>` separates the parts of a date (`2008年<br>05月30日<br>21:34`): read it as a space.
  else value = htmlToText(target.html() ?? '');
  if (value === undefined) return undefined;
  if (field.param) value = queryOf(absoluteUrl(value, 'http://mixi.invalid/')).get(field.param) ?? undefined;
  if (value !== undefined && field.pattern) {
    const match = field.pattern.exec(value);
    value = match ? (match[1] ?? match[0]) : undefined;
  }
  return field.html ? value : value?.trim() || undefined;
}

function readPhotos($: CheerioAPI, markup: NonNullable<DiaryPageMarkup['photos']>, base: string): DiaryPhoto[] {
  const photos: DiaryPhoto[] = [];
  $(markup.cell).each((_, element) => {
    const cell = $(element);
    const src = pick($, cell, markup.thumbnail);
    if (!src) return;
    const thumbnail = absoluteUrl(src, base);
    const popup = markup.popup && pick($, cell, markup.popup);
    const imgSrc = popup ? queryOf(absoluteUrl(popup, base)).get('img_src') : null;
    photos.push({ thumbnail, full: imgSrc ? absoluteUrl(imgSrc, base) : fullSizeImage(thumbnail) });
  });
  return photos;
}

function readComments(
  $: CheerioAPI,
  markup: NonNullable<DiaryPageMarkup['comments']>,
  origin: PageOrigin,
  warnings: string[],
): DiaryComment[] {
  const comments: DiaryComment[] = [];
  $(markup.row).each((index, element) => {
    const row = $(element);
    const author = pick($, row, markup.author);
    const dateText = pick($, row, markup.date);
    const bodyHtml = pick($, row, markup.body);
    if (!author || !dateText || bodyHtml === undefined) {
      warnings.push(`${origin.where}: comment ${index + 1} has no author, date or body; skipped`);
      return;
    }
    const authorLink = markup.authorLink && pick($, row, markup.authorLink);
    comments.push({
      author,
      ...(authorLink ? { authorLink: absoluteUrl(authorLink, origin.url) } : {}),
      dateText,
      bodyHtml: absolutizeHtml(bodyHtml.trim(), origin.url),
    });
  });
  return comments;
}

function readSelfIds($: CheerioAPI, links: FieldPick[], base: string): { diaryId?: string; ownerId?: string } {
  for (const field of links) {
    const href = pick($, $.root(), field);
    if (!href) continue;
    const query = queryOf(absoluteUrl(href, base));
    const diaryId = query.get('diary_id') ?? query.get('id');
    if (!diaryId) continue;
    const ownerId = query.get('owner_id') ?? $('input[name="owner_id"]').first().attr('value');
    return { diaryId, ...(ownerId ? { ownerId } : {}) };
  }
  return {};
}

function absoluteUrl(href: string, base: string): string {
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return href.trim();
  }
}

function queryOf(url: string): URLSearchParams {
  try {
    return new URL(url).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** Links and images in a body point at mixi's pages: make them absolute so a feed reader can follow. */
function absolutizeHtml(fragment: string, base: string): string {
  if (!/\s(?:href|src)\s*=/i.test(fragment)) return fragment;
  const $ = cheerio.load(fragment, null, false);
  $('a[href]').each((_, element) => {
    const href = $(element).attr('href')!;
    if (!/^(?:javascript|mailto):/i.test(href)) $(element).attr('href', absoluteUrl(href, base));
  });
  $('img[src]').each((_, element) => {
    $(element).attr('src', absoluteUrl($(element).attr('src')!, base));
  });
  return $.html();
}
