/**
 * Publish::Notes — notes for Facebook-style import (formats.md §5.1). What Facebook's Notes
 * importer and its kind consumed was a feed with full HTML bodies; so:
 *  (a) a notes feed, RSS 2.0 and Atom, every note with a title (cut from the text when the source
 *      has none, as with tweets), its full HTML body with every URL absolute, a 原文 link back
 *      to the original, and dates in the recipe's zone (JST by default);
 *  (b) notes as files, one HTML or Markdown file per entry with YAML front matter, for a one-off
 *      import into a blog or a static site generator.
 * Files are written by jobs on the queue, like Publish::Feed's.
 */
import { join } from 'node:path';
import { z } from 'zod';
import TurndownService from 'turndown';
import { stringify as toYaml } from 'yaml';
import type { Entry, Feed } from '../../pipeline/model.js';
import { makeEntry, makeFeed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { sha256Hex } from '../../pipeline/ids.js';
import { renderAtom, renderRss } from '../../feed/render.js';
import { formatDate } from '../../text/dates.js';
import { escapeHtml } from '../../text/html.js';
import { renderInputs, storeRender, writeOutput, type WriteJob } from './feed/output.js';
import { retainWindow } from './feed/retain.js';
import { entriesOldestFirst, noteFromEntry } from './bridges/note.js';

const FORMATS = {
  rss: { extension: 'rss', contentType: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { extension: 'atom', contentType: 'application/atom+xml; charset=utf-8', render: renderAtom },
} as const;

const config = z
  .object({
    /** Output name: `<name>.rss` and `<name>.atom`, served at `/feeds/<name>.rss`. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only').default('notes'),
    title: z.string().optional(),
    description: z.string().optional(),
    link: z.url().optional(),
    /** Base URL the feed will be served from, for its self link. */
    base_url: z.url().optional(),
    /** Write the notes feed (a); set false for files only. */
    feed: z.boolean().default(true),
    formats: z.array(z.enum(['rss', 'atom'])).min(1).default(['rss', 'atom']),
    /** Notes kept in the feed across runs (an import adds to it once). */
    keep: z.number().int().positive().default(1000),
    keep_days: z.number().positive().optional(),
    /** Directory of the feed files; default the recipe's output_dir. */
    dir: z.string().optional(),
    /** The words of the link back to the original. */
    original_label: z.string().default('原文'),
    /** One file per entry (b). */
    files: z
      .object({
        dir: z.string(),
        format: z.enum(['markdown', 'html']).default('markdown'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** An entry as a note: a title always, the body's URLs absolute, a link back to the original. */
export function noteEntry(entry: Entry, feed: Feed | undefined, originalLabel: string): Entry {
  const note = noteFromEntry(entry, feed);
  const body = note.html.trim() || (note.text ? `<p>${escapeHtml(note.text)}</p>` : '');
  const back = note.link ? `\n<p><a href="${escapeHtml(note.link)}">${escapeHtml(originalLabel)}</a></p>` : '';
  return makeEntry({
    ...entry,
    title: note.title,
    content: `${body}${back}`,
    summary: undefined,
  });
}

const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });

/** `2026-01-05-<hash of the id>`: stable across runs, whatever the title (Japanese titles make poor file names). */
export function noteFileStem(entry: Entry, timezone: string): string {
  const when = entry.published ?? entry.updated;
  const day = when ? formatDate(when, timezone, 'atom').slice(0, 10) : 'undated';
  return `${day}-${sha256Hex(entry.id).slice(0, 10)}`;
}

/** A file for a static site generator: YAML front matter, then the body as Markdown or HTML. */
export function noteFile(entry: Entry, note: Entry, timezone: string, format: 'markdown' | 'html'): string {
  const when = entry.published ?? entry.updated;
  const frontMatter: Record<string, unknown> = {
    title: note.title,
    ...(when ? { date: formatDate(when, timezone, 'atom') } : {}),
    ...(entry.updated && entry.published ? { updated: formatDate(entry.updated, timezone, 'atom') } : {}),
    ...(entry.link ? { original: entry.link } : {}),
    id: entry.id,
    ...(entry.author ? { author: entry.author } : {}),
    ...(entry.tags.length ? { tags: entry.tags } : {}),
    source: entry.source.service ?? entry.source.plugin,
  };
  const html = note.content ?? '';
  const body = format === 'markdown' ? turndown.turndown(html) : html;
  return `---\n${toYaml(frontMatter, { lineWidth: 0 })}---\n\n${body.trim()}\n`;
}

export default definePlugin({
  name: 'Publish::Notes',
  aliases: ['Publish::FacebookNotes'],
  description: 'Notes for Facebook-style import: an RSS/Atom notes feed with full bodies and a 原文 link, and/or one Markdown or HTML file per entry.',
  phase: 'publish',
  config,
  jobs: {
    write: {
      handler: (ctx) => async (data) => {
        await writeOutput(ctx.store, data as WriteJob);
        return { path: (data as WriteJob).path };
      },
      options: { concurrency: 4, attempts: 3, backoffMs: 200 },
    },
  },
  async publish(feeds, ctx) {
    const cfg = ctx.config;
    const now = ctx.clock.now();
    const timezone = ctx.global.timezone;
    const outputs: string[] = [];
    const notes = entriesOldestFirst(feeds).map(({ entry, feed }) => ({ entry, feed, note: noteEntry(entry, feed, cfg.original_label) }));

    if (cfg.feed) {
      const retainedKey = `notes/${cfg.name}`;
      const retained = await ctx.store.loadRetained(retainedKey);
      const window = retainWindow(retained, notes.map(({ note }) => note), {
        keep: cfg.keep,
        now,
        ...(cfg.keep_days !== undefined ? { keepDays: cfg.keep_days } : {}),
      });
      const windowVersion = await ctx.store.saveRetained(retainedKey, window);
      const single = feeds.length === 1 ? feeds[0] : undefined;
      const output = makeFeed({
        id: cfg.name,
        type: 'notes',
        title: cfg.title ?? single?.title ?? cfg.name,
        language: 'ja',
        entries: window,
        ...((cfg.link ?? single?.link) ? { link: cfg.link ?? single?.link } : {}),
        ...((cfg.description ?? single?.description) ? { description: cfg.description ?? single?.description } : {}),
      });
      const dir = cfg.dir ? ctx.resolvePath(cfg.dir) : ctx.global.outputDir;
      for (const format of cfg.formats) {
        const { extension, contentType, render } = FORMATS[format];
        const path = join(dir, `${cfg.name}.${extension}`);
        const selfUrl = cfg.base_url ? new URL(`${cfg.name}.${extension}`, cfg.base_url).href : undefined;
        const renderKey = `${cfg.name}.${format}`;
        const digest = await storeRender(ctx, renderKey, {
          inputs: renderInputs(windowVersion, format, selfUrl, timezone, output.title, output.link, output.description),
          contentType,
          entries: window.length,
          now,
          render: () => render(output, { timezone, now, ...(selfUrl ? { selfUrl } : {}) }),
        });
        await ctx.enqueue<WriteJob>('write', { path, render: renderKey }, { jobId: `${path}#${digest}` });
        outputs.push(path);
      }
    }

    if (cfg.files) {
      const dir = ctx.resolvePath(cfg.files.dir);
      const extension = cfg.files.format === 'markdown' ? 'md' : 'html';
      for (const { entry, note } of notes) {
        const path = join(dir, `${noteFileStem(entry, timezone)}.${extension}`);
        const body = noteFile(entry, note, timezone, cfg.files.format);
        // Same file and content, same job id: BullMQ skips it; in-process the same bytes are written again.
        await ctx.enqueue<WriteJob>('write', { path, body }, { jobId: `${path}#${sha256Hex(body).slice(0, 16)}` });
      }
      outputs.push(`${dir}/ (${notes.length} ${extension} files)`);
    }
    return { outputs, entries: notes.length };
  },
});
