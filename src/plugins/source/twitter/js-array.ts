/**
 * Export files are JavaScript, not JSON: `window.YTD.tweets.part0 = [ … ]`,
 * `Grailbird.data.tweets_2008_05 = [ … ]`, `var tweet_index = [ … ]`. The part after `=` is a
 * JSON array, read one element at a time as the file streams in, so a file of any size costs the
 * memory of one element. A broken element is placed (line and column in the file, found by
 * stream-json's verifier) and skipped; the elements around it are kept.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { jsonVerifier } from 'stream-json/utils/verifier.js';
import { none } from 'stream-chain/defs.js';

/** A problem in one file, with where it is. */
export class ExportFileError extends Error {
  override name = 'ExportFileError';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly position?: { line: number; column: number },
  ) {
    super(`${file}${position ? `:${position.line}:${position.column}` : ''}: ${problem}`);
  }
}

export interface ArrayElement {
  index: number;
  value: unknown;
}

export interface AssignedArrayOptions {
  /** Name of the file, for messages (`data/tweets.js`). */
  file: string;
  /** What the left-hand side should be, e.g. `/^window\.YTD\.tweets?\.part\d+$/`. */
  expectedName?: RegExp;
  /** Human form of `expectedName` for messages (`window.YTD.tweets.partN`). */
  expectedLabel?: string;
  /** Called for a recoverable oddity (a missing prefix in front of a well-formed array). */
  onWarning?: (message: string) => void;
  /** Reopens the file; used only after a syntax error, to find its exact place. */
  reopen?: () => Promise<Readable>;
}

/** How far into the file we look for the `=` of the assignment. */
const MAX_PREFIX_CHARS = 4096;

interface Prefix {
  /** Characters in front of the JSON (the assignment and the spaces after `=`). */
  length: number;
  /** Lines the prefix itself ends on (1 when the array starts on the first line). */
  line: number;
  /** Column on that line where the JSON starts, 1-based. */
  column: number;
}

/**
 * Splits the assignment off the head of the file. Returns undefined while more text is needed.
 * A file that starts straight with `[` is read too (someone unwrapped it), with a warning.
 */
function findPrefix(head: string, options: AssignedArrayOptions, final: boolean): Prefix | undefined {
  const bom = head.charCodeAt(0) === 0xfeff ? 1 : 0;
  const firstSignificant = head.slice(bom).search(/\S/);
  if (firstSignificant < 0) {
    if (final) throw new ExportFileError(options.file, 'the file is empty');
    return undefined;
  }
  const start = bom + firstSignificant;
  const expected = options.expectedLabel ? `\`${options.expectedLabel} = [\`` : 'an assignment `… = [`';
  if (head[start] === '[') {
    options.onWarning?.(
      `${options.file}:1:1: expected ${expected} at the start of the file; read it as a bare JSON array`,
    );
    return positionAfter(head, start);
  }
  const equals = head.indexOf('=', start);
  if (equals < 0) {
    if (!final && head.length < MAX_PREFIX_CHARS) return undefined;
    throw new ExportFileError(options.file, `expected ${expected} at the start, found ${quoteStart(head.slice(start))}`, {
      line: 1,
      column: start + 1,
    });
  }
  const assigned = head
    .slice(start, equals)
    .trim()
    .replace(/^(?:var|let|const)\s+/, '');
  if (!/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(assigned) || (options.expectedName && !options.expectedName.test(assigned))) {
    throw new ExportFileError(options.file, `expected ${expected} at the start, found ${quoteStart(head.slice(start))}`, {
      line: 1,
      column: start + 1,
    });
  }
  const json = head.slice(equals + 1).search(/\S/);
  if (json < 0) {
    if (final) throw new ExportFileError(options.file, `nothing after \`${assigned} =\``);
    return undefined;
  }
  return positionAfter(head, equals + 1 + json);
}

function positionAfter(head: string, length: number): Prefix {
  const before = head.slice(0, length);
  const lines = before.split('\n');
  return { length, line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function quoteStart(text: string): string {
  const snippet = text.slice(0, 40).replace(/\s+/g, ' ');
  return `\`${snippet}${text.length > 40 ? '…' : ''}\``;
}

/** Verifier flushables take the `none` marker to say the input has ended; their types only admit text. */
function flush(flushable: (text: string) => unknown): unknown {
  return (flushable as (input: string | typeof none) => unknown)(none);
}

/**
 * A trailing `;` after the array is legal JavaScript but not JSON. Whitespace and `;` at the end
 * of a chunk are held back until more text shows whether they were the end of the file.
 */
function splitHeldTail(text: string): [string, string] {
  let cut = text.length;
  while (cut > 0 && /[\s;]/.test(text[cut - 1]!)) cut--;
  return [text.slice(0, cut), text.slice(cut)];
}

/** Text of the JSON part of a file, chunk by chunk, with a trailing `;` and spaces dropped. */
async function* jsonTextOf(stream: Readable, options: AssignedArrayOptions, onPrefix: (prefix: Prefix) => void): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let head = '';
  let prefix: Prefix | undefined;
  let held = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = decoder.write(chunk);
    if (!prefix) {
      head += text;
      prefix = findPrefix(head, options, false);
      if (!prefix) continue;
      onPrefix(prefix);
      text = head.slice(prefix.length);
      head = '';
    }
    const [body, tail] = splitHeldTail(held + text);
    held = tail;
    if (body) yield body;
  }
  const rest = decoder.end();
  if (!prefix) {
    head += rest;
    prefix = findPrefix(head, options, true);
    if (!prefix) throw new ExportFileError(options.file, 'the file is empty');
    onPrefix(prefix);
    held = head.slice(prefix.length);
  } else {
    held += rest;
  }
  const [body] = splitHeldTail(held);
  if (body) yield body;
}

const TOKEN = /[^"{}[\]]*(?:"(?:[^"\\]|\\[\s\S])*"|[{}[\]])/y;
const QUOTE = 34;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const SPACE_OR_COMMA = /[^\s,]/g;

/** An element's text and where it starts in the JSON part of the file (in characters). */
interface ElementText {
  text: string;
  offset: number;
}

/**
 * Cuts a JSON array, fed in chunks, into the texts of its elements, tracking only what decides
 * where an element ends: nesting and strings. Each element is then parsed by JSON.parse, which
 * is native: several times faster than a tokenizer in JavaScript, and the strings it returns own
 * their characters (a tokenizer's are slices that pin whole input chunks in memory).
 */
class ArraySplitter {
  private text = '';
  /** Characters dropped from the front of `text` so far. */
  private dropped = 0;
  private position = 0;
  /** 0: before `[`; 1: between elements; 2 or more: inside an element. */
  private depth = 0;
  private start = -1;
  closed = false;

  /** Characters fed so far. */
  get characters(): number {
    return this.dropped + this.text.length;
  }

  get inElement(): boolean {
    return this.depth > 1;
  }

  /** A problem found after some elements of the same chunk: raised once those are handed out. */
  error?: SplitError;

  push(chunk: string): ElementText[] {
    const out: ElementText[] = [];
    try {
      this.scan(chunk, out);
    } catch (error) {
      if (!(error instanceof SplitError)) throw error;
      this.error = error;
    }
    return out;
  }

  private scan(chunk: string, out: ElementText[]): void {
    let text = this.text ? this.text + chunk : chunk;
    let position = this.position;
    while (position < text.length) {
      if (this.closed) {
        const stray = /\S/.exec(text.slice(position));
        if (stray) throw new SplitError('unexpected text after the array', this.dropped + position + stray.index);
        position = text.length;
        break;
      }
      if (this.depth <= 1) {
        SPACE_OR_COMMA.lastIndex = position;
        const next = SPACE_OR_COMMA.exec(text);
        if (!next) {
          position = text.length;
          break;
        }
        const char = next[0];
        position = next.index + 1;
        if (this.depth === 0) {
          if (char !== '[') throw new SplitError(`expected \`[\`, found \`${char}\``, this.dropped + next.index);
          this.depth = 1;
        } else if (char === ']') {
          this.closed = true;
        } else if (char === '{' || char === '[') {
          this.depth = 2;
          this.start = next.index;
        } else {
          throw new SplitError(`expected an object, found \`${text.slice(next.index, next.index + 20)}\``, this.dropped + next.index);
        }
        continue;
      }
      // One step: the plain text up to the next string or bracket, and that string or bracket.
      // A string that runs past the end of the text fails the step; it is taken again, from the
      // same place, when more text has come.
      TOKEN.lastIndex = position;
      if (!TOKEN.exec(text)) break;
      position = TOKEN.lastIndex;
      const char = text.charCodeAt(position - 1);
      if (char === QUOTE) continue;
      if (char === OPEN_BRACE || char === OPEN_BRACKET) {
        this.depth++;
        continue;
      }
      this.depth--;
      if (this.depth === 1) {
        out.push({ text: text.slice(this.start, position), offset: this.dropped + this.start });
        this.start = -1;
      }
    }
    // Keep only what the next chunk still needs: the element being read.
    const keepFrom = this.start >= 0 ? this.start : position;
    if (keepFrom > 0) {
      text = text.slice(keepFrom);
      this.dropped += keepFrom;
      position -= keepFrom;
      if (this.start >= 0) this.start = 0;
    }
    this.text = text;
    this.position = position;
  }
}

class SplitError extends Error {
  constructor(
    message: string,
    /** Character offset in the JSON part of the file. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Where a character offset of the JSON part falls in the file (rereads it: errors only). */
async function positionOf(options: AssignedArrayOptions, prefix: Prefix, offset: number): Promise<{ line: number; column: number } | undefined> {
  if (!options.reopen) return undefined;
  let line = prefix.line;
  let lineStart = -(prefix.column - 1);
  let seen = 0;
  try {
    for await (const text of jsonTextOf(await options.reopen(), options, () => {})) {
      const end = Math.min(text.length, offset - seen);
      for (let at = text.indexOf('\n'); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) {
        line++;
        lineStart = seen + at + 1;
      }
      seen += text.length;
      if (seen >= offset) break;
    }
  } catch {
    // The file fails again where it failed the first time; what was counted stands.
  }
  return { line, column: offset - lineStart + 1 };
}

/** Why an element is not JSON, and where inside it, by stream-json's verifier. */
function elementProblem(text: string): { message: string; offset: number } {
  const verify = jsonVerifier();
  try {
    verify(text);
    flush(verify);
  } catch (error) {
    const located = error as Error & { offset?: number };
    const message = located.message.replace(/^ERROR at \d+ \(\d+, \d+\): /, '').replace(/^\w+ cannot parse input: /, '');
    return { message, offset: typeof located.offset === 'number' ? located.offset : 0 };
  }
  return { message: 'not valid JSON', offset: 0 };
}

/**
 * Streams the elements of the array assigned in `stream`. A malformed element is reported with
 * its line and column and skipped; a file that is not an assignment of an array, or that ends
 * early, throws ExportFileError after every element before the problem has been yielded.
 */
export async function* readAssignedArray(
  stream: Readable,
  options: AssignedArrayOptions & { onSkipped?: (error: ExportFileError, index: number) => void },
): AsyncGenerator<ArrayElement> {
  const splitter = new ArraySplitter();
  let prefix: Prefix = { length: 0, line: 1, column: 1 };
  let index = 0;
  const fail = async (problem: string, offset: number): Promise<never> => {
    const position = await positionOf(options, prefix, offset);
    throw new ExportFileError(options.file, `${problem} (${index} items read before it)`, position);
  };

  const text = jsonTextOf(stream, options, (found) => (prefix = found));
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await text.next();
    } catch (error) {
      if (error instanceof ExportFileError) throw error;
      return await fail(`cannot be read past this point (${(error as Error).message})`, splitter.characters);
    }
    if (next.done) break;
    for (const element of splitter.push(next.value)) {
      let value: unknown;
      try {
        value = JSON.parse(element.text);
      } catch {
        const problem = elementProblem(element.text);
        const position = await positionOf(options, prefix, element.offset + problem.offset);
        const error = new ExportFileError(options.file, `item ${index + 1} skipped, JSON syntax error: ${problem.message}`, position);
        if (!options.onSkipped) throw error;
        options.onSkipped(error, index++);
        continue;
      }
      yield { index: index++, value };
    }
    if (splitter.error) return await fail(splitter.error.message, splitter.error.offset);
  }
  if (splitter.inElement) return await fail('the file ends in the middle of an item: was it cut short?', splitter.characters);
  if (!splitter.closed) return await fail('the file ends before its array is closed: was it cut short?', splitter.characters);
}
