/**
 * The article in a page: a site rule's selector when one matches, else a readability-style guess
 * (paragraph text scored up the tree, penalised for link density and for boilerplate names).
 * Pure: HTML text and its URL in, article HTML out.
 */
import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { ruleFor, type SiteRule } from './sites.js';

export interface Extracted {
  html: string;
  /** How it was found, for the log: `site:hatenablog.com` or `generic`. */
  method: string;
  /** The page's own title (og:title, else <title>). */
  title?: string;
}

/** Never part of an article. */
const ALWAYS_REMOVE = 'script, style, noscript, template, iframe, object, embed, form, button, input, select, textarea, nav, svg, link, meta';
/** Names of blocks that hold everything but the article. */
const UNLIKELY = /comment|footer|footnote-ad|nav|menu|sidebar|side-bar|widget|share|social|related|recommend|banner|advert|\bads?\b|ad-|sponsor|breadcrumb|pager|pagination|header|masthead|popup|modal|cookie|subscribe|newsletter|profile|author-box/i;
const LIKELY = /article|body|content|entry|main|post|text|story|blog/i;
/** Below this much text a guess is more likely a teaser or a menu than an article. */
const MIN_ARTICLE_CHARS = 140;
const PARAGRAPH_TAGS = 'p, pre, blockquote, li, td, h2, h3';

function attr(element: Element, name: string): string {
  return element.attribs?.[name] ?? '';
}

function absolutize($: cheerio.CheerioAPI, root: cheerio.Cheerio<AnyNode>, base: string): void {
  const resolve = (value: string) => {
    try {
      return new URL(value, base).href;
    } catch {
      return value;
    }
  };
  root.find('a[href]').each((_, el) => void $(el).attr('href', resolve(attr(el, 'href'))));
  root.find('img[src]').each((_, el) => void $(el).attr('src', resolve(attr(el, 'src'))));
  for (const lazy of ['data-src', 'data-original', 'data-lazy-src']) {
    root.find(`img[${lazy}]`).each((_, el) => void $(el).attr(lazy, resolve(attr(el, lazy))));
  }
}

function textLength($: cheerio.CheerioAPI, node: cheerio.Cheerio<AnyNode>): number {
  return node.text().replace(/\s+/g, '').length;
}

function linkDensity($: cheerio.CheerioAPI, node: cheerio.Cheerio<AnyNode>): number {
  const total = textLength($, node);
  if (total === 0) return 1;
  let linked = 0;
  node.find('a').each((_, a) => void (linked += textLength($, $(a))));
  return Math.min(1, linked / total);
}

function guessArticle($: cheerio.CheerioAPI): cheerio.Cheerio<AnyNode> | undefined {
  $('body *').each((_, el) => {
    if (el.type !== 'tag') return;
    const names = `${attr(el, 'class')} ${attr(el, 'id')} ${attr(el, 'role')}`;
    if (el.tagName === 'body' || el.tagName === 'article' || el.tagName === 'main') return;
    if (UNLIKELY.test(names) && !LIKELY.test(names)) $(el).remove();
  });
  $('header, footer, aside').remove();

  const scores = new Map<Element, number>();
  $(PARAGRAPH_TAGS).each((_, el) => {
    const text = $(el).text().replace(/\s+/g, ' ').trim();
    if (text.length < 25) return;
    // Commas in English, 読点 and 句点 in Japanese: sentences are what articles are made of.
    const sentences = (text.match(/[,、。.!?！？]/g) ?? []).length;
    const score = 1 + sentences + Math.min(3, Math.floor(text.length / 100));
    const parent = el.parent?.type === 'tag' ? (el.parent as Element) : undefined;
    const grandparent = parent?.parent?.type === 'tag' ? (parent.parent as Element) : undefined;
    if (parent) scores.set(parent, (scores.get(parent) ?? 0) + score);
    if (grandparent) scores.set(grandparent, (scores.get(grandparent) ?? 0) + score / 2);
  });

  let best: Element | undefined;
  let bestScore = 0;
  for (const [element, raw] of scores) {
    const names = `${attr(element, 'class')} ${attr(element, 'id')}`;
    const bonus = element.tagName === 'article' || element.tagName === 'main' || LIKELY.test(names) ? 1.25 : 1;
    const score = raw * bonus * (1 - linkDensity($, $(element)));
    if (score > bestScore) {
      best = element;
      bestScore = score;
    }
  }
  if (!best) return undefined;
  const chosen = $(best);
  return textLength($, chosen) >= MIN_ARTICLE_CHARS ? chosen : undefined;
}

function pageTitle($: cheerio.CheerioAPI): string | undefined {
  const title = $('meta[property="og:title"]').attr('content') ?? $('title').first().text();
  const trimmed = title?.replace(/\s+/g, ' ').trim();
  return trimmed || undefined;
}

/** The article of `html` (served from `url`), or undefined when nothing looks like one. */
export function extractArticle(html: string, url: string, rules: readonly SiteRule[]): Extracted | undefined {
  const $ = cheerio.load(html);
  const title = pageTitle($);
  $(ALWAYS_REMOVE).remove();
  $('*')
    .contents()
    .filter((_, node) => node.type === 'comment')
    .remove();

  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const rule = parsed ? ruleFor(parsed, rules) : undefined;
  let body: cheerio.Cheerio<AnyNode> | undefined;
  let method = 'generic';
  if (rule) {
    const found = $(rule.selector).first();
    if (found.length > 0) {
      for (const selector of rule.remove ?? []) found.find(selector).remove();
      if (textLength($, found) > 0) {
        body = found;
        method = `site:${rule.domain}`;
      }
    }
  }
  body ??= guessArticle($);
  if (!body) return undefined;
  absolutize($, body, url);
  const inner = body.html()?.trim();
  if (!inner) return undefined;
  return { html: inner, method, ...(title ? { title } : {}) };
}
