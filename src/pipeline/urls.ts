/**
 * Permalink normalisation: two spellings of one page get one key, so dedupe and cross-source
 * merge see them as the same item. The result is a key, not a link to show: it folds http into
 * https and may rewrite hosts (Nitter → x.com, old Hatena Diary → hatenadiary.jp).
 */

/** Query parameters that only track the click, never select the page. */
const TRACKING_PARAMETERS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'ref_src',
  'ref_url',
]);
const TRACKING_PREFIXES = ['utm_'];

/** Host prefixes that serve the same pages to phones. */
const MOBILE_PREFIXES = ['m.', 'mobile.', 'sp.', 'www.'];

/** Twitter's names and the front-ends that mirror its URLs (`/USER/status/ID`). */
const TWITTER_HOSTS = new Set(['twitter.com', 'x.com', 'fxtwitter.com', 'vxtwitter.com', 'fixupx.com', 'twittpr.com']);
/** Instances seen in the wild; any `nitter.*` host is taken as one too. */
export const KNOWN_NITTER_HOSTS: readonly string[] = [
  'nitter.net',
  'xcancel.com',
  'nitter.poast.org',
  'nitter.privacydev.net',
  'nitter.lucabased.xyz',
  'nitter.space',
  'nitter.tiekoetter.com',
  'nitter.kavin.rocks',
  'nitter.it',
  'nitter.cz',
  'nitter.1d4.us',
  'nitter.unixfox.eu',
  'nitter.moomoo.me',
  'nitter.woodland.cafe',
  'nitter.rawbit.ninja',
  'nitter.esmailelbob.xyz',
  'nitter.d420.de',
  'nitter.catsarch.com',
  'nitter.perennialte.ch',
  'nitter.salastil.com',
  'twiiit.com',
  'lightbrd.com',
];

const NITTER_HOSTS = new Set(KNOWN_NITTER_HOSTS);

const HATENA_DIARY_SUFFIXES = ['.hatenablog.com', '.hatenablog.jp', '.hatenadiary.jp', '.hatenadiary.com', '.hatenadiary.org'];
/** `/entry/20080530/1212150896` or `/entry/20080530/p1`: the migrated Hatena Diary form. */
const HATENA_ENTRY_PATH = /^\/entry\/(\d{8})\/(\d{9,11}|p\d+)$/;
/** `/USER/20080530/1212150896` on d.hatena.ne.jp. */
const HATENA_OLD_PATH = /^\/([A-Za-z][\w-]{1,31})\/(\d{8})\/(\d{9,11}|p\d+)$/;
/** `/USER/20080530` with `#p1`: a section anchor on the day page. */
const HATENA_OLD_DAY = /^\/([A-Za-z][\w-]{1,31})\/(\d{8})$/;
const HATENA_SECTION = /^p\d+$/;
const TWITTER_WEB_STATUS = /^\/i\/web\/status\/(\d+)/;

function isNitterHost(host: string): boolean {
  return NITTER_HOSTS.has(host) || host.startsWith('nitter.');
}

function stripHostPrefixes(host: string): string {
  let stripped = host;
  for (let changed = true; changed; ) {
    changed = false;
    for (const prefix of MOBILE_PREFIXES) {
      if (stripped.startsWith(prefix) && stripped.indexOf('.', prefix.length) > 0) {
        stripped = stripped.slice(prefix.length);
        changed = true;
      }
    }
  }
  return stripped;
}

/**
 * The URL without click-tracking parameters (`utm_*`, `fbclid`…), otherwise as written: the link
 * a merged entry shows. Not a URL, or nothing to drop → the input itself.
 */
export function withoutTracking(input: string): string {
  const query = input.indexOf('?');
  if (query < 0) return input;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return input;
  }
  const tracking = [...url.searchParams.keys()].filter(isTrackingParameter);
  if (tracking.length === 0) return input;
  for (const name of tracking) url.searchParams.delete(name);
  return url.href;
}

function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMETERS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

function hatenaDiaryKey(user: string, day: string, id: string): string {
  return `https://${user.toLowerCase()}.hatenadiary.jp/entry/${day}/${id}`;
}

/**
 * The key two copies of a page share. Not a URL (or not http) → returned trimmed, unchanged.
 *
 * - `utm_*`, `fbclid` and other click trackers dropped; the other parameters sorted;
 * - `http` and `https` folded; `www.`, `m.`, `mobile.` hosts folded; the fragment dropped;
 * - a trailing slash dropped;
 * - `twitter.com`, mirrors and Nitter hosts → `x.com/user/status/id` (user lowercased, share
 *   parameters dropped);
 * - Hatena Diary's old `d.hatena.ne.jp/USER/YYYYMMDD/EPOCH` and its migrated
 *   `USER.hatenablog.com|hatenadiary.jp/entry/YYYYMMDD/EPOCH` → one form (formats.md §1.7).
 */
export function normalizePermalink(input: string): string {
  let key = normalized.get(input);
  if (key !== undefined) return key;
  key = plainKey(input);
  // A plain link that is its own key is cheaper to read again than to remember.
  if (key === input) return key;
  key ??= normalize(input);
  remember(normalized, input, key);
  return key;
}

/**
 * Merge and dedupe ask for the same links several times per entry; a bounded memo keeps a
 * 100,000-entry run from working out each key thrice (and from making a new string for a tweet's
 * x.com key each time). Links that are their own key are not kept: a Map of 100,000 more strings
 * costs more (inserting, growing, and the garbage collector copying it) than reading each again.
 */
const MEMO_LIMIT = 250_000;
const normalized = new Map<string, string>();
const hosts = new Map<string, string | undefined>();

function remember<V>(memo: Map<string, V>, input: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(input, value);
}

/**
 * A plain link: `http://` or `https://`, a lower-case host of letters, digits, dots and hyphens,
 * then nothing or a path of plain characters (PLAIN_URL's, without `%`) with no `//` and no
 * segment starting with a dot, and no query or fragment. Most links in a large run are such; one
 * test of this costs no match array, no substrings and no parts object, and a third of reading
 * the characters one by one.
 */
const PLAIN_LINK = /^https?:\/\/[a-z0-9.-]+(?:\/[A-Za-z0-9\-_~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@]*)*\/?$/;

/** Where the host of a plain link ends (the first `/` after it, or the end), or -1 for any other input. */
function plainHostEnd(input: string): number {
  if (!PLAIN_LINK.test(input)) return -1;
  const slash = input.indexOf('/', input.charCodeAt(4) === 0x73 ? 8 : 7);
  return slash < 0 ? input.length : slash;
}

/** The key of a plain link (see plainHostEnd), or undefined for the full path. */
function plainKey(input: string): string | undefined {
  const hostEnd = plainHostEnd(input);
  if (hostEnd < 0) return undefined;
  const secure = input.charCodeAt(4) === 0x73;
  const hostname = input.slice(secure ? 8 : 7, hostEnd);
  const host = stripHostPrefixes(withoutTrailingDot(hostname));
  if (TWITTER_HOSTS.has(host) || isNitterHost(host) || host === 'd.hatena.ne.jp') {
    const path = hostEnd === input.length ? '/' : input.slice(hostEnd);
    // A tweet's link, the commonest of all, straight to its key.
    return (host !== 'd.hatena.ne.jp' && twitterStatusKey(path)) || keyOf(input, hostname, '', path, '', '');
  }
  // What keyOf does to such a link, without its string work: only Hatena's entry paths are
  // rewritten, and only a trailing slash is dropped.
  const hatenaDomain = hatenaDiarySuffix(host);
  if (hatenaDomain !== undefined) {
    const entry = HATENA_ENTRY_PATH.exec(input.slice(hostEnd));
    if (entry) return hatenaDiaryKey(host.slice(0, -hatenaDomain.length), entry[1]!, entry[2]!);
  }
  const trailingSlash = input.charCodeAt(input.length - 1) === 0x2f && input.length > hostEnd;
  // Most permalinks are already their own key: handing back the string as written keeps one copy
  // instead of two, and the copy a Map has already hashed.
  if (secure && host === hostname && !trailingSlash) return input;
  return `https://${host}${input.slice(hostEnd, trailingSlash ? input.length - 1 : input.length)}`;
}

interface UrlParts {
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
}

/**
 * Most permalinks are plain ASCII with no dot segments: those are split by one regex, whose parts
 * are what the WHATWG parser would give; anything else goes through `new URL`.
 */
const PLAIN_URL = /^(https?):\/\/([a-z0-9.-]+)(?::(\d{1,5}))?(\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*)?(\?[^#\s"<>`{}]*)?(#[^\s]*)?$/i;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

function parse(trimmed: string, whatwgOnly = false): UrlParts | undefined {
  const plain = whatwgOnly ? null : PLAIN_URL.exec(trimmed);
  if (plain && !DOT_SEGMENT.test(plain[4] ?? '')) {
    const protocol = `${plain[1]!.toLowerCase()}:`;
    const port = plain[3] ?? '';
    return {
      protocol,
      hostname: plain[2]!.toLowerCase(),
      port: (protocol === 'http:' && port === '80') || (protocol === 'https:' && port === '443') ? '' : port,
      pathname: plain[4] ?? '/',
      search: plain[5] && plain[5].length > 1 ? plain[5] : '',
      hash: plain[6] && plain[6].length > 1 ? plain[6] : '',
    };
  }
  try {
    return new URL(trimmed);
  } catch {
    return undefined;
  }
}

function normalize(input: string, whatwgOnly = false): string {
  const trimmed = input.trim();
  const url = parse(trimmed, whatwgOnly);
  if (!url) return trimmed;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return trimmed;
  return keyOf(trimmed, url.hostname, url.port, url.pathname, url.search, url.hash);
}

/** The key of an http(s) URL from its parts as the WHATWG parser gives them; `trimmed` is the URL as written. */
function keyOf(trimmed: string, hostname: string, urlPort: string, pathname: string, search: string, hash: string): string {
  let host = stripHostPrefixes(withoutTrailingDot(hostname));
  let path = pathname;
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (path.includes('%')) path = path.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());

  if (TWITTER_HOSTS.has(host) || isNitterHost(host)) {
    host = 'x.com';
    const status = twitterStatusKey(path);
    if (status !== undefined) return status;
    const webStatus = TWITTER_WEB_STATUS.exec(path);
    if (webStatus) return `https://x.com/i/web/status/${webStatus[1]}`;
    path = path.toLowerCase();
  }

  if (host === 'd.hatena.ne.jp') {
    const old = HATENA_OLD_PATH.exec(path);
    if (old) return hatenaDiaryKey(old[1]!, old[2]!, old[3]!);
    const day = HATENA_OLD_DAY.exec(path);
    const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
    if (day && HATENA_SECTION.test(fragment)) return hatenaDiaryKey(day[1]!, day[2]!, fragment);
  }
  const hatenaDomain = hatenaDiarySuffix(host);
  if (hatenaDomain !== undefined) {
    const entry = HATENA_ENTRY_PATH.exec(path);
    if (entry) return hatenaDiaryKey(host.slice(0, -hatenaDomain.length), entry[1]!, entry[2]!);
  }

  const parameters = search ? [...new URLSearchParams(search)].filter(([name]) => !isTrackingParameter(name)) : [];
  parameters.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const query = parameters.length > 0 ? `?${new URLSearchParams(parameters).toString()}` : '';
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
  if (path === '/') path = '';
  const port = urlPort && urlPort !== '80' && urlPort !== '443' ? `:${urlPort}` : '';
  const key = `https://${host}${port}${path}${query}`;
  // As for plain links: the string as written rather than a second copy of it.
  return key === trimmed ? trimmed : key;
}

/** True when `code` is the ASCII letter `lower` in either case. */
function isLetter(code: number, lower: number): boolean {
  return (code | 0x20) === lower && ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a));
}

/**
 * `/USER/status/ID` (or `statuses`, in any case) → the x.com key; what
 * `/^\/([^/]+)\/status(?:es)?\/(\d+)/i` matches, scanned by hand because most links in a large
 * run are tweets and a match array for each was a tenth of the permalink work.
 */
function twitterStatusKey(path: string): string | undefined {
  const slash = path.indexOf('/', 1);
  if (path.charCodeAt(0) !== 0x2f || slash < 2) return undefined;
  let at = slash + 1;
  for (const letter of STATUS) if (!isLetter(path.charCodeAt(at++), letter)) return undefined;
  if (isLetter(path.charCodeAt(at), 0x65) && isLetter(path.charCodeAt(at + 1), 0x73) && path.charCodeAt(at + 2) === 0x2f) at += 2;
  if (path.charCodeAt(at++) !== 0x2f) return undefined;
  let end = at;
  while (end < path.length && path.charCodeAt(end) >= 0x30 && path.charCodeAt(end) <= 0x39) end++;
  if (end === at) return undefined;
  return `https://x.com/${path.slice(1, slash).toLowerCase()}/status/${path.slice(at, end)}`;
}
const STATUS = Array.from('status', (char) => char.charCodeAt(0));

function withoutTrailingDot(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

function hatenaDiarySuffix(host: string): string | undefined {
  for (const suffix of HATENA_DIARY_SUFFIXES) if (host.endsWith(suffix)) return suffix;
  return undefined;
}

/** The host of a URL with `www.`/`m.`/`mobile.` folded, or undefined when it is not a URL. */
export function hostOf(input: string | undefined): string | undefined {
  if (!input) return undefined;
  const hostEnd = plainHostEnd(input);
  if (hostEnd >= 0) return stripHostPrefixes(withoutTrailingDot(input.slice(input.charCodeAt(4) === 0x73 ? 8 : 7, hostEnd)));
  const known = hosts.get(input);
  if (known !== undefined || hosts.has(input)) return known;
  const host = parseHost(input);
  remember(hosts, input, host);
  return host;
}

function parseHost(input: string): string | undefined {
  const url = parse(input.trim());
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  return stripHostPrefixes(withoutTrailingDot(url.hostname));
}

/** For tests: the same normalisation with every URL through the WHATWG parser. */
export function normalizePermalinkWithWhatwg(input: string): string {
  return normalize(input, true);
}

/**
 * `text?.trim()` as a condition (some character other than whitespace), without calling trim for
 * the usual text that starts with a printable ASCII character: dedupe and merge ask it of every
 * entry's link and guid.
 */
export function hasText(text: string | undefined): text is string {
  if (text === undefined || text.length === 0) return false;
  const first = text.charCodeAt(0);
  return (first > 0x20 && first < 0x7f) || text.trim() !== '';
}

/** True when `host` is `domain` or one of its subdomains. */
export function hostWithin(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
