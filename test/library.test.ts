import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as kakehashi from '../src/index.js';
import { registryOf } from '../src/plugins/registry.js';
import { scratch } from './helpers/tmp.js';

describe('the library entry point', () => {
  it('runs a recipe from code, with a plugin defined in code through the public API', async () => {
    const { definePlugin, makeEntry, makeFeed, loadRecipe, runRecipe, loadRegistry, parseDate } = kakehashi;
    const source = definePlugin({
      name: 'Source::Inline',
      description: 'entries written in code',
      phase: 'source',
      config: z.object({ titles: z.array(z.string()) }),
      async fetch(_sub, ctx) {
        return makeFeed({
          id: 'inline',
          title: 'inline',
          entries: ctx.config.titles.map((title, i) =>
            makeEntry({ id: `inline#${i}`, title, published: parseDate(`2008-05-3${i}T12:00:00+09:00`)!, source: { plugin: 'Source::Inline', feedId: 'inline' } }),
          ),
        });
      },
    });
    const registry = registryOf([...(await loadRegistry()).all, source]);
    const dir = scratch({ 'r.yaml': `plugins:\n  - module: Source::Inline\n    config: {titles: [一, 二]}\n  - module: Publish::Feed\n    config: {formats: [json]}\n` });
    try {
      const recipe = await loadRecipe(dir.path('r.yaml'), { env: {}, registry });
      const report = await runRecipe(recipe);
      expect(kakehashi.reportHasErrors(report)).toBe(false);
      expect(report.entriesOut).toBe(2);
      expect(kakehashi.formatReport(report)).toContain('Source::Inline');
    } finally {
      dir.cleanup();
    }
  });
});
