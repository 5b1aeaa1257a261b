// The checkpoint: one small JSON object in S3 that the task writes and the orchestrator reads.
// The processor keeps more fields in it (packages/processor/src/checkpoint.ts); these are the
// ones the orchestrator relies on, and the rule for when the slide counts as finished.

export const CHECKPOINT_VERSION = 1;

/** The fields every checkpoint has; a hand-written `{"done": n, "total": m}` is valid. */
export interface CheckpointCore {
  version?: number;
  /** Units (tiles) already uploaded: a safe lower bound even if the task dies mid-write. */
  done: number;
  total: number;
  /** Written only after every unit and the output's descriptor are uploaded. */
  complete?: boolean;
}

export interface CheckpointReading {
  progress?: { done: number; total: number };
  complete: boolean;
}

/**
 * What a checkpoint body (parsed JSON, or anything) says. Lenient: anything unreadable is "no
 * progress, not complete". `complete` alone is not trusted: the count must agree.
 */
export function readCheckpointBody(body: unknown): CheckpointReading {
  if (typeof body !== 'object' || body === null) return { complete: false };
  const { done, total, complete } = body as Record<string, unknown>;
  if (typeof done !== 'number' || typeof total !== 'number') return { complete: false };
  return { progress: { done, total }, complete: complete === true && done === total };
}
