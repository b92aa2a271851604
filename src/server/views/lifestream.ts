/**
 * The lifestream page: one column of entries, newest first, each with its service's mark, its
 * source and its time in the recipe's zone (JST by default). Plain server-rendered HTML — the
 * view switch and paging are links, so it works without JavaScript.
 */
import type { Entry, EntrySource, When } from '../../pipeline/model.js';
import { formatDate } from '../../text/dates.js';
import { deriveTitle, escapeHtml, htmlToText } from '../../text/html.js';
import { serviceLook } from './icons.js';
import { layout } from './layout.js';
import { sanitizeForPage } from './sanitize.js';

export type StreamView = 'aggregated' | 'everything';

export interface LifestreamModel {
  feedName: string;
  title: string;
  description?: string;
  link?: string;
  view: StreamView;
  counts: Record<StreamView, number>;
  /** The entries on this page, newest first. */
  entries: Entry[];
  page: number;
  /** Path of this stream's page (`/` or `/NAME`), for the links. */
  path: string;
  olderHref?: string;
  newerHref?: string;
  timezone: string;
  /** Formats published for this feed, for alternate links. */
  formats: Array<'rss' | 'atom' | 'json'>;
}

const VIEW_LABELS: Record<StreamView, { label: string; hint: string }> = {
  aggregated: { label: 'まとめ', hint: 'ダイジェストや同じ投稿をひとつにまとめた表示' },
  everything: { label: 'すべて', hint: 'ひとつひとつの投稿を個別に並べた表示' },
};

const FEED_TYPES = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' } as const;

export function renderLifestream(model: LifestreamModel): string {
  const { feedName, title, view } = model;
  const viewHref = (target: StreamView) => (target === 'aggregated' ? model.path : `${model.path}?view=everything`);
  const alternates = model.formats
    .map(
      (format) =>
        `<link rel="alternate" type="${FEED_TYPES[format]}" title="${escapeHtml(`${title} (${format.toUpperCase()})`)}" href="/feeds/${escapeHtml(feedName)}.${format}">\n`,
    )
    .join('');
  const views = (['aggregated', 'everything'] as const)
    .map(
      (target) =>
        `<li><a href="${escapeHtml(viewHref(target))}" title="${VIEW_LABELS[target].hint}"${target === view ? ' aria-current="page"' : ''}>` +
        `${VIEW_LABELS[target].label}<span class="count">(${model.counts[target]})</span></a></li>`,
    )
    .join('');
  const heading = `${VIEW_LABELS[view].label}（${model.page > 1 ? `${model.page} ページ目` : '新しい順'}）`;
  const stream =
    model.entries.length === 0
      ? `<p class="empty">まだエントリーがありません。レシピが実行されると、ここに表示されます。</p>`
      : `<ol class="stream" data-view="${view}">\n${model.entries.map((entry, i) => renderEntry(entry, `e${model.page}-${i}`, model)).join('\n')}\n</ol>`;
  const pager =
    model.olderHref || model.newerHref
      ? `<nav class="pager" aria-label="ページ送り">` +
        (model.newerHref ? `<a rel="prev" href="${escapeHtml(model.newerHref)}">← 新しいエントリー</a>` : '<span></span>') +
        (model.olderHref ? `<a rel="next" href="${escapeHtml(model.olderHref)}">古いエントリー →</a>` : '<span></span>') +
        `</nav>`
      : '';
  const body = `<header class="site-header wrap">
<h1>${model.link ? `<a href="${escapeHtml(safeUrl(model.link) ?? '#')}">${escapeHtml(title)}</a>` : escapeHtml(title)}</h1>
${model.description ? `<p>${escapeHtml(model.description)}</p>` : ''}
<nav aria-label="表示の切り替え"><ul class="views">${views}</ul></nav>
</header>
<main id="main" class="wrap">
<h2 class="visually-hidden">${escapeHtml(heading)}</h2>
${stream}
${pager}
</main>
<footer class="site-footer wrap">
<ul>
${model.formats.map((f) => `<li><a href="/feeds/${escapeHtml(feedName)}.${f}">${f.toUpperCase()}</a></li>`).join('\n')}
<li><a href="/opml">OPML</a></li>
<li><a href="/status">状態</a></li>
</ul>
<p>時刻は ${escapeHtml(zoneLabel(model.timezone))} で表示しています。kakehashi（架け橋）</p>
</footer>`;
  return layout({ title: model.page > 1 ? `${title} — ${model.page} ページ目` : title, head: alternates, body });
}

function renderEntry(entry: Entry, id: string, model: LifestreamModel): string {
  const look = serviceLook(entry.source.service);
  const when = entry.published ?? entry.updated;
  const title = entryTitle(entry);
  const link = safeUrl(entry.link);
  const html = entry.content ?? entry.summary;
  const content = html ? sanitizeForPage(html) : '';
  const sourceName = sourceLabel(entry.source);
  const sourceLink = safeUrl(entry.source.feedLink);
  // A merged crosspost lists where else it was posted; a digest lists what it gathers.
  const parts =
    model.view === 'aggregated' && entry.parts.length > 0 && entry.via.length === 0 ? renderParts(entry.parts, model.timezone) : '';
  const via = entry.via.length > 0 ? renderVia(entry) : '';
  const tags =
    entry.tags.length > 0
      ? `<div class="entry__tags"><span class="visually-hidden">タグ: </span><ul>${entry.tags.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul></div>`
      : '';
  return `<li class="entry" data-service="${look.key}">
<article aria-labelledby="${id}">
<div class="entry__meta">${look.svg}${
    sourceLink
      ? `<a class="entry__source" href="${escapeHtml(sourceLink)}">${escapeHtml(sourceName)}</a>`
      : `<span class="entry__source">${escapeHtml(sourceName)}</span>`
  }${when ? renderTime(when, model.timezone) : ''}</div>
<h3 class="entry__title" id="${id}">${link ? `<a href="${escapeHtml(link)}">${escapeHtml(title)}</a>` : escapeHtml(title)}</h3>
${content && htmlToText(content) !== title ? `<div class="entry__content">${content}</div>` : ''}
${via}${parts}${tags}
</article>
</li>`;
}

function renderVia(entry: Entry): string {
  const items = entry.via.map((via) => {
    const look = serviceLook(via.source.service);
    const name = escapeHtml(sourceLabel(via.source));
    const link = safeUrl(via.link);
    return `<li>${look.svg}${link ? `<a href="${escapeHtml(link)}">${name}</a>` : name}</li>`;
  });
  return `<div class="entry__via">ほかにも投稿: <ul>${items.join('')}</ul></div>`;
}

function renderParts(parts: readonly Entry[], zone: string): string {
  const items = parts.map((part) => {
    const when = part.published ?? part.updated;
    const link = safeUrl(part.link);
    const title = escapeHtml(entryTitle(part));
    return `<li>${when ? renderTime(when, zone) : ''}${link ? `<a href="${escapeHtml(link)}">${title}</a>` : title}</li>`;
  });
  return `<details class="parts"><summary>${parts.length} 件をまとめています</summary><ol>${items.join('')}</ol></details>`;
}

function renderTime(when: When, zone: string): string {
  const machine = when.kind === 'date' ? formatDate(when, zone, 'display') : formatDate(when, zone, 'atom');
  return `<time datetime="${machine}">${formatDate(when, zone, 'display')}</time>`;
}

export function entryTitle(entry: Entry): string {
  if (entry.title.trim()) return entry.title.trim();
  const text = htmlToText(entry.content ?? entry.summary ?? '');
  return text ? deriveTitle(text) : '（無題）';
}

function sourceLabel(source: EntrySource): string {
  return source.feedTitle || source.account || serviceLook(source.service).label;
}

/** Only web and mail links leave this page: a `javascript:` link from a feed becomes plain text. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^(?:https?:\/\/|mailto:)/i.test(url.trim()) ? url.trim() : undefined;
}

function zoneLabel(zone: string): string {
  return zone === 'Asia/Tokyo' ? '日本時間（JST）' : zone;
}
