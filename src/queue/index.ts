import type { Logger, Queue } from '../pipeline/context.js';
import { MemoryQueue } from './memory.js';

export interface QueueOptions {
  /** A Redis URL: jobs go to BullMQ and `kakehashi worker` processes on any machine share them. */
  redis?: string;
  prefix?: string;
  log: Logger;
  /** With Redis: also process jobs in this process (the default for `run`), or only produce them. */
  runWorkers?: boolean;
}

export async function createQueue(options: QueueOptions): Promise<Queue> {
  if (!options.redis) return new MemoryQueue({ log: options.log });
  const { BullQueue } = await import('./bullmq.js');
  return new BullQueue({
    connection: options.redis,
    prefix: options.prefix,
    log: options.log,
    runWorkers: options.runWorkers ?? true,
  });
}
