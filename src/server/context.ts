/** What the server's routes share: the store and queue, the caches, the scheduler, the clock. */
import type { Queue, Store } from '../pipeline/context.js';
import type { Entry } from '../pipeline/model.js';
import type { BullQueueDirectory } from './bull-queues.js';
import type { FeedCache } from './feed-cache.js';
import type { Scheduler } from './scheduler.js';
import type { StreamCache } from './stream-cache.js';
import type { RecipeSchedule } from './scheduler.js';

export interface ServerRecipe {
  name: string;
  schedule?: RecipeSchedule;
  /** `global.timezone`: cron patterns and page times. */
  timezone?: string;
  /** Feeds the recipe publishes (`Publish::Feed` names), for Cache-Control and the default page. */
  feeds?: string[];
}

export interface ServerContext {
  store: Store;
  queue: Queue;
  recipes: ServerRecipe[];
  scheduler: Scheduler;
  feeds: FeedCache;
  streams: StreamCache;
  /** Zone the pages show times in. */
  timezone: string;
  defaultFeed: string;
  pageSize: number;
  startedAt: number;
  now: () => number;
  expand: (entries: Entry[]) => Entry[];
  /** The BullMQ queues under our prefix, when the queue is BullMQ. */
  bullQueues?: BullQueueDirectory;
}
