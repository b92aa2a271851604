/**
 * The Netscape `cookies.txt` format that browser extensions and curl export: one cookie per line,
 * seven tab-separated fields (domain, include subdomains, path, secure, expiry in epoch seconds
 * with 0 for a session cookie, name, value). `#HttpOnly_` before the domain marks an HttpOnly
 * cookie (curl, Firefox exporters); other `#` lines are comments.
 */
import { readFile } from 'node:fs/promises';
import { Cookie, CookieJar, MemoryCookieStore } from 'tough-cookie';

export interface CookiesTxt {
  cookies: Cookie[];
  /** Lines that could not be read, with their line number. */
  warnings: string[];
}

const HTTP_ONLY_PREFIX = '#HttpOnly_';

export function parseCookiesTxt(text: string, file: string): CookiesTxt {
  const cookies: Cookie[] = [];
  const warnings: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    let line = rawLine.trim() === '' ? '' : rawLine.replace(/\r$/, '');
    let httpOnly = false;
    if (line.startsWith(HTTP_ONLY_PREFIX)) {
      httpOnly = true;
      line = line.slice(HTTP_ONLY_PREFIX.length);
    } else if (line.startsWith('#') || line === '') {
      return;
    }
    const fields = line.split('\t');
    // Some exporters drop the trailing tab of an empty value.
    if (fields.length === 6) fields.push('');
    if (fields.length !== 7) {
      warnings.push(`${file}:${index + 1}: expected 7 tab-separated fields, found ${fields.length}; line skipped`);
      return;
    }
    const [domainField, includeSubdomains, path, secure, expiry, name, value] = fields as [
      string, string, string, string, string, string, string,
    ];
    const expirySeconds = Number(expiry);
    if (!domainField || !name || !Number.isFinite(expirySeconds)) {
      warnings.push(`${file}:${index + 1}: no domain, no name or an expiry that is not a number; line skipped`);
      return;
    }
    const hostOnly = includeSubdomains.toUpperCase() !== 'TRUE';
    cookies.push(
      new Cookie({
        key: name,
        value,
        domain: domainField.replace(/^\./, '').toLowerCase(),
        path: path || '/',
        secure: secure.toUpperCase() === 'TRUE',
        httpOnly,
        hostOnly,
        expires: expirySeconds > 0 ? new Date(expirySeconds * 1000) : 'Infinity',
      }),
    );
  });
  return { cookies, warnings };
}

/** Reads a cookies.txt file into a cookie jar, exactly as the browser had it. */
export async function readCookiesTxtFile(path: string): Promise<CookiesTxt & { jar: CookieJar }> {
  let text: string;
  try {
    // The format is ASCII by definition; a stray non-ASCII value survives as UTF-8.
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`mixi: cannot read cookies file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = parseCookiesTxt(text, path);
  const store = new MemoryCookieStore();
  // Put the cookies straight into the store: setCookie() would re-check each domain against a URL,
  // but these are the browser's own cookies and already belong where the file says.
  for (const cookie of parsed.cookies) await store.putCookie(cookie);
  return { ...parsed, jar: new CookieJar(store) };
}
