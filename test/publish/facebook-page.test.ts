import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import facebookPage, { regainAccessMs } from '../../src/plugins/publish/facebook-page.js';
import { DeliveryLedger } from '../../src/store/ledger.js';
import { startFakeGraph } from '../fixtures/destinations/facebook.js';
import type { FakeGraph } from '../fixtures/destinations/facebook.js';
import { blogPost, feedOf, tweet } from './entries.js';
import { publishHarness } from './harness.js';

const PAGE = '102030405060708';
const TOKEN = 'EAAG-page-token-hunter2';

describe('Publish::FacebookPage', () => {
  let graph: FakeGraph;
  beforeEach(async () => {
    graph = await startFakeGraph({ pageId: PAGE, token: TOKEN });
  });
  afterEach(async () => {
    await graph.close();
  });

  const config = (extra: Record<string, unknown> = {}) => ({ page_id: PAGE, token: TOKEN, graph_url: graph.url, backoff: '50ms', ...extra });

  it('posts the message with the link in its own field, token in a header', async () => {
    const harness = await publishHarness(facebookPage, config());
    try {
      const post = blogPost(1);
      const note = tweet('1797000000000000001', '梅雨入り &amp; 傘 ☔', '2024-06-01T12:34:56Z');
      const { completed } = await harness.run([feedOf([post, note])]);
      expect(completed).toBe(2);
      expect(graph.posts.map(({ message, link }) => ({ message, link }))).toEqual([
        { message: '梅雨入り & 傘 ☔', link: 'https://twitter.com/taro/status/1797000000000000001' },
        { message: '初詣に行った (1)', link: post.link },
      ]);
      const request = graph.requests.find((r) => r.method === 'POST')!;
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.stringify(request.body)).not.toContain(TOKEN);
      const record = await new DeliveryLedger(harness.store, `facebook-page:${PAGE}`).get(post.id);
      expect(record).toMatchObject({ state: 'delivered', remote: { id: graph.posts[1]!.id } });
    } finally {
      await harness.close();
    }
  });

  it('backs off on a throttling error code and then posts', async () => {
    const harness = await publishHarness(facebookPage, config());
    try {
      graph.throttleNext(2, 0);
      const { completed, failed } = await harness.run([feedOf([blogPost(2)])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      expect(graph.posts).toHaveLength(1);
      expect(graph.requests.filter((r) => r.method === 'POST')).toHaveLength(3);
    } finally {
      await harness.close();
    }
  });

  it('reads how long to wait from X-Business-Use-Case-Usage', async () => {
    graph.throttleNext(1, 7);
    const harness = await publishHarness(facebookPage, config());
    try {
      const response = await harness.ctx.http.request(`${graph.url}/v23.0/${PAGE}/feed`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'message=x',
      });
      expect(response.status).toBe(400);
      expect(regainAccessMs(response)).toBe(7 * 60_000);
    } finally {
      await harness.close();
    }
  });

  it('after a lost answer, finds the post on the Page instead of posting it again', async () => {
    const harness = await publishHarness(facebookPage, config());
    try {
      graph.loseAnswers(1);
      const post = blogPost(3);
      const { completed, failed } = await harness.run([feedOf([post])]);
      expect(failed).toEqual([]);
      expect(completed).toBe(1);
      expect(graph.posts).toHaveLength(1);
      const record = await new DeliveryLedger(harness.store, `facebook-page:${PAGE}`).get(post.id);
      expect(record).toMatchObject({ state: 'delivered', reconciled: true, remote: { id: graph.posts[0]!.id } });
    } finally {
      await harness.close();
    }
  });

  it('fails for good on an invalid token, naming the endpoint and Graph’s message', async () => {
    const harness = await publishHarness(facebookPage, config({ token: 'expired-token-value' }));
    try {
      const { failed } = await harness.run([feedOf([blogPost(4)])]);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.error).toBe(
        `POST ${graph.url}/v23.0/${PAGE}/feed: HTTP 400: (#190) Invalid OAuth access token - Cannot parse access token`,
      );
      expect(failed[0]!.attempts).toBe(1);
      expect(failed[0]!.error).not.toContain('expired-token-value');
    } finally {
      await harness.close();
    }
  });
});
