/**
 * The Hatena Bookmark export (formats.md §1.3): a file named `dump.htm` whose content is an Atom
 * 0.3 feed. Read record by record so that a broken entry or a cut-off download keeps the rest.
 */
import {
  childElement,
  childElements,
  childText,
  readXmlRecords,
  removeForbiddenXmlCharacters,
  type InputProblem,
} from './xml-records.js';

export interface ExportedBookmark {
  /** `tag:hatena.ne.jp,2005:bookmark-USER-351108256` */
  id?: string;
  title: string;
  /** The bookmarked page (`link rel="related"`). */
  url?: string;
  /** The bookmark on Hatena (`link rel="alternate"`). */
  permalink?: string;
  /** As written in `summary`: may start with `[tag]` runs and a space. */
  summary: string;
  /** `issued` (Atom 0.3), else `created` / `modified`. */
  issued?: string;
  author?: string;
  subjects: string[];
  line: number;
}

export function parseBookmarkExport(text: string): { bookmarks: ExportedBookmark[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const cleaned = removeForbiddenXmlCharacters(text);
  if (cleaned.removed > 0) {
    problems.push({
      message: `removed ${cleaned.removed} character(s) that XML forbids`,
      line: cleaned.firstLine,
      severity: 'warning',
    });
  }
  const { records, problems: recordProblems } = readXmlRecords(cleaned.text, 'entry', 'feed');
  problems.push(...recordProblems);
  const bookmarks = records.map((record) => {
    const links = childElements(record, 'link');
    const href = (rel: string) => links.find((link) => (link.attributes.rel ?? 'alternate') === rel)?.attributes.href?.trim();
    const bookmark: ExportedBookmark = {
      title: (childText(record, 'title') ?? '').trim(),
      summary: childText(record, 'summary') ?? '',
      subjects: childElements(record, 'dc:subject').map((subject) => subject.text.trim()).filter(Boolean),
      line: record.line,
    };
    const id = childText(record, 'id')?.trim();
    if (id) bookmark.id = id;
    const url = href('related');
    if (url) bookmark.url = url;
    const permalink = href('alternate');
    if (permalink) bookmark.permalink = permalink;
    const issued = (childText(record, 'issued') ?? childText(record, 'created') ?? childText(record, 'modified'))?.trim();
    if (issued) bookmark.issued = issued;
    const authorElement = childElement(record, 'author');
    const author = authorElement ? childText(authorElement, 'name')?.trim() : undefined;
    if (author) bookmark.author = author;
    return bookmark;
  });
  return { bookmarks, problems };
}
