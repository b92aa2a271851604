/**
 * The queue dashboard (@bull-board) at /admin/queues. It can retry, promote and delete jobs, so
 * it is only mounted behind credentials from the environment — a token
 * (`KAKEHASHI_ADMIN_TOKEN`, sent as `Authorization: Bearer …` or as the password of basic auth)
 * or a user and password (`KAKEHASHI_ADMIN_USER` + `KAKEHASHI_ADMIN_PASSWORD`) — and only when
 * the queue is BullMQ, which is what the dashboard shows.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue as BullMQQueue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const ADMIN_PATH = '/admin/queues';

export type AdminCredentials = { kind: 'token'; token: string } | { kind: 'basic'; user: string; password: string };

/** The credentials the environment sets, or the reason the dashboard stays unmounted. */
export function adminCredentials(env: NodeJS.ProcessEnv): AdminCredentials | { kind: 'none'; reason: string } {
  const token = env['KAKEHASHI_ADMIN_TOKEN']?.trim();
  const user = env['KAKEHASHI_ADMIN_USER']?.trim();
  const password = env['KAKEHASHI_ADMIN_PASSWORD'];
  if (token) {
    if (token.length < 16) return { kind: 'none', reason: 'KAKEHASHI_ADMIN_TOKEN is shorter than 16 characters' };
    return { kind: 'token', token };
  }
  if (user && password) {
    if (password.length < 12) return { kind: 'none', reason: 'KAKEHASHI_ADMIN_PASSWORD is shorter than 12 characters' };
    return { kind: 'basic', user, password };
  }
  return {
    kind: 'none',
    reason: 'set KAKEHASHI_ADMIN_TOKEN, or KAKEHASHI_ADMIN_USER and KAKEHASHI_ADMIN_PASSWORD',
  };
}

/** Equal in time whatever the input, so the response time does not leak how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isAuthorized(header: string | undefined, credentials: AdminCredentials): boolean {
  if (!header) return false;
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (scheme.toLowerCase() === 'bearer') return credentials.kind === 'token' && sameSecret(value, credentials.token);
  if (scheme.toLowerCase() !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // With a token, any user name will do: browsers can only send basic auth on their own.
  if (credentials.kind === 'token') return sameSecret(password, credentials.token);
  // Both compared every time, so a right user name is not told apart by timing.
  const userOk = sameSecret(user, credentials.user);
  const passwordOk = sameSecret(password, credentials.password);
  return userOk && passwordOk;
}

export interface AdminOptions {
  credentials: AdminCredentials;
  /** The queues to show, read again now and then (new delivery queues appear as recipes run). */
  queues: () => Promise<BullMQQueue[]>;
}

/** Mount bull-board with its auth check in one encapsulated plugin: nothing else is affected. */
export async function mountAdmin(app: FastifyInstance, options: AdminOptions): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  const board = createBullBoard({ queues: [], serverAdapter });
  let shown = new Set<string>();
  let refreshedAt = 0;
  const refresh = async () => {
    if (Date.now() - refreshedAt < 10_000) return;
    refreshedAt = Date.now();
    const queues = await options.queues();
    const names = new Set(queues.map((q) => q.name));
    if (names.size === shown.size && [...names].every((n) => shown.has(n))) return;
    board.replaceQueues(queues.map((queue) => new BullMQAdapter(queue, { displayName: decodeURIComponent(queue.name) })));
    shown = names;
  };

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isAuthorized(request.headers.authorization, options.credentials)) {
        reply.header('www-authenticate', 'Basic realm="kakehashi admin", charset="UTF-8"');
        return reply.code(401).send({ error: 'Unauthorized', message: 'credentials required for the queue dashboard' });
      }
      await refresh();
      return undefined;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_PATH });
  });
}
