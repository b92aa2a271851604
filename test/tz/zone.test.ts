import { describe, expect, it } from 'vitest';

// Guards the premise of the TZ projects in vitest.config.ts: the worker really runs in that zone.
describe('test time zone', () => {
  it('is the zone the project set', () => {
    const offsetMinutes = 0 - new Date(Date.UTC(2008, 4, 30, 12)).getTimezoneOffset() || 0;
    const expected: Record<string, number> = { UTC: 0, 'Asia/Tokyo': 540, 'America/Los_Angeles': -420 };
    expect(process.env.TZ && offsetMinutes).toBe(expected[process.env.TZ ?? '']);
  });
});
