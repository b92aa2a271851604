import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { DecodedText } from '../../pipeline/context.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { feedFromParsed, feedToEntries, parseFeedDocument } from '../../feed/parse.js';
import { decode } from '../../text/charset.js';
import { normalizePermalink } from '../../pipeline/urls.js';

/**
 * Any RSS 0.9x / 1.0 / 2.0, Atom or JSON Feed, from a URL or a local file. The generic source:
 * a subscribed URL that no other source plugin claims ends up here.
 */
export default definePlugin({
  name: 'Source::Feed',
  aliases: ['Aggregator::Simple', 'CustomFeed::Feed'],
  description: 'Any RSS 0.9x/1.0/2.0, Atom 1.0/0.3 or JSON Feed, from an http(s) URL or a local file.',
  phase: 'source',
  config: z
    .object({
      url: z.string().min(1).optional(),
      path: z.string().min(1).optional(),
      title: z.string().optional(),
      /** Zone for dates the feed writes without one; default the recipe's timezone. */
      timezone: z.string().optional(),
      /** Service key shown on the lifestream page (`hatena`, `twitter`…); default `feed`. */
      service: z.string().default('feed'),
      /** The Content-Type to assume for a local file (to test how a server's header would be read). */
      content_type: z.string().optional(),
    })
    .strict()
    .refine((c) => Boolean(c.url) !== Boolean(c.path), { message: 'give either url or path' }),
  async fetch(subscription, ctx) {
    const { url, path } = ctx.config;
    let decoded: DecodedText;
    let location: string;
    let notModified = false;
    if (path || url?.startsWith('file:')) {
      location = path ? ctx.resolvePath(path) : fileURLToPath(url!);
      const bytes = await readFile(location).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`${location}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      });
      decoded = decode(bytes, { kind: 'xml', ...(ctx.config.content_type ? { contentType: ctx.config.content_type } : {}) });
    } else {
      const response = await ctx.http.fetch(url!, { conditional: true, headers: { accept: ACCEPT } });
      location = response.url;
      notModified = response.notModified;
      decoded = response.text('xml');
    }
    for (const override of decoded.overrides) ctx.log.info({ target: location }, `charset: ${override}`);
    const parsed = await parseFeedDocument(decoded.text, {
      url: path ? undefined : location,
      defaultZone: ctx.config.timezone ?? ctx.global.timezone,
    });
    // Ids must not change with how a path or URL is spelt: a path counts relative to the recipe
    // (so moving the checkout keeps them), a URL in its normalised form (http and https alike).
    const feedId = url && !url.startsWith('file:') ? normalizePermalink(url) : `file:${relative(ctx.global.baseDir, location).split(sep).join('/')}`;
    const source = {
      plugin: 'Source::Feed',
      feedId,
      feedTitle: ctx.config.title ?? subscription.title ?? parsed.title,
      feedUrl: url ?? location,
      service: ctx.config.service,
      ...(parsed.link ? { feedLink: parsed.link } : {}),
    };
    return feedFromParsed(parsed, {
      id: feedId,
      title: source.feedTitle,
      url: url ?? location,
      entries: feedToEntries(parsed, source, `feed:${feedId}`),
      meta: {
        format: parsed.format,
        encoding: decoded.encoding,
        encodingDecidedBy: decoded.decidedBy,
        warnings: [...decoded.overrides.map((o) => `charset: ${o}`), ...parsed.warnings],
        notModified,
      },
    });
  },
});

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5';
