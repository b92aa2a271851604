import type { Command } from 'commander';

/** Subcommands that live in their own modules (text, worker, queue, serve). */
export function extraCommands(): Command[] {
  return [];
}
