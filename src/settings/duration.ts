// The one duration format of every setting: whole milliseconds, or `500ms`, `5s`, `10m`, `6h`.
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';

export const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    const ms =
      typeof value === 'number'
        ? value
        : /^\d+$/.test(value.trim())
          ? Number(value)
          : msToNumber(value as `${number}s`);
    if (!Number.isFinite(ms) || ms < 0) throw new Error('negative');
    return ms;
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration like 500ms, 5s, 10m or 6h, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
});
