/**
 * Export files are JavaScript, not JSON: `window.YTD.tweets.part0 = [ … ]`,
 * `Grailbird.data.tweets_2008_05 = [ … ]`, `var tweet_index = [ … ]`. The part after `=` is a
 * JSON array, read one element at a time as the file streams in, so a file of any size costs the
 * memory of one element. A broken element is placed (line and column in the file, found by
 * stream-json's verifier) and skipped; the elements around it are kept.
 */
import { isAscii } from 'node:buffer';
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
  /**
   * The element was parsed from its bytes read as Latin-1 (see `latin1` in the options): each
   * character of its strings is one byte of their UTF-8, and `textOfLatin1` makes them text.
   */
  latin1?: true;
}

/**
 * A string of an element parsed from Latin-1 (one character per byte of UTF-8) as text. Only
 * strings with a character above U+007F are decoded; ASCII is the same either way.
 */
export function textOfLatin1(bytes: string): string {
  for (let at = 0; at < bytes.length; at++) {
    if (bytes.charCodeAt(at) > 0x7f) return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return bytes;
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
  /**
   * Parse an element that holds characters beyond ASCII from its bytes read as Latin-1, when
   * that changes nothing but its strings (no `\u` escape in it), and mark it `latin1`. Decoding
   * a Japanese tweet's UTF-8 makes a two-byte string of all of it (its keys, ids and spaces too):
   * a tenth of an archive's reading time, and twice the bytes to allocate and parse. Most strings
   * of a tweet are thrown away; the few kept are decoded by `textOfLatin1`. For a reader that
   * decodes every string it keeps; off by default.
   */
  latin1?: boolean;
}

/** How far into the file we look for the `=` of the assignment. */
const MAX_PREFIX_CHARS = 4096;

/**
 * Splits the assignment off the head of the file: returns how many characters come before the
 * JSON (the assignment and the spaces after `=`), or undefined while more text is needed.
 * A file that starts straight with `[` is read too (someone unwrapped it), with a warning.
 */
function findPrefix(head: string, options: AssignedArrayOptions, final: boolean): number | undefined {
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
    return start;
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
  return equals + 1 + json;
}

function quoteStart(text: string): string {
  const snippet = text.slice(0, 40).replace(/\s+/g, ' ');
  return `\`${snippet}${text.length > 40 ? '…' : ''}\``;
}

/** Verifier flushables take the `none` marker to say the input has ended; their types only admit text. */
function flush(flushable: (text: string) => unknown): unknown {
  return (flushable as (input: string | typeof none) => unknown)(none);
}

const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const SEMICOLON = 59;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const ESCAPED_U = Buffer.from('\\u');
/** Wrong guesses at where elements end (each costs a JSON.parse) before a file is only scanned. */
const MAX_WRONG_GUESSES = 16;
/** `[` and `{` (and `]` and `}`) differ only in this bit. */
const BRACE_BIT = 0x20;

function isSpace(byte: number): boolean {
  return byte === SPACE || byte === LINE_FEED || byte === CARRIAGE_RETURN || byte === TAB;
}

/** The character starting at `at`, for a message (a cut-off multibyte one shows as U+FFFD). */
function characterAt(chunk: Buffer, at: number, length = 1): string {
  return [...chunk.toString('utf8', at, Math.min(chunk.length, at + 4 * length))].slice(0, length).join('');
}

/**
 * Cuts a JSON array, fed as the file's bytes chunk by chunk, into the texts of its elements,
 * tracking only what decides where an element ends: nesting and strings. Brackets, quotes and
 * backslashes are ASCII, and no byte of a multibyte UTF-8 character is, so the bytes can be
 * scanned as they come and only each element's own bytes decoded. Each element is then parsed by
 * JSON.parse, which is native: several times faster than a tokenizer in JavaScript, and the
 * strings it returns own their characters (a tokenizer's are slices that pin whole input chunks).
 * The state carries over from one chunk to the next, so no byte is scanned twice.
 */
class ElementCutter {
  /** Bytes of the file before `chunk`. */
  private base: number;
  private chunk: Buffer = Buffer.alloc(0);
  /** Where scanning goes on in `chunk` (past its end after a backslash that ended the last one). */
  private position = 0;
  /** 0: before `[`; 1: between elements; 2 or more: inside an element. */
  private depth = 0;
  private inString = false;
  /** Where the element being read starts in `chunk` (0 if it began earlier), -1 between elements. */
  private start = -1;
  /** The bytes of the element being read that came in earlier chunks. */
  private earlier: Buffer[] = [];
  /** The error a `;` between elements is, should anything but spaces and `;` follow it. */
  private afterSemicolon?: SplitError;
  /**
   * What stands between two elements in a pretty-printed file, from the line break before one's
   * closing brace to the next one's opening brace (`\n  },\n  {`), learnt from the first two.
   */
  private separator?: Buffer;
  /** Where in `separator` the closing brace ends. */
  private separatorClose = 0;
  /** Set once the separator is not in the rest of `chunk`: nor is it after any later start. */
  private separatorMissing = false;
  /** Where the last element ended in `chunk`, -1 if in an earlier one. */
  private lastEnd = -1;
  /** Where the last text returned starts in `chunk` if it was a guess (see `next`), else -1. */
  private guessedFrom = -1;
  /** Guesses that were wrong; past a few the file is only scanned. */
  private wrongGuesses = 0;
  /** Where in the file the element last returned (or being read) starts. */
  elementOffset = 0;
  /** The end of the last byte fed that is not a space or `;`: where a cut-off file is said to end. */
  significantEnd: number;
  closed = false;

  /** Whether the text last returned is the element's bytes read as Latin-1 (see `latin1`). */
  lastInLatin1 = false;
  /** The bytes of the text last returned, while it is read as Latin-1: to decode it after all. */
  private lastBytes?: Buffer;

  constructor(
    offset: number,
    private readonly latin1 = false,
  ) {
    this.base = offset;
    this.significantEnd = offset;
  }

  /** The text last returned as UTF-8, whichever way it was read. */
  lastAsUtf8(text: string): string {
    return this.lastInLatin1 && this.lastBytes ? this.lastBytes.toString('utf8') : text;
  }

  get inElement(): boolean {
    return this.depth > 1;
  }

  feed(chunk: Buffer): void {
    if (this.start >= 0) {
      this.earlier.push(this.chunk.subarray(this.start));
      this.start = 0;
    }
    this.position -= this.chunk.length;
    this.base += this.chunk.length;
    this.chunk = chunk;
    this.lastEnd = -1;
    this.separatorMissing = false;
    let end = chunk.length;
    while (end > 0 && (isSpace(chunk[end - 1]!) || chunk[end - 1] === SEMICOLON)) end--;
    if (end > 0) this.significantEnd = this.base + end;
  }

  /** The text of the next element that ends in the chunk fed last, or undefined when none does. */
  next(): string | undefined {
    const chunk = this.chunk;
    const end = chunk.length;
    let position = this.position;
    let depth = this.depth;
    this.guessedFrom = -1;
    if (depth <= 1) {
      depth = this.between(position, depth);
      position = this.position;
      // A guess: the element ends where the next separator begins, found by a native search
      // instead of byte by byte. JSON.parse checks it: a text that starts with a bracket and
      // parses is one whole object or array, whose brackets balance only at its end, where the
      // scan below would have cut it too. A guess that does not parse is taken back (`retract`).
      if (depth === 2 && this.separator && !this.separatorMissing && this.wrongGuesses < MAX_WRONG_GUESSES) {
        const found = chunk.indexOf(this.separator, position);
        this.separatorMissing = found < 0;
        if (found >= 0) {
          const end = found + this.separatorClose;
          this.guessedFrom = this.start;
          this.position = end;
          this.depth = 1;
          return this.element(end);
        }
      }
    }
    // Most of a tweet's bytes are in strings: the inner loop is the hot one. The state is kept
    // in locals and saved only when the chunk runs out.
    let inString = this.inString;
    while (position < end) {
      if (!inString) {
        const byte = chunk[position++]!;
        if (byte === QUOTE) {
          inString = true;
        } else if ((byte | BRACE_BIT) === OPEN_BRACE) {
          depth++;
          continue;
        } else if ((byte | BRACE_BIT) === CLOSE_BRACE && --depth === 1) {
          this.position = position;
          this.depth = depth;
          this.inString = false;
          return this.element(position);
        } else {
          continue;
        }
      }
      for (;;) {
        if (position >= end) break;
        const byte = chunk[position++];
        if (byte === QUOTE) {
          inString = false;
          break;
        }
        if (byte === BACKSLASH) position++;
      }
    }
    this.position = position;
    this.depth = depth;
    this.inString = inString;
    return undefined;
  }

  /** Steps over the spaces and commas between elements; returns the depth after the next token. */
  private between(from: number, depth: number): number {
    const chunk = this.chunk;
    let position = from;
    for (; position < chunk.length; position++) {
      const byte = chunk[position]!;
      if (isSpace(byte)) continue;
      // A `;` is fine if only spaces and `;` follow it to the end of the file (`];`), and an error
      // where it stands if anything else does.
      if (byte === SEMICOLON) {
        this.afterSemicolon ??= this.problem(position, depth);
        continue;
      }
      if (this.afterSemicolon) throw this.afterSemicolon;
      if (this.closed) throw this.problem(position, depth);
      if (depth === 0) {
        if (byte !== OPEN_BRACKET) throw this.problem(position, depth);
        depth = 1;
      } else if (byte === CLOSE_BRACKET) {
        this.closed = true;
      } else if ((byte | BRACE_BIT) === OPEN_BRACE) {
        if (!this.separator && this.lastEnd >= 0) this.learnSeparator(this.lastEnd - 1, position);
        this.start = position;
        this.elementOffset = this.base + position;
        this.position = position + 1;
        return 2;
      } else if (byte !== COMMA) {
        throw this.problem(position, depth);
      }
    }
    this.position = position;
    return depth;
  }

  /** What is wrong with finding the byte at `position` between elements. */
  private problem(position: number, depth: number): SplitError {
    const offset = this.base + position;
    if (this.closed) return new SplitError('unexpected text after the array', offset);
    if (depth === 0) return new SplitError(`expected \`[\`, found \`${characterAt(this.chunk, position)}\``, offset);
    return new SplitError(`expected an object, found \`${characterAt(this.chunk, position, 20)}\``, offset);
  }

  /** The last text returned was a wrong guess: its element is to be scanned instead. */
  retract(): void {
    if (this.guessedFrom < 0) throw new Error('nothing to take back');
    this.wrongGuesses++;
    this.start = this.guessedFrom;
    this.position = this.start + 1;
    this.depth = 2;
    this.lastEnd = -1;
    this.guessedFrom = -1;
  }

  get guessed(): boolean {
    return this.guessedFrom >= 0;
  }

  /** Learns the separator from a closing brace alone on its line and the next element's start. */
  private learnSeparator(close: number, open: number): void {
    const chunk = this.chunk;
    let lineStart = close;
    while (lineStart > 0 && (chunk[lineStart - 1] === SPACE || chunk[lineStart - 1] === TAB)) lineStart--;
    // Without a line break (a file on one line) nested objects look the same: no guessing.
    if (lineStart === 0 || chunk[lineStart - 1] !== LINE_FEED) return;
    this.separator = Buffer.from(chunk.subarray(lineStart - 1, open + 1));
    this.separatorClose = close + 1 - (lineStart - 1);
  }

  private element(end: number): string {
    this.lastEnd = end;
    let bytes: Buffer;
    if (this.earlier.length) {
      this.earlier.push(this.chunk.subarray(0, end));
      bytes = Buffer.concat(this.earlier);
      this.earlier = [];
    } else {
      bytes = this.chunk.subarray(this.start, end);
    }
    this.start = -1;
    this.lastInLatin1 = false;
    this.lastBytes = undefined;
    if (!this.latin1) return bytes.toString('utf8');
    // ASCII reads the same either way, and Latin-1 is the quicker way to read it.
    if (isAscii(bytes)) return bytes.toString('latin1');
    // A `\u` escape can stand for a character that Latin-1 would confuse with a byte.
    if (bytes.includes(ESCAPED_U)) return bytes.toString('utf8');
    this.lastInLatin1 = true;
    this.lastBytes = bytes;
    return bytes.toString('latin1');
  }
}

class SplitError extends Error {
  constructor(
    message: string,
    /** Byte offset in the file. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Where a byte offset falls in the file, as line and column in characters (rereads it: errors only). */
async function positionOf(options: AssignedArrayOptions, offset: number): Promise<{ line: number; column: number } | undefined> {
  if (!options.reopen) return undefined;
  let line = 1;
  let column = 0;
  let decoder = new StringDecoder('utf8');
  let seen = 0;
  try {
    for await (const chunk of (await options.reopen()) as AsyncIterable<Buffer>) {
      const end = Math.min(chunk.length, offset - seen);
      let lineStart = -1;
      for (let at = chunk.indexOf(LINE_FEED); at >= 0 && at < end; at = chunk.indexOf(LINE_FEED, at + 1)) {
        line++;
        lineStart = at + 1;
      }
      if (lineStart >= 0) {
        column = 0;
        decoder = new StringDecoder('utf8');
      }
      column += decoder.write(chunk.subarray(Math.max(lineStart, 0), end)).length;
      seen += chunk.length;
      if (seen >= offset) break;
    }
  } catch {
    // The file fails again where it failed the first time; what was counted stands.
  }
  return { line, column: column + decoder.end().length + 1 };
}

/** The position after `text`, which starts at `position`. */
function advance(position: { line: number; column: number } | undefined, text: string): { line: number; column: number } | undefined {
  if (!position) return undefined;
  const lines = text.split('\n');
  const last = lines[lines.length - 1]!.length;
  return lines.length > 1 ? { line: position.line + lines.length - 1, column: last + 1 } : { line: position.line, column: position.column + last };
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
 * Streams the elements of the array assigned in `stream`, in batches: those that end in one chunk
 * of the file (a few hundred tweets; one await per batch instead of one per tweet). A malformed
 * element is reported with its line and column and skipped; a file that is not an assignment of
 * an array, or that ends early, throws ExportFileError after every element before the problem
 * has been yielded.
 */
export async function* readAssignedArray(
  stream: Readable,
  options: AssignedArrayOptions & { onSkipped?: (error: ExportFileError, index: number) => void },
): AsyncGenerator<ArrayElement[]> {
  let index = 0;
  const fail = async (problem: string, offset: number): Promise<never> => {
    const position = await positionOf(options, offset);
    throw new ExportFileError(options.file, `${problem} (${index} items read before it)`, position);
  };

  // The head of the file is decoded to find the assignment; after it, only elements are.
  const decoder = new StringDecoder('utf8');
  let head = '';
  const headChunks: Buffer[] = [];
  let cutter: ElementCutter | undefined;
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (let done = false; !done; ) {
    let chunk: Buffer;
    try {
      const next = await chunks.next();
      done = next.done === true;
      chunk = done ? Buffer.alloc(0) : next.value;
    } catch (error) {
      return await fail(`cannot be read past this point (${(error as Error).message})`, cutter?.significantEnd ?? 0);
    }
    if (!cutter) {
      headChunks.push(chunk);
      head += done ? decoder.end() : decoder.write(chunk);
      const prefix = findPrefix(head, options, done);
      if (prefix === undefined) {
        if (done) throw new ExportFileError(options.file, 'the file is empty');
        continue;
      }
      const offset = Buffer.byteLength(head.slice(0, prefix));
      cutter = new ElementCutter(offset, options.latin1);
      chunk = Buffer.concat(headChunks).subarray(offset);
      head = '';
    }
    cutter.feed(chunk);
    const batch: ArrayElement[] = [];
    let problem: SplitError | undefined;
    for (;;) {
      let text: string | undefined;
      try {
        text = cutter.next();
      } catch (error) {
        if (!(error instanceof SplitError)) throw error;
        problem = error;
        break;
      }
      if (text === undefined) break;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (cutter.guessed) {
          cutter.retract();
          continue;
        }
        // Messages count characters: a text read as Latin-1 is read again as UTF-8 for them.
        text = cutter.lastAsUtf8(text);
        const found = elementProblem(text);
        // Counted in characters inside the element: a broken UTF-8 byte there is one U+FFFD.
        const position = advance(await positionOf(options, cutter.elementOffset), text.slice(0, found.offset));
        const error = new ExportFileError(options.file, `item ${index + 1} skipped, JSON syntax error: ${found.message}`, position);
        if (!options.onSkipped) {
          if (batch.length) yield batch;
          throw error;
        }
        // The elements before it are handed out first, as they come before it in the file.
        if (batch.length) yield batch.splice(0);
        options.onSkipped(error, index++);
        continue;
      }
      batch.push(cutter.lastInLatin1 ? { index: index++, value, latin1: true } : { index: index++, value });
    }
    if (batch.length) yield batch;
    if (problem) return await fail(problem.message, problem.offset);
  }
  if (cutter?.inElement) return await fail('the file ends in the middle of an item: was it cut short?', cutter.significantEnd);
  if (!cutter?.closed) return await fail('the file ends before its array is closed: was it cut short?', cutter?.significantEnd ?? 0);
}
