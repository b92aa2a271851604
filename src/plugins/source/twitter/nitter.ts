/**
 * Nitter-like bridges (`https://INSTANCE/USER/rss`, formats.md §2.5) rewrite every link to their
 * own host and mark retweets, replies and pinned posts in the title only. These pure functions
 * undo that: links back to x.com (so that merge and dedupe see one tweet, whatever instance
 * served it), and the title prefix read into tags.
 */

export { KNOWN_NITTER_HOSTS } from '../../../pipeline/urls.js';
import { KNOWN_NITTER_HOSTS } from '../../../pipeline/urls.js';

export interface NitterHosts {
  has(host: string): boolean;
}

export function nitterHosts(extra: readonly string[], builtIn: boolean): NitterHosts {
  const hosts = new Set(extra.map((host) => host.toLowerCase().replace(/^www\./, '')));
  if (builtIn) for (const host of KNOWN_NITTER_HOSTS) hosts.add(host);
  return {
    has: (host) => {
      const bare = host.toLowerCase().replace(/^www\./, '');
      return hosts.has(bare) || (builtIn && bare.startsWith('nitter.'));
    },
  };
}

export interface NitterStatus {
  user: string;
  id: string;
}

/** `https://nitter.net/taro/status/123#m` → `{ user: 'taro', id: '123' }`, for instance hosts only. */
export function nitterStatus(link: string | undefined, hosts: NitterHosts): NitterStatus | undefined {
  if (!link) return undefined;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return undefined;
  }
  if (!hosts.has(url.hostname)) return undefined;
  const match = /^\/([A-Za-z0-9_]{1,15})\/status(?:es)?\/(\d+)/.exec(url.pathname);
  return match ? { user: match[1]!, id: match[2]! } : undefined;
}

export function xStatusUrl(status: NitterStatus): string {
  return `https://x.com/${status.user}/status/${status.id}`;
}

/**
 * An instance URL as the x.com (or pbs.twimg.com) URL it mirrors. `undefined` when the URL is
 * not on an instance.
 */
export function rewriteInstanceUrl(href: string, hosts: NitterHosts): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (!hosts.has(url.hostname)) return undefined;
  const status = nitterStatus(href, hosts);
  if (status) return xStatusUrl(status);
  // Pictures are proxied as /pic/<percent-encoded path on pbs.twimg.com>, originals under /pic/orig/.
  const picture = /^\/pic\/(?:orig\/)?(.+)$/.exec(url.pathname);
  if (picture) {
    let path = picture[1]!;
    try {
      path = decodeURIComponent(path);
    } catch {
      // Leave a malformed escape as it is; the link still points somewhere sensible.
    }
    return `https://pbs.twimg.com/${path.replace(/^\/+/, '')}${url.search}`;
  }
  return `https://x.com${url.pathname}${url.search}`;
}

export type NitterMark = 'retweet' | 'reply' | 'pinned';

export interface NitterTitle {
  title: string;
  marks: NitterMark[];
  /** Who retweeted (`RT by @taro:`), or whom a reply answers (`R to @hanako:`). */
  retweetedBy?: string;
  replyTo?: string;
}

const TITLE_PREFIXES: Array<{ pattern: RegExp; mark: NitterMark; user?: 'retweetedBy' | 'replyTo' }> = [
  { pattern: /^Pinned:\s*/, mark: 'pinned' },
  { pattern: /^RT by @([A-Za-z0-9_]{1,15}):\s*/, mark: 'retweet', user: 'retweetedBy' },
  { pattern: /^RT:\s*/, mark: 'retweet' },
  { pattern: /^R to @([A-Za-z0-9_]{1,15}):\s*/, mark: 'reply', user: 'replyTo' },
];

/** Reads and strips Nitter's title prefixes (`Pinned: RT by @taro: …` carries both). */
export function parseNitterTitle(title: string): NitterTitle {
  const result: NitterTitle = { title, marks: [] };
  for (let changed = true; changed; ) {
    changed = false;
    for (const prefix of TITLE_PREFIXES) {
      const match = prefix.pattern.exec(result.title);
      if (!match) continue;
      result.title = result.title.slice(match[0].length);
      if (!result.marks.includes(prefix.mark)) result.marks.push(prefix.mark);
      if (prefix.user && match[1]) result[prefix.user] = match[1];
      changed = true;
    }
  }
  return result;
}

/** Rewrites every `href` / `src` on an instance in an HTML fragment. */
export function rewriteInstanceLinks(html: string, hosts: NitterHosts): string {
  return html.replace(/\b(href|src|poster)=(["'])(.*?)\2/gi, (whole, attribute: string, quote: string, value: string) => {
    const decoded = value.replace(/&amp;/g, '&');
    const rewritten = rewriteInstanceUrl(decoded, hosts);
    return rewritten ? `${attribute}=${quote}${rewritten.replace(/&/g, '&amp;')}${quote}` : whole;
  });
}

/** Links of the post that lead off the site: what the tweet shares (for matching a blog post). */
export function outboundLinks(html: string, hosts: NitterHosts): Array<{ url: string; expanded_url: string; display_url: string }> {
  const links: Array<{ url: string; expanded_url: string; display_url: string }> = [];
  for (const match of html.matchAll(/<a\b[^>]*\bhref=(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a>/gi)) {
    const href = match[2]!.replace(/&amp;/g, '&');
    let host: string;
    try {
      host = new URL(href).hostname.toLowerCase();
    } catch {
      continue;
    }
    if (hosts.has(host) || /(?:^|\.)(?:x|twitter)\.com$/.test(host) || host === 'pbs.twimg.com') continue;
    const text = match[3]!.replace(/<[^>]*>/g, '').trim();
    if (!links.some((link) => link.expanded_url === href)) links.push({ url: href, expanded_url: href, display_url: text || href });
  }
  return links;
}
