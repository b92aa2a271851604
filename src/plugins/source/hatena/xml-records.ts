/**
 * Reading Hatena's XML exports record by record (a diary `<day>`, a bookmark `<entry>`): each
 * record is parsed strictly on its own, so one broken record is reported with its line and
 * column and the records around it are still read, and a truncated file keeps every record
 * that was complete.
 */
import { SaxesParser } from 'saxes';

/** Something wrong in an input file, with where it is (1-based line and column). */
export interface InputProblem {
  message: string;
  /** `error`: something was skipped or lost (the default); `warning`: repaired, nothing lost. */
  severity?: 'error' | 'warning';
  line?: number;
  column?: number;
}

/** `file:12:5: message` (or `file: message` when no position is known). */
export function formatProblem(where: string, problem: InputProblem): string {
  if (problem.line === undefined) return `${where}: ${problem.message}`;
  const column = problem.column === undefined ? '' : `:${problem.column}`;
  return `${where}:${problem.line}${column}: ${problem.message}`;
}

// XML 1.0 forbids C0 controls other than tab/newline/return, U+FFFE/U+FFFF and lone surrogates;
// Hatena's exports contain them (`&#65535;`, raw U+001C) and a strict parser stops on them.
const FORBIDDEN_RAW = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const CHARACTER_REFERENCE = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/g;

function isForbiddenCodePoint(codePoint: number): boolean {
  return (
    (codePoint < 0x20 && codePoint !== 0x9 && codePoint !== 0xa && codePoint !== 0xd) ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff) ||
    codePoint === 0xfffe ||
    codePoint === 0xffff ||
    codePoint > 0x10ffff
  );
}

export interface CleanedXml {
  text: string;
  /** How many forbidden characters and references were removed. */
  removed: number;
  /** Line of the first removal, for the warning. */
  firstLine?: number;
}

/** Removes characters XML forbids, raw or as character references; line breaks are kept. */
export function removeForbiddenXmlCharacters(text: string): CleanedXml {
  let removed = 0;
  let firstIndex: number | undefined;
  const note = (index: number): void => {
    removed++;
    if (firstIndex === undefined || index < firstIndex) firstIndex = index;
  };
  const withoutReferences = text.replace(CHARACTER_REFERENCE, (reference, hex: string | undefined, decimal: string | undefined, index: number) => {
    const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal!, 10);
    if (!isForbiddenCodePoint(codePoint)) return reference;
    note(index);
    return '';
  });
  // Indexes after the first replacement pass shift, so the line of a raw character is counted in
  // the text it was found in; both passes keep every newline, so the line is right either way.
  let firstRawLine: number | undefined;
  const cleaned = withoutReferences.replace(FORBIDDEN_RAW, (_match, index: number) => {
    removed++;
    firstRawLine ??= new LineIndex(withoutReferences).at(index).line;
    return '';
  });
  const referenceLine = firstIndex === undefined ? undefined : lineAndColumnAt(text, firstIndex).line;
  const lines = [referenceLine, firstRawLine].filter((line): line is number => line !== undefined);
  return { text: cleaned, removed, firstLine: lines.length ? Math.min(...lines) : undefined };
}

/** 1-based line and column of a string index. */
export function lineAndColumnAt(text: string, index: number): { line: number; column: number } {
  return new LineIndex(text).at(index);
}

/** Line starts of a text, computed once, so positions of many records cost a lookup each. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  at(index: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: index - this.starts[low]! + 1 };
  }
}

/** A parsed element: attributes, child elements, and its text (all descendant text, in order). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** 1-based line of the start tag in the file. */
  line: number;
}

export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function childText(element: XmlElement, name: string): string | undefined {
  return childElement(element, name)?.text;
}

export interface XmlRecords {
  records: XmlElement[];
  problems: InputProblem[];
}

/**
 * Every `<recordName>` element of a document, in order. The text between records (the root
 * element's tags, whitespace) is only checked for the root being closed, which tells a truncated
 * file from a complete one.
 */
export function readXmlRecords(text: string, recordName: string, rootName: string): XmlRecords {
  const records: XmlElement[] = [];
  const problems: InputProblem[] = [];
  const opening = new RegExp(`<${recordName}(?=[\\s>/])`, 'g');
  const closing = `</${recordName}>`;
  const lines = new LineIndex(text);
  const starts: number[] = [];
  for (let match = opening.exec(text); match; match = opening.exec(text)) starts.push(match.index);

  if (!new RegExp(`<${rootName}(?=[\\s>/])`).test(text)) {
    problems.push({ message: `no <${rootName}> element: this is not a ${rootName} export`, line: 1, column: 1 });
    return { records, problems };
  }

  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const nextStart = starts[i + 1] ?? text.length;
    const closeAt = text.indexOf(closing, start);
    const position = lines.at(start);
    if (closeAt === -1 || closeAt > nextStart) {
      const selfClosing = /^<[^>]*\/>/.exec(text.slice(start, nextStart));
      if (selfClosing) {
        parseRecord(selfClosing[0], position, records, problems);
        continue;
      }
      const message =
        i + 1 < starts.length
          ? `<${recordName}> is not closed before the next <${recordName}> at line ${lines.at(nextStart).line}; skipped`
          : `the file ends (line ${lines.at(text.length).line}) inside this <${recordName}>: the file looks truncated; skipped`;
      problems.push({ message, ...position });
      continue;
    }
    parseRecord(text.slice(start, closeAt + closing.length), position, records, problems);
  }

  const lastClose = starts.length ? text.lastIndexOf(closing) : -1;
  const tail = text.slice(lastClose === -1 ? 0 : lastClose);
  const lastRecordTruncated = problems.some((problem) => problem.message.includes('looks truncated'));
  if (!lastRecordTruncated && !tail.includes(`</${rootName}>`)) {
    problems.push({
      message: `the file ends without </${rootName}>: it looks truncated after the last complete <${recordName}>`,
      ...lines.at(text.length),
    });
  }
  return { records, problems };
}

function parseRecord(
  source: string,
  position: { line: number; column: number },
  records: XmlElement[],
  problems: InputProblem[],
): void {
  const parser = new SaxesParser({ fragment: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const appendText = (chunk: string): void => {
    for (const element of stack) element.text += chunk;
  };
  parser.on('opentag', (tag) => {
    const element: XmlElement = {
      name: tag.name,
      attributes: { ...tag.attributes } as Record<string, string>,
      children: [],
      text: '',
      line: position.line + parser.line - 1,
    };
    stack.at(-1)?.children.push(element);
    root ??= element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', appendText);
  parser.on('cdata', appendText);
  try {
    parser.write(source).close();
  } catch (error) {
    const reason = (error as Error).message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '');
    problems.push({
      message: `malformed XML (${reason}); this record is skipped`,
      line: position.line + parser.line - 1,
      column: parser.line === 1 ? position.column + parser.column : parser.column + 1,
    });
    return;
  }
  if (root) records.push(root);
}
