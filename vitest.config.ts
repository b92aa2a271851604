import { defineConfig } from 'vitest/config';

/**
 * Every suite runs under TZ=UTC and TZ=Asia/Tokyo (Node honours a TZ set in the worker before
 * the first date call), and the text suite under America/Los_Angeles too: nothing may depend on
 * the machine's zone. Suites that only exercise infrastructure (queue, Redis, browser) run once.
 */
const zoneIndependent = ['test/queue/**', 'test/server/browser*.test.ts', 'test/server/deploy*.test.ts', 'test/publish/worker*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'TZ=UTC', include: ['test/**/*.test.ts'], env: { TZ: 'UTC' } },
      },
      {
        extends: true,
        test: {
          name: 'TZ=Asia/Tokyo',
          include: ['test/**/*.test.ts'],
          exclude: zoneIndependent,
          env: { TZ: 'Asia/Tokyo' },
        },
      },
      {
        extends: true,
        test: { name: 'TZ=America/Los_Angeles', include: ['test/text/**/*.test.ts'], env: { TZ: 'America/Los_Angeles' } },
      },
    ],
  },
});
