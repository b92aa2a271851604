import { z } from 'zod';
import { parseDuration } from './values.js';

/** A config duration (`3d`, `36h`, `"7 days"`, minutes as a number) as milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((value, zctx) => {
  try {
    return parseDuration(value, []);
  } catch (error) {
    zctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});
