/**
 * Digest titles and bodies from Mustache templates: logic-less and interpreted (no `new
 * Function`), and the view handed to them is plain data, so a recipe's template cannot run code.
 */
import Mustache from 'mustache';
import { escapeHtml } from '../../../text/html.js';

export const DEFAULT_TITLE = '{{service_name}}: {{date}} のつぶやき ({{count}})';
export const DEFAULT_CONTENT =
  '<ul class="kakehashi-digest">\n' +
  '{{#entries}}<li>{{#link}}<a href="{{link}}">{{time}}</a>{{/link}}{{^link}}{{time}}{{/link}} {{{body}}}</li>\n{{/entries}}' +
  '</ul>';

/** The error Mustache finds in a template, or undefined when it parses. */
export function templateError(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Titles are plain text: values go in as they are, and whitespace is folded to one line. */
export function renderTitle(template: string, view: object): string {
  return Mustache.render(template, view, {}, { escape: (value: unknown) => String(value) }).replace(/\s+/g, ' ').trim();
}

/** Bodies are HTML: `{{x}}` is escaped, `{{{x}}}` inserts HTML (the sanitizer runs last). */
export function renderContent(template: string, view: object): string {
  // Mustache's own escaping also writes `/` as `&#x2F;`, which makes every URL unreadable.
  return Mustache.render(template, view, {}, { escape: (value: unknown) => escapeHtml(String(value)) });
}
