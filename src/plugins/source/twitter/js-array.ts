/**
 * Export files are JavaScript, not JSON: `window.YTD.tweets.part0 = [ … ]`,
 * `Grailbird.data.tweets_2008_05 = [ … ]`, `var tweet_index = [ … ]`. The part after `=` is a
 * JSON array, which stream-json reads one element at a time, so a file of any size costs the
 * memory of one element. Elements come back with their index; a syntax error comes back as a
 * position (line and column in the file), after every element before it.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { jsonParser } from 'stream-json/parser.js';
import type { Token } from 'stream-json/parser.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { jsonVerifier } from 'stream-json/utils/verifier.js';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';

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

/** Flushables take the `none` marker to say the input has ended; their types only admit text. */
function flush(flushable: (text: string) => unknown): unknown {
  return (flushable as (input: string | typeof none) => unknown)(none);
}

function tokensOf(output: unknown): Token[] {
  if (output === none) return [];
  return isMany(output) ? (getManyValues(output) as Token[]) : [output as Token];
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

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * One array reader: a stream-json tokenizer and element streamer fed text in order, counting what
 * it has seen so that a problem can be placed.
 */
class ArrayReader {
  private readonly parse = jsonParser({ streamValues: false });
  private readonly elements = streamArray({ numberAsString: true });
  private depth = 0;
  /** The top-level array is closed: anything but `;` and whitespace after it is an error. */
  closed = false;
  /** Characters of JSON fed so far. */
  characters = 0;
  /** Line breaks in the JSON fed so far. */
  lineBreaks = 0;

  feed(text: string): ArrayElement[] {
    const out: ArrayElement[] = [];
    for (const token of tokensOf(this.parse(text))) {
      if (this.closed) throw new Error('unexpected text after the array');
      if (token.name === 'startArray' || token.name === 'startObject') this.depth++;
      const element = this.elements(token) as typeof none | { key: number; value: unknown };
      if (element !== none) out.push({ index: element.key, value: element.value });
      if (token.name === 'endArray' || token.name === 'endObject') {
        this.depth--;
        if (this.depth === 0) this.closed = true;
      }
    }
    this.characters += text.length;
    this.lineBreaks += countLines(text);
    return out;
  }

  finish(): void {
    tokensOf(flush(this.parse));
  }
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

/**
 * Streams the elements of the array assigned in `stream`. Throws ExportFileError, after yielding
 * every element before the problem, for a file that is not an assignment of an array, a syntax
 * error (placed by line and column), or a file that ends early.
 */
export async function* readAssignedArray(stream: Readable, options: AssignedArrayOptions): AsyncGenerator<ArrayElement> {
  const reader = new ArrayReader();
  let prefix: Prefix = { length: 0, line: 1, column: 1 };
  let yielded = 0;
  const here = (): { line: number; column: number } => ({ line: prefix.line + reader.lineBreaks, column: 1 });

  const text = jsonTextOf(stream, options, (found) => (prefix = found));
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await text.next();
    } catch (error) {
      if (error instanceof ExportFileError) throw error;
      throw new ExportFileError(
        options.file,
        `cannot be read past this point (${(error as Error).message}); ${yielded} items read before it`,
        here(),
      );
    }
    if (next.done) break;
    let elements: ArrayElement[];
    try {
      elements = reader.feed(next.value);
    } catch (error) {
      yield* recoverBeforeSyntaxError(options, prefix, yielded, error as Error);
      return;
    }
    for (const element of elements) {
      yielded++;
      yield element;
    }
  }
  try {
    reader.finish();
  } catch {
    throw new ExportFileError(
      options.file,
      `the file ends in the middle of an item: was it cut short? ${yielded} items read`,
      here(),
    );
  }
  if (!reader.closed) {
    throw new ExportFileError(
      options.file,
      `the file ends before its array is closed: was it cut short? ${yielded} items read`,
      here(),
    );
  }
}

/**
 * A syntax error surfaces from the tokenizer with no position, and the elements completed in the
 * same chunk are lost with it. The verifier places the error exactly; a second reading up to that
 * place returns the elements the first one lost. Then the error is thrown.
 */
async function* recoverBeforeSyntaxError(
  options: AssignedArrayOptions,
  prefix: Prefix,
  yielded: number,
  error: Error,
): AsyncGenerator<ArrayElement> {
  const problem = error.message.replace(/^Parser cannot parse input: /, '');
  const located = options.reopen ? await locateSyntaxError(options, prefix) : undefined;
  if (!located) throw new ExportFileError(options.file, `JSON syntax error: ${problem}; ${yielded} items read before it`);
  let recovered = 0;
  try {
    const reader = new ArrayReader();
    let remaining = located.offset;
    for await (const text of jsonTextOf(await options.reopen!(), options, () => {})) {
      const slice = text.slice(0, remaining);
      remaining -= slice.length;
      for (const element of reader.feed(slice)) {
        if (element.index >= yielded) {
          recovered++;
          yield element;
        }
      }
      if (remaining <= 0) break;
    }
  } catch {
    // The second reading stops at the same error; what it returned before that is kept.
  }
  throw new ExportFileError(
    options.file,
    `JSON syntax error: ${located.message}; ${yielded + recovered} items read before it`,
    located.position,
  );
}

/** Runs the verifier over the reopened file to find where exactly the JSON goes wrong. */
async function locateSyntaxError(
  options: AssignedArrayOptions,
  prefix: Prefix,
): Promise<{ message: string; offset: number; position: { line: number; column: number } } | undefined> {
  const verify = jsonVerifier();
  try {
    for await (const text of jsonTextOf(await options.reopen!(), options, () => {})) verify(text);
    flush(verify);
  } catch (error) {
    const located = error as Error & { line?: number; pos?: number; offset?: number };
    if (typeof located.line !== 'number' || typeof located.pos !== 'number' || typeof located.offset !== 'number') {
      return undefined;
    }
    const line = prefix.line + located.line - 1;
    const column = located.line === 1 ? prefix.column + located.pos - 1 : located.pos;
    const message = located.message.replace(/^ERROR at \d+ \(\d+, \d+\): /, '').replace(/^\w+ cannot parse input: /, '');
    return { message, offset: located.offset, position: { line, column } };
  }
  return undefined;
}
