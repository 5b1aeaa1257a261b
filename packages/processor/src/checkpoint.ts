// The checkpoint: one small JSON object in S3. The orchestrator reads `done`/`total` from it to
// show progress and passes the same URI on every relaunch; the processor reads it on start and
// skips the tiles it says are done. `done` only ever counts tiles already uploaded, so the object
// in S3 is always a safe lower bound, even if the process dies between two writes.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import {
  CHECKPOINT_VERSION,
  formatS3Uri,
  type CheckpointCore,
  type S3Location,
} from '@wsi-orchestrator/task-contract';
import { errorMessage } from './errors';

export { CHECKPOINT_VERSION };

/** Lenient on purpose: a hand-written `{"done": n, "total": m}` is a valid checkpoint too. */
const checkpointSchema = z.looseObject({
  version: z.number().int().optional(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  processedTotal: z.number().int().nonnegative().optional(),
  runs: z.number().int().nonnegative().optional(),
  complete: z.boolean().optional(),
  chunkTiles: z.number().int().positive().optional(),
  tileSize: z.number().int().positive().optional(),
  overlap: z.number().int().nonnegative().optional(),
  format: z.string().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  levels: z.number().int().positive().optional(),
  slide: z
    .looseObject({
      bucket: z.string().optional(),
      key: z.string().optional(),
      etag: z.string().optional(),
      size: z.number().nonnegative().optional(),
    })
    .optional(),
  output: z.string().optional(),
  updatedAt: z.string().optional(),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;
// The processor's checkpoint is the task contract's, with the processor's own fields added.
const _isContractCheckpoint = (cp: Checkpoint): CheckpointCore => cp;

/** What identifies the work a checkpoint describes; a mismatch means its `done` does not apply. */
export interface WorkIdentity {
  etag?: string;
  size?: number;
  tileSize: number;
  overlap: number;
  format: string;
  /** Known only once the slide is downloaded and opened. */
  total?: number;
}

/**
 * Where to resume given a checkpoint: its `done` if it describes this slide and these tiling
 * settings, else 0 with the reason. Fields the checkpoint lacks are not held against it, so a
 * minimal `{done, total}` is honoured when its total matches.
 */
export function resumeFrom(cp: Checkpoint | undefined, id: WorkIdentity): { done: number; reason?: string } {
  if (!cp) return { done: 0, reason: 'no checkpoint' };
  const mismatch = (field: string, had: unknown, now: unknown) => ({
    done: 0,
    reason: `checkpoint ${field} ${JSON.stringify(had)} differs from ${JSON.stringify(now)}`,
  });
  if (cp.slide?.etag !== undefined && id.etag !== undefined && cp.slide.etag !== id.etag) {
    return mismatch('slide etag', cp.slide.etag, id.etag);
  }
  if (cp.slide?.size !== undefined && id.size !== undefined && cp.slide.size !== id.size) {
    return mismatch('slide size', cp.slide.size, id.size);
  }
  if (cp.tileSize !== undefined && cp.tileSize !== id.tileSize)
    return mismatch('tileSize', cp.tileSize, id.tileSize);
  if (cp.overlap !== undefined && cp.overlap !== id.overlap)
    return mismatch('overlap', cp.overlap, id.overlap);
  if (cp.format !== undefined && cp.format !== id.format) return mismatch('format', cp.format, id.format);
  if (id.total !== undefined && cp.total !== id.total) return mismatch('total', cp.total, id.total);
  if (cp.done > cp.total) return { done: 0, reason: `checkpoint done ${cp.done} exceeds total ${cp.total}` };
  return { done: cp.done };
}

export class CheckpointStore {
  readonly uri: string;

  constructor(
    private readonly s3: S3Client,
    private readonly location: S3Location,
  ) {
    this.uri = formatS3Uri(location);
  }

  /** The stored checkpoint; undefined when there is none or it is unreadable (then we start over). */
  async read(): Promise<{ checkpoint?: Checkpoint; warning?: string }> {
    let text: string;
    try {
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: this.location.bucket, Key: this.location.key }),
      );
      text = (await res.Body?.transformToString('utf-8')) ?? '';
    } catch (err) {
      if (isNoSuchKey(err)) return {};
      throw new Error(`reading checkpoint ${this.uri}: ${errorMessage(err)}`, { cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { warning: `checkpoint ${this.uri} is not JSON; starting over` };
    }
    const parsed = checkpointSchema.safeParse(json);
    if (!parsed.success) {
      return {
        warning: `checkpoint ${this.uri} is not a valid checkpoint (${parsed.error.message}); starting over`,
      };
    }
    return { checkpoint: parsed.data };
  }

  async write(cp: Checkpoint): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.location.key,
          Body: JSON.stringify(cp),
          ContentType: 'application/json',
        }),
      );
    } catch (err) {
      throw new Error(`writing checkpoint ${this.uri}: ${errorMessage(err)}`, { cause: err });
    }
  }
}

/** NoSuchKey from GetObject (or a bare 404): the object is not there, which is not an error here. */
export function isNoSuchKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NoSuchKey' ||
    e.Code === 'NoSuchKey' ||
    (e.name === 'NotFound' && e.$metadata?.httpStatusCode === 404)
  );
}
