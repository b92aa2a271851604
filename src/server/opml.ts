/** The subscriptions of every served recipe as OPML 2.0, one outline per recipe. */
import { formatDate } from '../text/dates.js';

export interface StoredSubscription {
  title?: string;
  url?: string;
  tags: string[];
  plugin: string;
}

// XML 1.0 forbids these even as references; a feed title that carries one must not break the file.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function attr(value: string): string {
  return value
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

export function renderOpml(recipes: Array<{ name: string; subscriptions: StoredSubscription[] }>, now: number): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    '    <title>kakehashi subscriptions</title>',
    `    <dateCreated>${formatDate(now, 'UTC', 'rss')}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  for (const recipe of recipes) {
    // Only subscriptions with a URL are feeds a reader can follow; archives and accounts are not.
    const feeds = recipe.subscriptions.filter((s) => s.url && /^https?:\/\//i.test(s.url));
    lines.push(`    <outline text="${attr(recipe.name)}" title="${attr(recipe.name)}">`);
    for (const sub of feeds) {
      const title = sub.title || (sub.url as string);
      const category = sub.tags.length > 0 ? ` category="${attr(sub.tags.map((t) => `/${t.replace(/[,/]/g, ' ')}`).join(','))}"` : '';
      lines.push(
        `      <outline type="rss" text="${attr(title)}" title="${attr(title)}" xmlUrl="${attr(sub.url as string)}"${category}/>`,
      );
    }
    lines.push('    </outline>');
  }
  lines.push('  </body>', '</opml>', '');
  return lines.join('\n');
}
