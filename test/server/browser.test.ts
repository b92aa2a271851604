/**
 * The lifestream page in a real browser (Debian's chromium through playwright-core): the views
 * switch by links, counts and JST times are what a visitor reads, and script planted in a feed —
 * served by a local server into a real recipe — never runs.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve.js';
import type { RunningServer } from '../../src/cli/serve.js';

const CHROMIUM = process.env.KAKEHASHI_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

const rss = (title: string, items: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>${title}</title><link>http://127.0.0.1/</link><description>d</description>${items}</channel></rss>`;
const item = (fields: { title: string; link: string; guid: string; date: string; html?: string }) =>
  `<item><title>${fields.title}</title><link>${fields.link}</link><guid>${fields.guid}</guid><pubDate>${fields.date}</pubDate>` +
  (fields.html ? `<description><![CDATA[${fields.html}]]></description>` : '') +
  `</item>`;

const FEEDS: Record<string, string> = {
  '/blog.xml': rss(
    '太郎の日記',
    [1, 2, 3]
      .map((n) => item({ title: `日記 ${n}`, link: `https://blog.example.jp/${n}`, guid: `blog-${n}`, date: `Wed, 14 Jan 2026 1${n}:30:00 +0000`, html: `<p>日記の本文 ${n}</p>` }))
      .join(''),
  ),
  // The second item announces blog post 2: SmartFeed::Merge folds it into that post.
  '/tweets.xml': rss(
    'taro on Twitter',
    item({ title: 'ひとこと', link: 'https://twitter.com/taro/status/1', guid: 'tw-1', date: 'Wed, 14 Jan 2026 10:00:00 +0000' }) +
      item({ title: '日記を書きました', link: 'https://blog.example.jp/2', guid: 'tw-2', date: 'Wed, 14 Jan 2026 12:31:00 +0000' }),
  ),
  '/hostile.xml': rss(
    'evil &lt;img src=x onerror=alert(1)&gt;',
    [
      item({ title: '&lt;script&gt;window.__xss="title"&lt;/script&gt;', link: 'javascript:window.__xss="link"', guid: 'h1', date: 'Wed, 14 Jan 2026 09:00:00 +0000', html: '<script>window.__xss="script"</script><p>one</p>' }),
      item({ title: 'img', link: 'https://evil.example/2', guid: 'h2', date: 'Wed, 14 Jan 2026 08:00:00 +0000', html: '<img src="x" onerror="window.__xss=\'img\';alert(1)"><svg onload="window.__xss=\'svg\'"></svg>' }),
      item({ title: 'links', link: 'https://evil.example/3', guid: 'h3', date: 'Wed, 14 Jan 2026 07:00:00 +0000', html: '<a href="javascript:window.__xss=\'href\'" id="evil-link">click me</a><iframe srcdoc="<script>parent.__xss=1</script>"></iframe>' }),
      item({ title: 'details', link: 'https://evil.example/4', guid: 'h4', date: 'Wed, 14 Jan 2026 06:00:00 +0000', html: '<details open ontoggle="window.__xss=\'toggle\'"><summary>x</summary></details><style>*{display:none}</style><p style="x:expression(alert(1))">styled</p>' }),
    ].join(''),
  ),
};

if (!haveChromium && process.env.KAKEHASHI_REQUIRE_CHROMIUM) {
  describe('the lifestream page in a browser', () => {
    it('finds chromium (KAKEHASHI_REQUIRE_CHROMIUM is set)', () => {
      throw new Error(`KAKEHASHI_REQUIRE_CHROMIUM is set, but there is no chromium at ${CHROMIUM} (apt-get install chromium)`);
    });
  });
} else {
  describe.skipIf(!haveChromium)(
    haveChromium ? 'the lifestream page in a browser' : `the lifestream page in a browser — skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`,
    () => {
      let dir: string;
      let upstream: Server;
      let server: RunningServer;
      let browser: Browser;
      let page: Page;
      const dialogs: string[] = [];

      beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'kh-browser-'));
        upstream = createServer((request, response) => {
          const body = FEEDS[request.url ?? ''];
          response.writeHead(body ? 200 : 404, { 'content-type': 'application/rss+xml; charset=utf-8' });
          response.end(body ?? '');
        });
        await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
        const address = upstream.address();
        const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        writeFileSync(
          join(dir, 'lifestream.yaml'),
          `global: { timezone: Asia/Tokyo, state_dir: ./state, output_dir: ./out }
plugins:
  - { module: Source::Feed, config: { url: ${base}/blog.xml, service: feed } }
  - { module: Source::Feed, config: { url: ${base}/tweets.xml, service: twitter } }
  - { module: Source::Feed, config: { url: ${base}/hostile.xml, service: feed } }
  - module: SmartFeed::Merge
  - { module: Publish::Feed, config: { name: lifestream, title: taro のライフストリーム } }
`,
        );
        server = await startServer([join(dir, 'lifestream.yaml')], {
          host: '127.0.0.1',
          port: 0,
          workers: true,
          runAtStart: true,
          logLevel: 'error',
          env: {},
        });
        await server.app.kakehashi.runNow('lifestream');
        browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
        page = await browser.newPage({ javaScriptEnabled: true });
        page.setDefaultTimeout(10_000);
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
      }, 60_000);

      afterAll(async () => {
        await browser?.close();
        await server?.stop();
        await new Promise((done) => upstream?.close(done));
        rmSync(dir, { recursive: true, force: true });
      });

      const titles = () => page.locator('.entry__title').allInnerTexts();

      it('shows the aggregated view first, newest first, with times in JST', async () => {
        await page.goto(`${server.url}/`);
        expect(await page.title()).toBe('taro のライフストリーム');
        expect(await page.locator('html').getAttribute('lang')).toBe('ja');
        expect(await page.locator('main .entry').count()).toBe(8);
        expect(await page.locator('nav a[aria-current="page"]').innerText()).toBe('まとめ(8)');
        const first = page.locator('main .entry').first();
        expect(await first.locator('.entry__title').innerText()).toBe('日記 3');
        // 13:30 UTC is 22:30 in Tokyo.
        expect(await first.locator('.entry__meta time').innerText()).toBe('2026-01-14 22:30');
        expect(await first.locator('.entry__meta time').getAttribute('datetime')).toBe('2026-01-14T22:30:00+09:00');
        const merged = page.locator('main .entry', { hasText: '日記 2' });
        expect(await merged.locator('.entry__via').innerText()).toContain('taro on Twitter');
      });

      it('switches to the everything view and back by links', async () => {
        await page.goto(`${server.url}/`);
        await page.getByRole('link', { name: /すべて/ }).click();
        await page.waitForURL(/view=everything/);
        expect(await page.locator('main .entry').count()).toBe(9);
        expect(await page.locator('nav a[aria-current="page"]').innerText()).toBe('すべて(9)');
        expect(await titles()).toEqual(expect.arrayContaining(['日記 2', '日記を書きました']));
        await page.getByRole('link', { name: /まとめ/ }).click();
        await page.waitForURL((url) => !url.search.includes('everything'));
        expect(await page.locator('main .entry').count()).toBe(8);
      });

      it('runs none of the script a feed tried to plant', async () => {
        for (const path of ['/', '/?view=everything']) {
          await page.goto(`${server.url}${path}`);
          await page.waitForLoadState('load');
          const evil = page.locator('#evil-link, a:has-text("click me")');
          if ((await evil.count()) > 0) await evil.first().click({ timeout: 2000 }).catch(() => undefined);
          const details = page.locator('main details');
          if ((await details.count()) > 0) await details.first().click({ timeout: 2000 }).catch(() => undefined);
          await page.waitForTimeout(300);
          expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
          expect(await page.locator('main script, main iframe, main style, main [onerror], main [onload], main [ontoggle]').count()).toBe(0);
          expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
          // The hostile items are shown — only their script is gone (the script-only title fell back to the text).
          expect(await titles()).toEqual(expect.arrayContaining(['one', 'img', 'links', 'details']));
        }
        expect(dialogs).toEqual([]);
      });
    },
  );
}
