/**
 * Registering a publish plugin's delivery jobs on a queue, the same way for `kakehashi run`,
 * `kakehashi worker` and the tests: the name is scoped to the plugin instance, the options are the
 * plugin's defaults with the recipe's overrides (rate_limit, concurrency…) on top.
 */
import type { PluginContext, Queue } from '../pipeline/context.js';
import type { PluginDefinition } from '../pipeline/plugin.js';
import { jobOptions } from '../pipeline/plugin.js';

/** Registers `SCOPE:JOB` for every job of the plugin; returns the names registered. */
export function registerPluginJobs(queue: Queue, scope: string, plugin: PluginDefinition, ctx: PluginContext<unknown>): string[] {
  const names: string[] = [];
  for (const [job, definition] of Object.entries(plugin.jobs ?? {})) {
    const name = `${scope}:${job}`;
    queue.register(name, definition.handler(ctx as never), jobOptions(definition, ctx.config));
    names.push(name);
  }
  return names;
}
