import { join } from 'node:path';
import { z } from 'zod';
import type { PluginContext, RetainedIndex } from '../../pipeline/context.js';
import type { Entry, Feed } from '../../pipeline/model.js';
import { makeFeed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { renderAtom, renderJsonFeed, renderRss } from '../../feed/render.js';
import { retainWindow, type RetainPolicy } from './feed/retain.js';
import { sanitizedFrom, settled } from '../filter/sanitize.js';
import { renderInputs, storeRender, writeOutput, type WriteJob } from './feed/output.js';

export { storeRender, type RenderedFeed, type RenderRecord } from './feed/output.js';

const FORMATS = {
  rss: { extension: 'rss', contentType: 'application/rss+xml; charset=utf-8', render: renderRss },
  atom: { extension: 'atom', contentType: 'application/atom+xml; charset=utf-8', render: renderAtom },
  json: { extension: 'json', contentType: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
} as const;

type Format = keyof typeof FORMATS;

const config = z
  .object({
    /** Output name: files `<name>.rss|.atom|.json`, served at `/feeds/<name>.rss`. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only').default('lifestream'),
    title: z.string().optional(),
    description: z.string().optional(),
    link: z.url().optional(),
    /** Base URL the files will be served from, for self links. */
    base_url: z.url().optional(),
    formats: z.array(z.enum(['rss', 'atom', 'json'])).min(1).default(['rss', 'atom', 'json']),
    /** Entries kept across runs. */
    keep: z.number().int().positive().default(200),
    keep_days: z.number().positive().optional(),
    /** Directory for the files; default the recipe's output_dir. */
    dir: z.string().optional(),
  })
  .strict();

type Config = z.output<typeof config>;

/** Plagger's Publish::Feed: one combined feed in RSS 2.0, Atom 1.0 and JSON Feed 1.1. */
export default definePlugin({
  name: 'Publish::Feed',
  aliases: ['Publish::RSS', 'Publish::Atom', 'Publish::JSONFeed'],
  description: 'A combined feed (RSS 2.0, Atom 1.0, JSON Feed 1.1) that keeps a window of entries across runs.',
  phase: 'publish',
  config,
  jobs: {
    write: {
      handler: (ctx) => async (data) => {
        await writeOutput(ctx.store, data as WriteJob);
      },
      options: { concurrency: 4, attempts: 3, backoffMs: 200 },
    },
  },
  async publish(feeds, ctx) {
    const now = ctx.clock.now();
    const name = ctx.config.name;
    const incoming = feeds.flatMap((feed) => feed.entries);
    const policy: RetainPolicy = { keep: ctx.config.keep, now, ...(ctx.config.keep_days !== undefined ? { keepDays: ctx.config.keep_days } : {}) };
    const index = await ctx.store.retainedIndex(name);
    let entries: Entry[] | undefined;
    let windowVersion: string;
    let count: number;
    if (index && windowUnchanged(index, incoming, policy)) {
      // Nothing new: the stored window, its version and (below) its renders stand as they are.
      windowVersion = index.version;
      count = index.entries.length;
    } else {
      const retained = await ctx.store.loadRetained(name);
      // An entry made from what a retained one was made from is that entry: it is kept as stored,
      // neither sanitized nor written again.
      const stored = new Map(index?.entries.map((ref) => [ref.id, ref.digest]));
      const fresh = incoming
        .filter((entry) => {
          const digest = sanitizedFrom(entry);
          return digest === undefined || stored.get(entry.id) !== digest;
        })
        .map(settled);
      entries = retainWindow(retained, fresh, policy);
      windowVersion = await ctx.store.saveRetained(name, entries, sanitizedFrom);
      count = entries.length;
    }
    let loading: Promise<Entry[]> | undefined;
    const windowEntries = () => (loading ??= entries ? Promise.resolve(entries) : ctx.store.loadRetained(name));
    const dir = ctx.config.dir ? ctx.resolvePath(ctx.config.dir) : ctx.global.outputDir;
    const described = outputFeed(feeds, ctx.config, []);
    // The formats go together: while one render is being stored (a file write, off the main
    // thread), the next one is rendered. All of them finish before a failure is reported, so no
    // write job is added after the run has moved on.
    const written = await Promise.allSettled(
      ctx.config.formats.map(async (format) => {
        const path = join(dir, `${name}.${FORMATS[format].extension}`);
        const renderKey = `${name}.${format}`;
        const digest = await storeRender(ctx, renderKey, {
          inputs: renderInputs(windowVersion, format, ctx.config.base_url, ctx.global.timezone, described.title, described.link, described.description),
          contentType: FORMATS[format].contentType,
          entries: count,
          now,
          render: async () => renderFormat({ ...described, entries: await windowEntries() }, format, ctx, now),
        });
        // The job names the stored render rather than carrying megabytes through the queue.
        await ctx.enqueue<WriteJob>('write', { path, render: renderKey }, { jobId: `${path}#${digest}` });
        return path;
      }),
    );
    const failed = written.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const outputs = written.map((result) => (result as PromiseFulfilledResult<string>).value);
    return { outputs, entries: count };
  },
});

/**
 * Whether this run leaves the window as stored: every incoming entry is already in it, made from
 * the same input, and nothing in it has aged out or fallen beyond `keep`.
 */
function windowUnchanged(index: RetainedIndex, incoming: Entry[], policy: RetainPolicy): boolean {
  if (index.entries.length > policy.keep) return false;
  const stored = new Map<string, string | undefined>();
  for (const ref of index.entries) stored.set(ref.id, ref.digest);
  for (const entry of incoming) {
    const digest = sanitizedFrom(entry);
    if (digest === undefined || stored.get(entry.id) !== digest) return false;
  }
  const oldest = policy.keepDays === undefined ? -Infinity : policy.now - policy.keepDays * 86_400_000;
  let previous: number | undefined = Infinity;
  for (const ref of index.entries) {
    if ((ref.time ?? policy.now) < oldest) return false;
    // Stored newest first, undated last: as retainWindow would order them again.
    if (previous === undefined ? ref.time !== undefined : ref.time !== undefined && ref.time > previous) return false;
    previous = ref.time;
  }
  return true;
}

function outputFeed(feeds: Feed[], cfg: Config, entries: Feed['entries']): Feed {
  const single = feeds.length === 1 ? feeds[0] : undefined;
  const feed = makeFeed({
    id: cfg.name,
    type: 'smartfeed',
    title: cfg.title ?? single?.title ?? cfg.name,
    entries,
  });
  const link = cfg.link ?? single?.link;
  if (link) feed.link = link;
  const description = cfg.description ?? single?.description;
  if (description) feed.description = description;
  return feed;
}

function renderFormat(feed: Feed, format: Format, ctx: PluginContext<Config>, now: number): string {
  const selfUrl = ctx.config.base_url ? new URL(`${ctx.config.name}.${FORMATS[format].extension}`, ctx.config.base_url).href : undefined;
  return FORMATS[format].render(feed, { timezone: ctx.global.timezone, now, ...(selfUrl ? { selfUrl } : {}) });
}
