/**
 * Hatena notation (はてな記法) to HTML, as Hatena Diary rendered it: the source of a diary export's
 * `<day><body>` is notation, not HTML. Block constructs are recognised line by line; inline ones
 * only in text, never inside HTML tags, `<a>` elements or super-pre blocks. Raw HTML written in
 * the notation passes through (Hatena allowed it; the publisher's sanitizer runs later), with
 * stray `<` and `&` escaped so the result is well-formed.
 */
import { escapeHtml } from '../../../text/html.js';

export interface NotationOptions {
  /** Makes footnote anchors unique when several entries share a page: `20080530-p1`. */
  anchorPrefix?: string;
  /** Hatena keyword pages, for `[[keyword]]`. */
  keywordBase?: string;
}

export interface RenderedNotation {
  html: string;
  /** Unclosed blocks and similar, with the 1-based line in the rendered source. */
  warnings: Array<{ line: number; message: string }>;
}

const KEYWORD_BASE = 'https://d.hatena.ne.jp/keyword/';
const FOTOLIFE_IMAGE_BASE = 'https://cdn-ak.f.st-hatena.com/images/fotolife';
const FOTOLIFE_PAGE_BASE = 'https://f.hatena.ne.jp';
const PROFILE_BASE = 'https://profile.hatena.ne.jp';

// ─── Block structure ─────────────────────────────────────────────────────────────────────────

const SUPER_PRE_OPEN = /^>\|([^|]*)\|$/;
const SUPER_PRE_CLOSE = /^\|\|<$/;
const PRE_OPEN = /^>\|$/;
const PRE_CLOSE = /^(.*)\|<$/;
const QUOTE_OPEN = /^>(?:(https?:\/\/[^>]*?)(?::title(?:=([^>]*))?)?)?>$/;
const QUOTE_CLOSE = /^<<$/;
const RAW_OPEN = /^>(<.*)$/;
const RAW_CLOSE = /^(.*>)<$/;
const LIST_ITEM = /^([-+]+)(.*)$/;
const DEFINITION = /^:([^:]*):(.*)$/;
const TABLE_ROW = /^\|(.*)\|$/;
const SUB_HEADING = /^(\*{1,3})(.*)$/;
const FOLD = /^={4,5}$/;

/** Whether a line opens a block whose lines are not notation (so a `*ptr` there is code). */
export function superPreOpening(line: string): boolean {
  return SUPER_PRE_OPEN.test(line);
}

export function isSuperPreClosing(line: string): boolean {
  return SUPER_PRE_CLOSE.test(line.trimEnd());
}

/** Text of a source with HTML comments (private text in Hatena) removed, outside super-pre. */
export function removeHiddenText(lines: string[]): string[] {
  const kept: string[] = [];
  let hiding = false;
  let inSuperPre = false;
  for (const line of lines) {
    if (inSuperPre) {
      kept.push(line);
      if (isSuperPreClosing(line)) inSuperPre = false;
      continue;
    }
    if (!hiding && superPreOpening(line)) {
      inSuperPre = true;
      kept.push(line);
      continue;
    }
    let rest = line;
    let visible = '';
    let touched = hiding;
    while (rest.length) {
      if (hiding) {
        const end = rest.indexOf('-->');
        if (end === -1) break;
        rest = rest.slice(end + 3);
        hiding = false;
        continue;
      }
      const start = rest.indexOf('<!--');
      if (start === -1) {
        visible += rest;
        break;
      }
      visible += rest.slice(0, start);
      rest = rest.slice(start + 4);
      hiding = true;
      touched = true;
    }
    // A line that held only hidden text disappears rather than leaving an empty paragraph.
    if (!touched || visible.trim() !== '') kept.push(visible);
  }
  return kept;
}

interface BlockState {
  options: NotationOptions;
  footnotes: string[];
  warnings: Array<{ line: number; message: string }>;
}

/** Renders notation source (one entry's body, without its `*` heading) to HTML. */
export function renderHatenaNotation(source: string, options: NotationOptions = {}): RenderedNotation {
  const state: BlockState = { options, footnotes: [], warnings: [] };
  const lines = removeHiddenText(source.replace(/\r\n?/g, '\n').split('\n'));
  const numbered = lines.map((text, index) => ({ text, number: index + 1 }));
  const blocks = renderBlocks(numbered, state);
  if (state.footnotes.length) blocks.push(renderFootnotes(state));
  return { html: blocks.join('\n'), warnings: state.warnings };
}

/** Inline notation of one line (a title, a comment) to HTML, without footnote blocks. */
export function renderHatenaInline(text: string, options: NotationOptions = {}): string {
  return renderInline(text, { options, footnotes: [], warnings: [] });
}

interface Line {
  text: string;
  number: number;
}

function renderBlocks(lines: Line[], state: BlockState): string[] {
  const html: string[] = [];
  let blankRun = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const text = line.text;
    if (text.trim() === '') {
      blankRun++;
      i++;
      continue;
    }
    // Hatena Diary turned a second (and further) blank line in a row into a visible line break.
    for (let extra = 1; extra < blankRun; extra++) html.push('<br />');
    blankRun = 0;

    const superPre = SUPER_PRE_OPEN.exec(text);
    if (superPre) {
      const end = findLine(lines, i + 1, (candidate) => isSuperPreClosing(candidate));
      if (end === -1) state.warnings.push({ line: line.number, message: `${text} is never closed by ||<; the rest is shown as code` });
      const body = lines.slice(i + 1, end === -1 ? lines.length : end).map((l) => l.text);
      const language = superPre[1]!.trim();
      const classes = language && language !== '?' ? ` class="code lang-${escapeHtml(language)}"` : ' class="code"';
      html.push(`<pre${classes}>${escapeHtml(body.join('\n'))}</pre>`);
      i = end === -1 ? lines.length : end + 1;
      continue;
    }

    if (PRE_OPEN.test(text)) {
      const end = findLine(lines, i + 1, (candidate) => PRE_CLOSE.test(candidate));
      if (end === -1) state.warnings.push({ line: line.number, message: '>| is never closed by |<; the rest is shown preformatted' });
      const body = lines.slice(i + 1, end === -1 ? lines.length : end).map((l) => l.text);
      const lastPart = end === -1 ? '' : PRE_CLOSE.exec(lines[end]!.text)![1]!;
      if (lastPart) body.push(lastPart);
      html.push(`<pre>${body.map((l) => renderInline(l, state)).join('\n')}</pre>`);
      i = end === -1 ? lines.length : end + 1;
      continue;
    }

    const raw = RAW_OPEN.exec(text);
    if (raw) {
      const single = RAW_CLOSE.exec(raw[1]!);
      if (single) {
        html.push(single[1]!);
        i++;
        continue;
      }
      const end = findLine(lines, i + 1, (candidate) => RAW_CLOSE.test(candidate));
      if (end === -1) state.warnings.push({ line: line.number, message: '>< raw block is never closed by ><' });
      const body = [raw[1]!, ...lines.slice(i + 1, end === -1 ? lines.length : end).map((l) => l.text)];
      if (end !== -1) body.push(RAW_CLOSE.exec(lines[end]!.text)![1]!);
      html.push(body.join('\n'));
      i = end === -1 ? lines.length : end + 1;
      continue;
    }

    const quote = QUOTE_OPEN.exec(text);
    if (quote) {
      const end = findQuoteEnd(lines, i + 1);
      if (end === -1) state.warnings.push({ line: line.number, message: `${text} is never closed by <<` });
      const inner = renderBlocks(lines.slice(i + 1, end === -1 ? lines.length : end), state);
      const cite = quote[1];
      if (cite) {
        const label = quote[2] ? renderInline(quote[2], state) : escapeHtml(cite);
        inner.push(`<cite><a href="${escapeHtml(cite)}">${label}</a></cite>`);
      }
      const citeAttribute = cite ? ` cite="${escapeHtml(cite)}"` : '';
      html.push(`<blockquote${citeAttribute}>${inner.join('\n')}</blockquote>`);
      i = end === -1 ? lines.length : end + 1;
      continue;
    }

    if (LIST_ITEM.test(text)) {
      const end = runEnd(lines, i, (candidate) => LIST_ITEM.test(candidate));
      html.push(renderList(lines.slice(i, end).map((l) => l.text), state));
      i = end;
      continue;
    }

    if (DEFINITION.test(text)) {
      const end = runEnd(lines, i, (candidate) => DEFINITION.test(candidate));
      const items = lines.slice(i, end).map((l) => {
        const [, term, description] = DEFINITION.exec(l.text)!;
        return (term ? `<dt>${renderInline(term, state)}</dt>` : '') + `<dd>${renderInline(description!, state)}</dd>`;
      });
      html.push(`<dl>${items.join('')}</dl>`);
      i = end;
      continue;
    }

    if (TABLE_ROW.test(text)) {
      const end = runEnd(lines, i, (candidate) => TABLE_ROW.test(candidate));
      const rows = lines.slice(i, end).map((l) => {
        const cells = TABLE_ROW.exec(l.text)![1]!.split('|');
        return `<tr>${cells.map((cell) => (cell.startsWith('*') ? `<th>${renderInline(cell.slice(1), state)}</th>` : `<td>${renderInline(cell, state)}</td>`)).join('')}</tr>`;
      });
      html.push(`<table>${rows.join('')}</table>`);
      i = end;
      continue;
    }

    const heading = SUB_HEADING.exec(text);
    if (heading) {
      const level = heading[1]!.length + 2;
      html.push(`<h${level}>${renderInline(heading[2]!, state)}</h${level}>`);
      i++;
      continue;
    }

    if (FOLD.test(text)) {
      // "Read more" folds only split the diary's day page; a feed shows the whole entry.
      i++;
      continue;
    }

    html.push(`<p>${renderInline(text, state)}</p>`);
    i++;
  }
  return html;
}

function findLine(lines: Line[], from: number, test: (text: string) => boolean): number {
  for (let i = from; i < lines.length; i++) if (test(lines[i]!.text)) return i;
  return -1;
}

function runEnd(lines: Line[], from: number, test: (text: string) => boolean): number {
  let i = from;
  while (i < lines.length && test(lines[i]!.text)) i++;
  return i;
}

/** The `<<` that closes a quote, counting nested quotes and skipping super-pre contents. */
function findQuoteEnd(lines: Line[], from: number): number {
  let depth = 1;
  let inSuperPre = false;
  for (let i = from; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (inSuperPre) {
      if (isSuperPreClosing(text)) inSuperPre = false;
      continue;
    }
    if (SUPER_PRE_OPEN.test(text)) inSuperPre = true;
    else if (QUOTE_OPEN.test(text)) depth++;
    else if (QUOTE_CLOSE.test(text) && --depth === 0) return i;
  }
  return -1;
}

function renderList(items: string[], state: BlockState): string {
  let html = '';
  const open: Array<'ul' | 'ol'> = [];
  const itemOpen: boolean[] = [];
  for (const item of items) {
    const [, marks, text] = LIST_ITEM.exec(item)!;
    const depth = marks!.length;
    while (open.length > depth) {
      if (itemOpen.pop()) html += '</li>';
      html += `</${open.pop()}>`;
    }
    if (open.length === depth && itemOpen[depth - 1]) html += '</li>';
    while (open.length < depth) {
      // A list that starts two levels deep still needs an item to hang from.
      if (open.length > 0 && !itemOpen[open.length - 1]) {
        html += '<li>';
        itemOpen[open.length - 1] = true;
      }
      const tag = marks![open.length] === '+' ? 'ol' : 'ul';
      html += `<${tag}>`;
      open.push(tag);
      itemOpen.push(false);
    }
    html += `<li>${renderInline(text!.trimStart(), state)}`;
    itemOpen[depth - 1] = true;
  }
  while (open.length) {
    if (itemOpen.pop()) html += '</li>';
    html += `</${open.pop()}>`;
  }
  return html;
}

function renderFootnotes(state: BlockState): string {
  const notes = state.footnotes.map((note, index) => {
    const number = index + 1;
    const { noteId, referenceId } = footnoteIds(state.options, number);
    return `<p class="footnote"><a href="#${referenceId}" id="${noteId}">*${number}</a>: ${note}</p>`;
  });
  return `<div class="footnote">${notes.join('')}</div>`;
}

function footnoteIds(options: NotationOptions, number: number): { noteId: string; referenceId: string } {
  const prefix = options.anchorPrefix ? `${options.anchorPrefix.replace(/[^\w-]/g, '-')}-` : '';
  return { noteId: `f-${prefix}${number}`, referenceId: `fn-${prefix}${number}` };
}

// ─── Inline notation ─────────────────────────────────────────────────────────────────────────

// Placeholders keep already-rendered pieces away from later passes; the private-use characters
// are removed from the input first, so input can never forge one.
const PLACEHOLDER_START = '\uE000';
const PLACEHOLDER_END = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

const LINK_OPTIONS = '(?::(?:w\\d+|h\\d+|small|left|right|plain|detail))*';
const INLINE = new RegExp(
  [
    // []word[] stops notation inside it
    String.raw`\[\]([\s\S]*?)\[\]`,
    // [http://x:title=text], [http://x:image:w300], [http://x]
    String.raw`\[(https?:\/\/[^\s\]]+?)(?::(title|bookmark|image|barcode|movie|embed)(?:=([^\]]*))?)?(${LINK_OPTIONS})\]`,
    // [f:id:user:20080530123456j:image:w300] and the bare form
    String.raw`\[?f:id:([A-Za-z][\w-]{1,31})(?::(\d{14})([jpgb])?(?::(image|movie))?(${LINK_OPTIONS}))?\]?`,
    // [id:user] and bare id:user
    String.raw`\[id:([A-Za-z][\w-]{1,31})\]|(?<![\w:/.-])id:([A-Za-z][\w-]{1,31})`,
    // [[keyword]]
    String.raw`\[\[([^\]]+)\]\]`,
    // [isbn:…], [asin:…:detail], bare isbn:…/asin:…
    String.raw`\[(?:isbn|asin):([0-9A-Za-z-]{10,17})(?::\w+)*\]|(?<![\w:/])(?:isbn|asin):([0-9A-Z]{10}|[0-9-]{13,17})`,
    // [twitter:1234567890:detail]
    String.raw`\[twitter:(\d+)(?::\w+)*\]`,
    // [tex:…]
    String.raw`\[tex:([^\]]+)\]`,
    // [google:query], [wikipedia:ja:word]
    String.raw`\[google:([^\]]+)\]|\[wikipedia:(?:([a-z]{2,3}):)?([^\]]+)\]`,
    // bare http(s) URLs
    String.raw`(?<![\w"'=])(https?:\/\/[\w\-.~:/?#@!$&*+,;=%]+)`,
  ].join('|'),
  'g',
);

const TAG_OR_COMMENT = /<!--[\s\S]*?-->|<\/?[A-Za-z][^<>]*>/g;

function renderInline(text: string, state: BlockState): string {
  const pieces: string[] = [];
  const keep = (html: string): string => {
    pieces.push(html);
    return `${PLACEHOLDER_START}${pieces.length - 1}${PLACEHOLDER_END}`;
  };
  let source = text.replace(/[\uE000\uE001]/g, '');
  // )((…))( is how Hatena writes literal double parentheses.
  source = source.replace(/\)\(\(([\s\S]*?)\)\)\(/g, (_match, inner: string) => keep(`((${escapeText(inner)}))`));
  source = source.replace(/\(\(([\s\S]+?)\)\)/g, (_match, note: string) => {
    const rendered = renderInline(note, { ...state, footnotes: [] });
    state.footnotes.push(rendered);
    const number = state.footnotes.length;
    const { noteId, referenceId } = footnoteIds(state.options, number);
    const title = escapeHtml(stripTags(rendered));
    return keep(`<span class="footnote"><a href="#${noteId}" title="${title}" id="${referenceId}">*${number}</a></span>`);
  });

  let html = '';
  let anchorDepth = 0;
  let last = 0;
  for (const match of source.matchAll(TAG_OR_COMMENT)) {
    const segment = source.slice(last, match.index);
    html += anchorDepth > 0 ? escapeText(segment) : expandNotation(segment, state, keep);
    const tag = match[0];
    if (/^<a[\s>]/i.test(tag)) anchorDepth++;
    else if (/^<\/a\s*>/i.test(tag) && anchorDepth > 0) anchorDepth--;
    html += tag;
    last = match.index + tag.length;
  }
  const rest = source.slice(last);
  html += anchorDepth > 0 ? escapeText(rest) : expandNotation(rest, state, keep);
  return restorePlaceholders(html, pieces);
}

function restorePlaceholders(html: string, pieces: string[]): string {
  let result = html;
  // Pieces can hold placeholders of earlier pieces (a footnote inside a link text).
  while (PLACEHOLDER.test(result)) {
    result = result.replace(PLACEHOLDER, (_match, index: string) => pieces[Number(index)] ?? '');
  }
  return result;
}

/** Text that is not a tag: `&` that starts no entity and stray `<` / `>` become entities. */
function escapeText(text: string): string {
  return text
    .replace(/&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function expandNotation(segment: string, state: BlockState, keep: (html: string) => string): string {
  let out = '';
  let last = 0;
  for (const match of segment.matchAll(INLINE)) {
    out += escapeText(segment.slice(last, match.index));
    out += keep(renderMatch(match, state));
    last = match.index + match[0].length;
  }
  return out + escapeText(segment.slice(last));
}

function sizeAttributes(options: string | undefined): string {
  let attributes = '';
  for (const option of (options ?? '').split(':')) {
    const size = /^([wh])(\d+)$/.exec(option);
    if (size) attributes += ` ${size[1] === 'w' ? 'width' : 'height'}="${size[2]}"`;
  }
  return attributes;
}

function link(url: string, label: string): string {
  return `<a href="${escapeHtml(url)}">${label}</a>`;
}

const FOTOLIFE_EXTENSIONS: Record<string, string> = { j: 'jpg', p: 'png', g: 'gif', b: 'bmp' };

/** The image URL of a fotolife id such as `f:id:taro:20080530123456j:image`. */
export function fotolifeImageUrl(user: string, stamp: string, typeLetter = 'j'): string {
  const extension = FOTOLIFE_EXTENSIONS[typeLetter] ?? 'jpg';
  return `${FOTOLIFE_IMAGE_BASE}/${user[0]}/${user}/${stamp.slice(0, 8)}/${stamp}.${extension}`;
}

function renderMatch(match: RegExpMatchArray, state: BlockState): string {
  const [whole] = match;
  const group = (n: number): string | undefined => match[n];
  if (group(1) !== undefined) return escapeText(group(1)!);
  if (group(2) !== undefined) {
    const url = group(2)!;
    const kind = group(3);
    const label = group(4);
    if (kind === 'image') return `<img src="${escapeHtml(url)}" alt="${escapeHtml(url)}"${sizeAttributes(group(5))} />`;
    if (kind === 'title' && label) return link(url, renderInline(label, { ...state, footnotes: [] }));
    return link(url, escapeHtml(url));
  }
  if (whole.startsWith('f:id:') || whole.startsWith('[f:id:')) {
    const user = group(6)!;
    const stamp = group(7);
    const opened = whole.startsWith('[');
    const closed = whole.endsWith(']');
    // A bare f:id:… followed by an unrelated "]" must give the bracket back to the text.
    const trailing = !opened && closed ? ']' : '';
    const leading = opened && !closed ? '[' : '';
    if (!stamp) return leading + link(`${FOTOLIFE_PAGE_BASE}/${user}/`, escapeHtml(`f:id:${user}`)) + escapeText(trailing);
    const page = `${FOTOLIFE_PAGE_BASE}/${user}/${stamp}`;
    if (group(9) === 'image') {
      const src = fotolifeImageUrl(user, stamp, group(8));
      const alt = `f:id:${user}:${stamp}${group(8) ?? ''}:image`;
      return (
        leading +
        `<a href="${page}" class="hatena-fotolife"><img src="${src}" alt="${escapeHtml(alt)}"${sizeAttributes(group(10))} /></a>` +
        escapeText(trailing)
      );
    }
    return leading + link(page, escapeHtml(`f:id:${user}:${stamp}${group(8) ?? ''}`)) + escapeText(trailing);
  }
  const user = group(11) ?? group(12);
  if (user !== undefined) return link(`${PROFILE_BASE}/${user}/`, `id:${escapeHtml(user)}`);
  if (group(13) !== undefined) {
    const keyword = group(13)!;
    return `<a class="keyword" href="${escapeHtml((state.options.keywordBase ?? KEYWORD_BASE) + encodeURIComponent(keyword))}">${escapeText(keyword)}</a>`;
  }
  const book = group(14) ?? group(15);
  if (book !== undefined) {
    const asin = book.replace(/-/g, '');
    return link(`https://www.amazon.co.jp/dp/${asin}`, escapeHtml(whole.replace(/^\[|\]$/g, '')));
  }
  if (group(16) !== undefined) {
    const url = `https://twitter.com/i/status/${group(16)}`;
    return link(url, escapeHtml(url));
  }
  if (group(17) !== undefined) return `<span class="tex">${escapeText(group(17)!)}</span>`;
  if (group(18) !== undefined) {
    return link(`https://www.google.com/search?q=${encodeURIComponent(group(18)!)}`, `google:${escapeText(group(18)!)}`);
  }
  if (group(20) !== undefined) {
    const language = group(19) ?? 'ja';
    const word = group(20)!;
    return link(`https://${language}.wikipedia.org/wiki/${encodeURIComponent(word)}`, `wikipedia:${escapeText(word)}`);
  }
  if (group(21) !== undefined) return link(group(21)!, escapeHtml(group(21)!));
  return escapeText(whole);
}

// ─── Splitting a day into entries ────────────────────────────────────────────────────────────

/** How a section's heading names it: `*1212150896*` timestamp, `*p1*`, `*name*`, or nothing. */
export type SectionAnchor =
  | { kind: 'timestamp'; epochSeconds: number; value: string }
  | { kind: 'position'; value: string }
  | { kind: 'name'; value: string };

export interface DiarySection {
  /** From the heading: undefined for text before the first heading. */
  anchor?: SectionAnchor;
  /** Heading title as written (notation, may hold HTML); '' when none. */
  titleSource: string;
  /** `[cat]` prefixes of the heading. */
  categories: string[];
  /** Notation source of the section, without the heading line. */
  body: string;
  /** 1-based line of the heading (or of the first body line) within the day body. */
  line: number;
  /** 1-based line within the day body where `body` starts (blank lines around it are trimmed). */
  bodyLine: number;
  /** False for text before the first heading. */
  headed: boolean;
}

const ENTRY_HEADING = /^\*(?!\*)(?:(\d{9,11}|p\d+|[A-Za-z][\w-]*)\*)?((?:\[[^\]\n]+\])*)(.*)$/;

export interface SplitDay {
  sections: DiarySection[];
  warnings: Array<{ line: number; message: string }>;
}

/**
 * Splits a day's notation into entries at `*…` heading lines. Lines inside `>||…||<` and `>|…|<`
 * blocks are never headings: `*ptr` or a crontab line there is code.
 */
export function splitDiaryDay(body: string): SplitDay {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const sections: DiarySection[] = [];
  const warnings: SplitDay['warnings'] = [];
  let current: DiarySection | undefined;
  let currentLines: string[] = [];
  let block: { kind: 'superpre' | 'pre'; line: number; opening: string } | undefined;

  const finish = (): void => {
    if (!current) return;
    const leadingBlank = currentLines.findIndex((line) => line.trim() !== '');
    const firstBodyIndex = leadingBlank === -1 ? currentLines.length : leadingBlank;
    current.bodyLine = current.line + (current.headed ? 1 : 0) + firstBodyIndex;
    current.body = currentLines.slice(firstBodyIndex).join('\n').replace(/\s+$/, '');
    if (current.headed || current.body.trim() !== '') sections.push(current);
  };

  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (block) {
      if (block.kind === 'superpre' ? isSuperPreClosing(line) : PRE_CLOSE.test(line)) block = undefined;
      currentLines.push(line);
      return;
    }
    if (SUPER_PRE_OPEN.test(line)) block = { kind: 'superpre', line: lineNumber, opening: line };
    else if (PRE_OPEN.test(line)) block = { kind: 'pre', line: lineNumber, opening: line };
    const heading = block ? null : ENTRY_HEADING.exec(line);
    if (!heading) {
      if (!current) {
        current = { titleSource: '', categories: [], body: '', line: lineNumber, bodyLine: lineNumber, headed: false };
        currentLines = [];
      }
      currentLines.push(line);
      return;
    }
    finish();
    const [, anchorText, categoryText, title] = heading;
    current = {
      anchor: anchorText === undefined ? undefined : parseAnchor(anchorText),
      titleSource: title!.trim(),
      categories: [...categoryText!.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!),
      body: '',
      line: lineNumber,
      bodyLine: lineNumber + 1,
      headed: true,
    };
    currentLines = [];
  });
  if (block) {
    const closer = block.kind === 'superpre' ? '||<' : '|<';
    warnings.push({ line: block.line, message: `${block.opening} is never closed by ${closer}; every later line of the day is taken as part of it` });
  }
  finish();

  // Headed sections without an explicit anchor get Hatena's automatic p1, p2… by position; text
  // before the first heading has none and is linked as the day itself.
  let position = 0;
  for (const section of sections) {
    if (!section.headed) continue;
    position++;
    section.anchor ??= { kind: 'position', value: `p${position}` };
  }
  return { sections, warnings };
}

function parseAnchor(text: string): SectionAnchor {
  if (/^\d+$/.test(text)) return { kind: 'timestamp', epochSeconds: Number(text), value: text };
  if (/^p\d+$/.test(text)) return { kind: 'position', value: text };
  return { kind: 'name', value: text };
}
