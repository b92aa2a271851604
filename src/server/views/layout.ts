/** The HTML frame shared by the lifestream and status pages, and the policy that goes with it. */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../text/html.js';
import { STYLESHEET } from './styles.js';

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}`;

/**
 * No script runs on these pages at all: content from feeds can at worst show an image. The one
 * inline stylesheet is allowed by its hash, so injected `<style>` or `style=` do nothing either.
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    `style-src '${STYLE_HASH}'`,
    'img-src http: https: data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export interface LayoutOptions {
  title: string;
  /** Extra `<head>` markup (alternate links), already escaped. */
  head?: string;
  /** The page's own header, main and footer markup. */
  body: string;
}

export function layout({ title, head = '', body }: LayoutOptions): string {
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kakehashi">
<title>${escapeHtml(title)}</title>
${head}<style>${STYLESHEET}</style>
</head>
<body>
<a class="skip" href="#main">本文へ移動</a>
${body}
</body>
</html>
`;
}
