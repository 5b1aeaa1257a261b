// The variables RunTask sets on the task's container (src/ecs/requests.ts) and the processor
// reads (packages/processor/src/settings.ts): one list, so neither side can rename one alone.
export const TASK_ENV = {
  slideBucket: 'SLIDE_BUCKET',
  slideKey: 'SLIDE_KEY',
  /** A short, S3-safe ID of the slide: for logs and temporary file names. */
  slideId: 'SLIDE_ID',
  /** `s3://bucket/key.json`: the checkpoint to resume from and keep writing. */
  checkpointUri: 'CHECKPOINT_URI',
  /** `s3://bucket/prefix/`: where the output goes. */
  outputUri: 'OUTPUT_URI',
} as const;

/**
 * Exit codes with a meaning both sides share. The orchestrator's `PERMANENT_EXIT_CODES` default
 * (2, 64, 65) is the set that fails a slide at once instead of relaunching it.
 */
export const TASK_EXIT = {
  ok: 0,
  /** Any other failure: retried. */
  failure: 1,
  /** The slide object does not exist. */
  slideNotFound: 2,
  /** EX_USAGE from sysexits.h: a bad environment variable. */
  badEnvironment: 64,
  /** EX_DATAERR: the slide exists but is not a readable image. */
  badSlide: 65,
  /** 128 + SIGTERM: stopped (spot interruption, scale-in, StopTask) after checkpointing. */
  stopped: 143,
} as const;
