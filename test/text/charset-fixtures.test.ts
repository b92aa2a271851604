/**
 * Every charset fixture served by a local HTTP server with the Content-Type it was served with in
 * the wild, fetched through the real HTTP client, decoded once at the edge.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/text/charset.js';
import { makeTestContext } from '../helpers/context.js';
import { serveFiles, type TestServer } from '../helpers/server.js';
import { FIXTURE_DIR, type CharsetFixture } from './make-charset-fixtures.js';

const fixtures = JSON.parse(readFileSync(`${FIXTURE_DIR}index.json`, 'utf8')) as CharsetFixture[];
const bytesOf = (fixture: CharsetFixture) => readFileSync(`${FIXTURE_DIR}${fixture.file}`);

let server: TestServer;
let context: Awaited<ReturnType<typeof makeTestContext>>;

beforeAll(async () => {
  server = await serveFiles(
    Object.fromEntries(fixtures.map((f) => [`/${f.file}`, { body: bytesOf(f), headers: { 'content-type': f.contentType } }])),
  );
  context = await makeTestContext({});
});

afterAll(async () => {
  await server.close();
  await context.close();
});

describe('charset fixtures, as served', () => {
  it('covers every case the issue lists', () => {
    expect(fixtures.map((f) => f.file)).toEqual(
      expect.arrayContaining([
        'latin1-header-over-sjis.xml',
        'textxml-sjis-declaration.xml',
        'halfwidth-sjis-undeclared.txt',
        'eucjp-nec-ibm.xml',
        'iso2022jp-undeclared.txt',
        'utf8-bom-wrong-declaration.xml',
        'utf16le-bom.xml',
        'utf16be-bom.xml',
        'utf16le-nobom.xml',
        'utf16be-nobom.xml',
        'html-meta-eucjp.html',
      ]),
    );
  });

  it.each(fixtures)('$file: $about', async (fixture) => {
    const response = await context.ctx.http.fetch(`${server.url}/${fixture.file}`);
    expect(response.headers.get('content-type')).toBe(fixture.contentType);
    const decoded = response.text(fixture.kind);
    expect(decoded.text).toBe(fixture.expected);
    expect(decoded.encoding).toBe(fixture.encoding);
    expect(decoded.decidedBy.startsWith(fixture.decidedBy)).toBe(true);
    if (fixture.overridden) expect(decoded.overrides.length).toBeGreaterThan(0);
    else expect(decoded.overrides).toEqual([]);
  });

  it('names the declaration it overrode and why', () => {
    const fixture = fixtures.find((f) => f.file === 'utf8-header-over-eucjp.xml')!;
    const decoded = decode(bytesOf(fixture), { contentType: fixture.contentType, kind: 'xml' });
    expect(decoded.overrides).toEqual(['HTTP charset "UTF-8" overridden: the bytes are not valid in it']);
  });
});
