import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createProgress, formatDuration, progressLine, runWithProgress } from '../../src/cli/progress.js';
import { loadRecipe } from '../../src/pipeline/recipe.js';
import { BullQueue } from '../../src/queue/bullmq.js';
import { scratch } from '../helpers/tmp.js';
import { TEST_REDIS_URL, deleteKeys, describeWithRedis, uniquePrefix } from '../helpers/redis.js';

function capture(): { stream: NodeJS.WriteStream; lines: () => string[] } {
  let text = '';
  const stream = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

describe('progress of deliveries', () => {
  it('writes done/total, rate and ETA as one plain line', () => {
    expect(progressLine('import', 120, 1000, 40_000)).toBe('import: 120/1000 (12%), 3.0/s, ETA 4m 53s');
    expect(progressLine('import', 1000, 1000, 100_000, 2)).toBe('import: 1000/1000 (100%), 10/s, 2 failed');
    expect(formatDuration(3 * 86_400_000 + 5 * 3_600_000)).toBe('3d 5h');
    expect(formatDuration(2 * 3_600_000 + 61_000)).toBe('2h 01m');
  });

  it('prints a line at every tenth of the way when the output is not a terminal, and a last one', () => {
    const out = capture();
    let now = 0;
    const progress = createProgress({ label: 'mastodon', stream: out.stream, lineIntervalMs: 60_000, now: () => now });
    for (let done = 1; done <= 50; done++) {
      now += 1000;
      progress.update(done, 50);
    }
    progress.stop();
    const lines = out.lines();
    expect(lines[0]).toBe('mastodon: 1/50 (2%), 1.0/s, ETA 49s');
    expect(lines).toContain('mastodon: 5/50 (10%), 1.0/s, ETA 45s');
    expect(lines).toContain('mastodon: 25/50 (50%), 1.0/s, ETA 25s');
    expect(lines.at(-1)).toBe('mastodon: 50/50 (100%), 1.0/s');
    expect(lines.length).toBeLessThanOrEqual(13);
  });
});

describeWithRedis('a run with a progress display', () => {
  const prefix = uniquePrefix('progress');
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
  });

  it('reports the deliveries of an import until the last one', async () => {
    const dir = scratch();
    const out = capture();
    const env = { ...process.env, TWITTER_ARCHIVE: resolve('test/fixtures/twitter-archive/x-2024'), NOTES_DIR: dir.path('site') };
    const queue = new BullQueue({ connection: TEST_REDIS_URL, prefix, log: pino({ level: 'silent' }), runWorkers: true });
    try {
      const recipe = await loadRecipe('recipes/import-twitter-archive-notes.yaml', { env });
      const report = await runWithProgress(recipe, {
        queue,
        stateDir: dir.path('state'),
        outputDir: dir.path('out'),
        stream: out.stream,
        label: 'notes',
      });
      // Six Markdown files and the two feed files.
      expect(report.deliveries).toEqual({ completed: 8, failed: [] });
      expect(out.lines().at(-1)).toMatch(/^notes: 8\/8 \(100%\), [\d.]+\/s$/);
    } finally {
      await queue.close();
      dir.cleanup();
    }
  });
});
