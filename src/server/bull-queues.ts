/**
 * Every BullMQ queue under our prefix, for the dashboard and the queue-depth metric: the delivery
 * queues `kakehashi worker` processes (listed in Redis by the queue backend as they are created)
 * and the scheduler's queues. Opened read-only here: this process need not have added a job to
 * a queue to show it.
 */
import { Queue as BullMQQueue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueIndexKey } from '../queue/names.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;

export class BullQueueDirectory {
  private readonly redis: Redis;
  private readonly opened = new Map<string, BullMQQueue>();

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly extra: () => BullMQQueue[],
  ) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.redis.on('error', () => undefined);
  }

  async list(): Promise<BullMQQueue[]> {
    const names = await this.redis.smembers(queueIndexKey(this.prefix));
    for (const name of names.sort()) {
      if (!this.opened.has(name)) this.opened.set(name, new BullMQQueue(name, { connection: this.redis, prefix: this.prefix }));
    }
    return [...this.extra(), ...this.opened.values()];
  }

  async jobCounts(): Promise<Array<{ queue: string; state: string; count: number }>> {
    const rows: Array<{ queue: string; state: string; count: number }> = [];
    for (const queue of await this.list()) {
      const counts = await queue.getJobCounts(...STATES);
      for (const state of STATES) rows.push({ queue: decodeURIComponent(queue.name), state, count: counts[state] ?? 0 });
    }
    return rows;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.opened.values()].map((queue) => queue.close()));
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
