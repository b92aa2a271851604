import { join } from 'node:path';
import { z } from 'zod';
import type { PluginContext } from '../../pipeline/context.js';
import type { Feed } from '../../pipeline/model.js';
import { makeFeed } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { renderAtom, renderJsonFeed, renderRss } from '../../feed/render.js';
import { retainWindow } from './feed/retain.js';
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
    const incoming = feeds.flatMap((feed) => feed.entries);
    const retained = await ctx.store.loadRetained(ctx.config.name);
    const entries = retainWindow(retained, incoming, {
      keep: ctx.config.keep,
      now,
      ...(ctx.config.keep_days !== undefined ? { keepDays: ctx.config.keep_days } : {}),
    });
    const windowVersion = await ctx.store.saveRetained(ctx.config.name, entries);
    const output = outputFeed(feeds, ctx.config, entries);
    const dir = ctx.config.dir ? ctx.resolvePath(ctx.config.dir) : ctx.global.outputDir;
    const outputs: string[] = [];
    for (const format of ctx.config.formats) {
      const path = join(dir, `${ctx.config.name}.${FORMATS[format].extension}`);
      const renderKey = `${ctx.config.name}.${format}`;
      const digest = await storeRender(ctx, renderKey, {
        inputs: renderInputs(windowVersion, format, ctx.config.base_url, ctx.global.timezone, output.title, output.link, output.description),
        contentType: FORMATS[format].contentType,
        entries: entries.length,
        now,
        render: () => renderFormat(output, format, ctx, now),
      });
      // The job names the stored render rather than carrying megabytes through the queue.
      await ctx.enqueue<WriteJob>('write', { path, render: renderKey }, { jobId: `${path}#${digest}` });
      outputs.push(path);
    }
    return { outputs, entries: entries.length };
  },
});

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
