/**
 * Source::MixiArchive — a one-off import of diary pages saved from a browser ("save page,
 * complete": `NAME.html` plus a `NAME_files/` folder of images and styles). The pages are read
 * with the same selector tables and give the same entry ids as Source::Mixi, so a diary imported
 * here and scraped live later is one entry.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { definePlugin } from '../../pipeline/plugin.js';
import { makeFeed, type Entry } from '../../pipeline/model.js';
import { sha256Hex } from '../../pipeline/ids.js';
import { decode } from '../../text/charset.js';
import { diaryEntry } from './mixi/entries.js';
import { MixiLayoutError, scrapeDiaryPage, type DiaryPage } from './mixi/scrape.js';
import { assertCleanDecode, MixiEncodingError } from './mixi/session.js';

const PLUGIN_NAME = 'Source::MixiArchive';

const configSchema = z.object({
  /** A folder of saved pages, or one saved page. */
  path: z.string().min(1),
  /** Builds permalinks for pages saved without their address (no "saved from" comment). */
  base_url: z.url().default('https://mixi.jp/'),
});

/** Chrome and IE write the page's address into the saved copy: `<!-- saved from url=(0063)http://… -->`. */
const SAVED_FROM = /<!--\s*saved from url=\(\d+\)(\S+?)\s*-->/i;
/** References the browser rewrote to the saved copies in `NAME_files/`. */
const LOCAL_REFERENCE = /(\s(?:src|href)\s*=\s*")((?:\.\/)?[^":?#]*_files\/[^"]*)"/gi;

export default definePlugin({
  phase: 'source',
  name: PLUGIN_NAME,
  description: 'mixi diary pages saved from a browser (a folder of .html files with their _files folders)',
  config: configSchema,
  async fetch(_subscription, ctx) {
    const root = ctx.resolvePath(ctx.config.path);
    const files = await savedPages(root);
    const warnings: string[] = [];
    const entries: Entry[] = [];
    const failures: string[] = [];
    const fetchedAt = ctx.clock.now();
    let ownerName: string | undefined;
    let ownerId: string | undefined;
    const feedId = `mixi:archive:${sha256Hex(root).slice(0, 16)}`;
    for (const file of files) {
      let read;
      try {
        read = await readSavedPage(file, ctx.config.base_url);
      } catch (error) {
        if (!(error instanceof MixiLayoutError || error instanceof MixiEncodingError)) throw error;
        failures.push(error.message);
        warnings.push(`${error.message}; file skipped`);
        continue;
      }
      warnings.push(...read.notes);
      const { page, savedFrom } = read;
      const query = savedFrom ? new URL(savedFrom).searchParams : undefined;
      const diaryId = query?.get('id') ?? page.diaryId ?? `saved-${sha256Hex(`${page.title}\u0000${page.dateText}`).slice(0, 16)}`;
      const pageOwner = query?.get('owner_id') ?? page.ownerId;
      const link =
        savedFrom && /view_diary\.pl/.test(savedFrom)
          ? savedFrom
          : page.diaryId && pageOwner
            ? new URL(`view_diary.pl?id=${page.diaryId}&owner_id=${pageOwner}`, ctx.config.base_url).href
            : undefined;
      ownerName ??= page.ownerName;
      ownerId ??= pageOwner;
      const built = diaryEntry({
        diaryId,
        ...(pageOwner ? { ownerId: pageOwner } : {}),
        ...(link ? { link } : {}),
        page,
        era: read.era,
        fetchedAt,
        source: { plugin: PLUGIN_NAME, feedId, feedLink: pathToFileURL(root).href, service: 'mixi', ...(pageOwner ? { account: pageOwner } : {}) },
        localImages: read.localImages,
      });
      warnings.push(...built.warnings.map((w) => `${file}: ${w}`));
      entries.push(built.entry);
    }
    if (entries.length === 0) {
      throw new Error(
        files.length === 0
          ? `mixi: no saved pages (.html, .htm) in ${root}`
          : `mixi: none of the ${files.length} saved page(s) in ${root} could be read: ${failures.join('; ')}`,
      );
    }
    const title = `${ownerName ? `${ownerName}の日記` : 'mixi diary'} (saved pages)`;
    for (const entry of entries) entry.source.feedTitle = title;
    return makeFeed({
      id: feedId,
      type: 'mixi',
      title,
      link: ownerId ? new URL(`list_diary.pl?id=${ownerId}`, ctx.config.base_url).href : pathToFileURL(root).href,
      language: 'ja',
      entries,
      meta: { warnings },
    });
  },
});

async function savedPages(root: string): Promise<string[]> {
  let info;
  try {
    info = await stat(root);
  } catch (error) {
    throw new Error(`mixi: cannot read ${root}: ${(error as Error).message}`, { cause: error });
  }
  if (info.isFile()) return [root];
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const item of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, item.name);
      // `NAME_files/` holds the page's images and styles, never another diary.
      if (item.isDirectory() && !item.name.endsWith('_files')) await walk(path);
      else if (item.isFile() && /\.html?$/i.test(item.name)) found.push(path);
    }
  };
  await walk(root);
  return found;
}

interface SavedPage {
  page: DiaryPage;
  era: string;
  savedFrom?: string;
  localImages: Map<string, string>;
  notes: string[];
}

/** One saved page: decoded (whatever its encoding, with or without meta charset), then scraped. */
export async function readSavedPage(file: string, baseUrl: string): Promise<SavedPage> {
  const decoded = decode(await readFile(file), { kind: 'html' });
  assertCleanDecode(decoded, file);
  const notes = decoded.overrides.map((override) => `${file}: ${override}; read as ${decoded.encoding}`);
  const savedFrom = SAVED_FROM.exec(decoded.text.slice(0, 2048))?.[1];
  const folder = dirname(file);
  const localImages = new Map<string, string>();
  const html = decoded.text.replace(LOCAL_REFERENCE, (_match, prefix: string, reference: string) => {
    const local = join(folder, decodeEntitiesInPath(reference));
    const url = pathToFileURL(local).href;
    localImages.set(url, local);
    return `${prefix}${url}"`;
  });
  // Links the browser left relative are mixi's own pages; the saved copies were made absolute above.
  const scraped = scrapeDiaryPage(html, { url: savedFrom ?? baseUrl, where: file });
  const page: DiaryPage = {
    ...scraped.value,
    // A saved page keeps only the thumbnails: the full-size image is the popup's address if the
    // page had one, else the saved thumbnail (the full-size file was never on disk).
    photos: scraped.value.photos.map((photo) =>
      localImages.has(photo.thumbnail) && !/^https?:/.test(photo.full) ? { ...photo, full: photo.thumbnail } : photo,
    ),
  };
  return { page, era: scraped.era, ...(savedFrom ? { savedFrom } : {}), localImages, notes: [...notes, ...scraped.warnings] };
}

function decodeEntitiesInPath(reference: string): string {
  const path = reference.replace(/&amp;/g, '&');
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
