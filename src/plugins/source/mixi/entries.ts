/**
 * Scraped mixi records → Entry. Shared by Source::Mixi (live pages) and Source::MixiArchive
 * (saved pages), so that a diary imported from a saved page and the same diary scraped later get
 * one id and merge instead of doubling.
 */
import type { Enclosure, Entry, EntrySource, When } from '../../../pipeline/model.js';
import { makeEntry } from '../../../pipeline/model.js';
import { entryId } from '../../../pipeline/ids.js';
import { parseDate } from '../../../text/dates.js';
import { deriveTitle, escapeHtml, htmlToText } from '../../../text/html.js';
import { fullSizeImage, type DiaryPage, type DiaryRow, type VoiceRow } from './scrape.js';

/** mixi wrote Japan time with no offset, whatever the reader's zone. */
export const MIXI_ZONE = 'Asia/Tokyo';
export const MIXI_ID_NAMESPACE = 'mixi';

export interface MixiComment {
  author: string;
  authorLink?: string;
  published?: When;
  content: string;
}

/** What `entry.meta.mixi` holds. */
export interface MixiMeta {
  kind: 'diary' | 'voice';
  /** Markup era the page was read with (see eras.ts). */
  era?: string;
  diaryId?: string;
  ownerId?: string;
  commentCount?: number;
  comments?: MixiComment[];
  memberId?: string;
  postTime?: string;
  replyTo?: string;
  /** The body was not fetched (fetch_body off, or the page failed): the entry is the list row. */
  fromListOnly?: boolean;
}

export interface DiaryInput {
  diaryId: string;
  ownerId?: string;
  link?: string;
  row?: DiaryRow;
  page?: DiaryPage;
  era?: string;
  /** When the list was fetched: gives year-less list dates their year. */
  fetchedAt: number;
  source: EntrySource;
  /** The owner's nickname when neither page nor row shows it. */
  ownerName?: string;
  /** Saved copies of images, by the URL the page used for them (archive import). */
  localImages?: Map<string, string>;
}

export function diaryEntry(input: DiaryInput): { entry: Entry; warnings: string[] } {
  const { row, page } = input;
  const warnings: string[] = [];
  const where = input.link ?? `diary ${input.diaryId}`;
  const published =
    (page && parseDate(page.dateText, { defaultZone: MIXI_ZONE, now: input.fetchedAt })) ??
    (row && parseDate(row.dateText, { defaultZone: MIXI_ZONE, now: input.fetchedAt }));
  if (!published) warnings.push(`${where}: date "${page?.dateText ?? row?.dateText ?? ''}" not understood; entry kept without a date`);

  const photos = page?.photos ?? row?.thumbnails.map((thumbnail) => ({ thumbnail, full: fullSizeImage(thumbnail) })) ?? [];
  const enclosures: Enclosure[] = photos.map((photo) => {
    // Only when the enclosure is the saved file itself: a saved thumbnail is not the full image.
    const localPath = input.localImages?.get(photo.full);
    return { url: photo.full, type: imageType(photo.full), ...(localPath ? { localPath } : {}) };
  });
  const content = page
    ? page.bodyHtml + photos.map((photo) => `<p><a href="${escapeHtml(photo.full)}"><img src="${escapeHtml(photo.full)}" alt="" /></a></p>`).join('')
    : undefined;
  const comments: MixiComment[] | undefined = page?.comments.map((comment) => {
    const when = parseDate(comment.dateText, { defaultZone: MIXI_ZONE, now: input.fetchedAt });
    return {
      author: comment.author,
      ...(comment.authorLink ? { authorLink: comment.authorLink } : {}),
      ...(when ? { published: when } : {}),
      content: comment.bodyHtml,
    };
  });
  const author = page?.ownerName ?? row?.author ?? input.ownerName;
  const meta: MixiMeta = {
    kind: 'diary',
    ...(input.era ? { era: input.era } : {}),
    diaryId: input.diaryId,
    ...(input.ownerId ? { ownerId: input.ownerId } : {}),
    ...(row?.commentCount !== undefined ? { commentCount: row.commentCount } : comments ? { commentCount: comments.length } : {}),
    ...(comments ? { comments } : {}),
    ...(page ? {} : { fromListOnly: true }),
  };
  const guid = `diary/${input.diaryId}`;
  const entry = makeEntry({
    id: entryId(MIXI_ID_NAMESPACE, { guid }),
    guid,
    title: page?.title ?? row?.title ?? '',
    ...(input.link ? { link: input.link } : {}),
    ...(content !== undefined ? { content } : {}),
    ...(row?.summary ? { summary: row.summary } : {}),
    ...(author ? { author } : {}),
    ...(published ? { published } : {}),
    enclosures,
    source: input.source,
    meta: { mixi: meta },
  });
  return { entry, warnings };
}

export function voiceEntry(voice: VoiceRow, source: EntrySource): { entry: Entry; warnings: string[] } {
  const warnings: string[] = [];
  const published = parseDate(voice.postTime, { defaultZone: MIXI_ZONE });
  if (!published) warnings.push(`${voice.link}: time "${voice.postTime}" not understood; entry kept without a date`);
  const text = htmlToText(voice.bodyHtml);
  const guid = `voice/${voice.memberId}/${voice.postTime}`;
  const meta: MixiMeta = {
    kind: 'voice',
    memberId: voice.memberId,
    postTime: voice.postTime,
    ...(voice.replyTo ? { replyTo: voice.replyTo } : {}),
  };
  const entry = makeEntry({
    id: entryId(MIXI_ID_NAMESPACE, { guid }),
    guid,
    title: deriveTitle(text),
    link: voice.link,
    content: voice.bodyHtml,
    ...(voice.name ? { author: voice.name } : {}),
    ...(published ? { published } : {}),
    source,
    meta: { mixi: meta },
  });
  return { entry, warnings };
}

function imageType(url: string): string {
  const extension = /\.(jpe?g|gif|png)(?=$|[?#])/i.exec(url)?.[1]?.toLowerCase();
  return extension === 'png' ? 'image/png' : extension === 'gif' ? 'image/gif' : 'image/jpeg';
}
