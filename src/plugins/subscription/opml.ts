import { readFile } from 'node:fs/promises';
import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import { z } from 'zod';
import type { Subscription } from '../../pipeline/model.js';
import { definePlugin } from '../../pipeline/plugin.js';
import { decode } from '../../text/charset.js';

/** Plagger's Subscription::OPML: feeds from an OPML file or URL; outline folders become tags. */
export default definePlugin({
  name: 'Subscription::OPML',
  description: 'Subscriptions from an OPML file or URL; the folders an outline sits in become its tags.',
  phase: 'subscription',
  config: z
    .object({
      path: z.string().optional(),
      url: z.url().optional(),
    })
    .strict()
    .refine((c) => Boolean(c.path) !== Boolean(c.url), { message: 'give either path or url' }),
  async load(ctx) {
    const where = ctx.config.url ?? ctx.resolvePath(ctx.config.path!);
    const bytes = ctx.config.url ? (await ctx.http.fetch(ctx.config.url)).body : await readFile(where);
    const text = decode(bytes, { kind: 'xml' }).text;
    const $ = cheerio.load(text, { xml: true });
    if ($('opml').length === 0) throw new Error(`${where}: not an OPML document (no <opml> element)`);
    const subscriptions: Subscription[] = [];
    const walk = (nodes: Element[], folders: string[]) => {
      for (const node of nodes) {
        const outline = $(node);
        const url = outline.attr('xmlUrl') ?? outline.attr('xmlurl');
        const label = outline.attr('title') ?? outline.attr('text');
        if (url) {
          subscriptions.push({ plugin: '', url, tags: [...folders], config: {}, ...(label ? { title: label } : {}) });
        }
        const children = outline.children('outline').toArray();
        if (children.length > 0) walk(children, url || !label ? folders : [...folders, label]);
      }
    };
    walk($('opml > body > outline').toArray(), []);
    return subscriptions;
  },
});
