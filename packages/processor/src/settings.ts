// The processor's whole set of settings comes from environment variables (ECS container
// overrides). Everything is validated up front so a bad value fails in milliseconds with the
// variable's name, instead of an hour later in the middle of a slide.
import os from 'node:os';
import { z } from 'zod';
import { parseS3Uri, TASK_ENV, type S3Location } from '@wsi-orchestrator/task-contract';
import { formatSettingsError, formatSettingsProblems } from '@wsi-orchestrator/settings-errors';
import { SettingsError } from './errors';

export const TILE_FORMATS = ['jpeg', 'png'] as const;
export type TileFormat = (typeof TILE_FORMATS)[number];

export interface ProcessorSettings {
  slide: S3Location;
  slideId: string;
  checkpoint: S3Location;
  /** Output prefix; its key has no trailing slash ('' for the bucket root). */
  output: S3Location;
  chunkTiles: number;
  tileSize: number;
  overlap: number;
  format: TileFormat;
  quality: number;
  tileDelayMs: number;
  concurrency: number;
  /** Largest level raster held in memory; bigger levels go through a temporary file. */
  levelMemoryBytes: number;
  workDir: string;
  /** After SIGTERM, exit 143 after this long even if the in-flight work has not finished. */
  stopGraceMs: number;
}

const MAX_KEY_BYTES = 1024;

const required = (what: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `is required (${what})` : `must be ${what}`) });

const s3Uri = (what: string, opts: { object: boolean }) =>
  required(what).transform((value, ctx): S3Location => {
    let loc: S3Location;
    try {
      loc = parseS3Uri(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be ${what}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    if (opts.object && (loc.key === '' || loc.key.endsWith('/'))) {
      ctx.addIssue({
        code: 'custom',
        message: `must name an object (${what}), got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    if (Buffer.byteLength(loc.key) > MAX_KEY_BYTES) {
      ctx.addIssue({ code: 'custom', message: `key is longer than ${MAX_KEY_BYTES} bytes` });
      return z.NEVER;
    }
    return opts.object ? loc : { bucket: loc.bucket, key: loc.key.replace(/\/+$/, '') };
  });

/** An optional integer variable; '' counts as unset so a blank override keeps the default. */
const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`,
        });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  [TASK_ENV.slideBucket]: required('an S3 bucket name').regex(
    /^[a-zA-Z0-9.\-_]{1,255}$/,
    'must be an S3 bucket name',
  ),
  [TASK_ENV.slideKey]: required('the slide object key')
    .min(1, 'must not be empty')
    .refine((k) => Buffer.byteLength(k) <= MAX_KEY_BYTES, `must be at most ${MAX_KEY_BYTES} bytes`),
  [TASK_ENV.slideId]: z.string().optional(),
  [TASK_ENV.checkpointUri]: s3Uri('s3://bucket/key.json', { object: true }),
  [TASK_ENV.outputUri]: s3Uri('s3://bucket/prefix/', { object: false }),
  CHUNK_TILES: int(64, 1, 1_000_000),
  TILE_SIZE: int(254, 1, 8192),
  TILE_OVERLAP: int(1, 0, 1024),
  TILE_FORMAT: z
    .string()
    .optional()
    .transform((v, ctx): TileFormat => {
      const f = (v ?? '').trim().toLowerCase();
      if (f === '') return 'jpeg';
      if (f === 'jpg') return 'jpeg';
      if ((TILE_FORMATS as readonly string[]).includes(f)) return f as TileFormat;
      ctx.addIssue({
        code: 'custom',
        message: `must be one of ${TILE_FORMATS.join(', ')}, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }),
  TILE_QUALITY: int(90, 1, 100),
  TILE_DELAY_MS: int(0, 0, 600_000),
  TILE_CONCURRENCY: int(4, 1, 64),
  LEVEL_MEMORY_MB: int(256, 1, 1_000_000),
  STOP_GRACE_MS: int(20_000, 100, 600_000),
  WORK_DIR: z.string().optional(),
});

export function loadProcessorSettings(env: NodeJS.ProcessEnv = process.env): ProcessorSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new SettingsError(formatSettingsError('invalid environment', parsed.error));
  const e = parsed.data;
  if (e.TILE_OVERLAP > e.TILE_SIZE) {
    throw new SettingsError(
      formatSettingsProblems('invalid environment', [
        `TILE_OVERLAP: ${e.TILE_OVERLAP} must not exceed TILE_SIZE (${e.TILE_SIZE})`,
      ]),
    );
  }
  return {
    slide: { bucket: e.SLIDE_BUCKET, key: e.SLIDE_KEY },
    // Only used in logs and temp-file names, so a missing id falls back to the key's last part.
    slideId: e.SLIDE_ID?.trim() || e.SLIDE_KEY.split('/').filter(Boolean).pop() || 'slide',
    checkpoint: e.CHECKPOINT_URI,
    output: e.OUTPUT_URI,
    chunkTiles: e.CHUNK_TILES,
    tileSize: e.TILE_SIZE,
    overlap: e.TILE_OVERLAP,
    format: e.TILE_FORMAT,
    quality: e.TILE_QUALITY,
    tileDelayMs: e.TILE_DELAY_MS,
    concurrency: e.TILE_CONCURRENCY,
    levelMemoryBytes: e.LEVEL_MEMORY_MB * 1024 * 1024,
    workDir: e.WORK_DIR?.trim() || os.tmpdir(),
    stopGraceMs: e.STOP_GRACE_MS,
  };
}
