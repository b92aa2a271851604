import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, progressLine } from '../../src/cli/progress.js';

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
