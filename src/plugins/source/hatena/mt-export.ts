/**
 * The Movable Type export format as Hatena Blog writes it (formats.md §1.5): entries end with a
 * line of eight hyphens, sections with five; `KEY: VALUE` metadata, then `BODY:`, `EXTENDED
 * BODY:`, `EXCERPT:`, `KEYWORDS:` and `COMMENT:` sections. Dates are naive Japanese wall time.
 */
import type { InputProblem } from './xml-records.js';

export interface MtComment {
  author?: string;
  email?: string;
  url?: string;
  ip?: string;
  /** As written: `01/06/2026 08:00:00`. */
  date?: string;
  /** The comment text (MT stores it as HTML or plain text, as the commenter's blog did). */
  body: string;
  line: number;
}

export interface MtEntry {
  /** Header fields by key (`TITLE`, `CATEGORY`…), in file order; keys may repeat. */
  fields: Record<string, string[]>;
  body?: string;
  extendedBody?: string;
  excerpt?: string;
  keywords?: string;
  comments: MtComment[];
  /** 1-based line where the entry starts. */
  line: number;
}

export interface ParsedMovableType {
  entries: MtEntry[];
  problems: InputProblem[];
}

const ENTRY_END = '--------';
const SECTION_END = '-----';
const FIELD = /^([A-Z][A-Z ]*?):[ \t]?(.*)$/;
const SECTION_START = /^(BODY|EXTENDED BODY|EXCERPT|KEYWORDS|COMMENT|PING):[ \t]?(.*)$/;
const COMMENT_FIELD = /^(AUTHOR|EMAIL|URL|IP|DATE):[ \t]?(.*)$/;

type Phase = { kind: 'header' } | { kind: 'between' } | { kind: 'section'; name: string; lines: string[]; line: number };

export function firstField(entry: MtEntry, key: string): string | undefined {
  return entry.fields[key]?.[0];
}

export function parseMovableTypeExport(text: string): ParsedMovableType {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const entries: MtEntry[] = [];
  const problems: InputProblem[] = [];
  let entry: MtEntry | undefined;
  let phase: Phase = { kind: 'header' };

  const newEntry = (line: number): MtEntry => ({ fields: {}, comments: [], line });
  const closeSection = (current: MtEntry): void => {
    if (phase.kind !== 'section') return;
    const content = phase.lines.join('\n').replace(/\n+$/, '');
    switch (phase.name) {
      case 'BODY':
        current.body = content;
        break;
      case 'EXTENDED BODY':
        current.extendedBody = content;
        break;
      case 'EXCERPT':
        current.excerpt = content;
        break;
      case 'KEYWORDS':
        current.keywords = content;
        break;
      case 'COMMENT':
        current.comments.push(readComment(phase.lines, phase.line));
        break;
      default:
        // PING (trackbacks) is not kept: Hatena Blog exports none and they are not the author's.
        break;
    }
    phase = { kind: 'between' };
  };

  lines.forEach((line, index) => {
    const number = index + 1;
    if (line === ENTRY_END) {
      if (entry) {
        if (phase.kind === 'section') {
          problems.push({ message: `${phase.name} section that starts at line ${phase.line} has no ----- line before the entry ends`, line: number, severity: 'warning' });
          closeSection(entry);
        }
        entries.push(entry);
      }
      entry = undefined;
      phase = { kind: 'header' };
      return;
    }
    if (phase.kind === 'section') {
      if (line === SECTION_END) closeSection(entry!);
      else phase.lines.push(line);
      return;
    }
    if (line.trim() === '') return;
    entry ??= newEntry(number);
    if (line === SECTION_END) {
      phase = { kind: 'between' };
      return;
    }
    const section = phase.kind === 'between' ? SECTION_START.exec(line) : null;
    if (section) {
      phase = { kind: 'section', name: section[1]!, lines: section[2] ? [section[2]] : [], line: number };
      return;
    }
    const field = FIELD.exec(line);
    if (phase.kind === 'header' && field) {
      (entry.fields[field[1]!] ??= []).push(field[2]!.trim());
      return;
    }
    problems.push({
      message: `expected ${phase.kind === 'header' ? 'a KEY: value line' : 'a BODY:, EXTENDED BODY:, EXCERPT:, KEYWORDS: or COMMENT: line'} but found ${JSON.stringify(line.slice(0, 60))}; line ignored`,
      line: number,
      column: 1,
    });
  });

  // The forEach callback reassigns phase, which TypeScript's narrowing cannot see.
  const finalPhase = phase as Phase;
  if (entry) {
    const where = finalPhase.kind === 'section' ? `inside its ${finalPhase.name} section` : 'without a -------- line';
    problems.push({
      message: `the file ends (line ${lines.length}) ${where}: the entry that starts here looks truncated and is skipped`,
      line: entry.line,
      column: 1,
    });
  }
  return { entries, problems };
}

function readComment(lines: string[], startLine: number): MtComment {
  const comment: MtComment = { body: '', line: startLine };
  let i = 0;
  for (; i < lines.length; i++) {
    const field = COMMENT_FIELD.exec(lines[i]!);
    if (!field) break;
    const value = field[2]!.trim();
    if (!value) continue;
    switch (field[1]) {
      case 'AUTHOR':
        comment.author = value;
        break;
      case 'EMAIL':
        comment.email = value;
        break;
      case 'URL':
        comment.url = value;
        break;
      case 'IP':
        comment.ip = value;
        break;
      case 'DATE':
        comment.date = value;
        break;
    }
  }
  comment.body = lines.slice(i).join('\n').trim();
  return comment;
}
