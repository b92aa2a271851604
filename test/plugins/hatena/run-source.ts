/** Runs one source plugin the way the pipeline does: config through its schema, a real context. */
import { fileURLToPath } from 'node:url';
import type { Feed } from '../../../src/pipeline/model.js';
import type { SourcePlugin } from '../../../src/pipeline/plugin.js';
import { makeTestContext } from '../../helpers/context.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/hatena/', import.meta.url));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runSource(plugin: SourcePlugin<any>, rawConfig: Record<string, unknown>, options: { stateDir?: string } = {}): Promise<Feed> {
  const config = plugin.config.parse(rawConfig) as Record<string, unknown>;
  const { ctx, close } = await makeTestContext(config, { baseDir: FIXTURES, ...options });
  try {
    const declared = plugin.subscriptions?.(config)[0] ?? {};
    const result = await plugin.fetch({ plugin: plugin.name, tags: [], config, ...declared }, ctx);
    if (Array.isArray(result)) throw new Error('expected one feed');
    return result;
  } finally {
    await close();
  }
}

export function warningsOf(feed: Feed): string[] {
  return (feed.meta.warnings as string[] | undefined) ?? [];
}
