import type { Command } from 'commander';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';
import { queueCommand } from './queue.js';
import { textCommand } from './text.js';

/** Subcommands that live in their own modules (text, worker, queue, serve). */
export function extraCommands(): Command[] {
  return [textCommand(), serveCommand(), workerCommand(), queueCommand()];
}
