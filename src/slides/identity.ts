// Names derived from a slide: its workflow ID, its short slide ID, and the ECS idempotency
// keys. Pure functions of their inputs, so every route in (bridge, CLI, activity) agrees.
import { createHash } from 'node:crypto';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Workflow IDs up to this many bytes keep the readable `slide:<bucket>/<key>` form. */
const READABLE_ID_MAX_BYTES = 400;

/** Printable, no control characters: safe to show in the UI and on a command line. */
const isReadable = (text: string): boolean => !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text);

/**
 * The workflow ID of a slide. Short, printable keys give `slide:<bucket>/<key>`; long keys
 * (S3 allows 1024 bytes) or keys with control characters give
 * `slide-sha256:<32 hex>:<bucket>/<readable prefix>`. The two forms have different prefixes,
 * the first is injective and the second carries 128 bits of SHA-256 of the exact
 * (bucket, key), so two slides never share an ID.
 */
export function slideWorkflowId(bucket: string, key: string): string {
  const readable = `slide:${bucket}/${key}`;
  if (Buffer.byteLength(readable) <= READABLE_ID_MAX_BYTES && isReadable(readable)) return readable;
  const hash = sha256(`${bucket}\0${key}`).slice(0, 32);
  const prefix = Array.from(key.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?'))
    .slice(0, 80)
    .join('');
  return `slide-sha256:${hash}:${bucket}/${prefix}`;
}

/** A short, filesystem- and S3-safe ID for one slide: used in SLIDE_ID and output paths. */
export function slideId(bucket: string, key: string): string {
  const base = (key.split('/').pop() ?? '')
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const hash = sha256(`${bucket}\0${key}`).slice(0, 16);
  return base ? `${base}-${hash}` : hash;
}

/**
 * ECS `startedBy` for every task of one slide, whatever run launched it: at most 36
 * characters of letters, digits, `-`, `/` and `_`, as ECS requires. A slide's tasks are found
 * from the slide alone (ListTasks with `startedBy` as its only filter), so a run after a
 * terminate, a reset or a re-submit sees the tasks an earlier run left. The run and launch
 * are in the task's tags (src/ecs/requests.ts).
 */
export function startedByFor(workflowId: string): string {
  return `wsi-${sha256(workflowId).slice(0, 32)}`;
}

/**
 * The per-run `startedBy` of tasks launched before tasks belonged to slides. Still searched
 * when a run looks for its own tasks, so a rolling upgrade finds what the old code launched.
 */
export function legacyStartedByFor(workflowId: string, runId: string): string {
  return `wsi-${sha256(`${workflowId}\0${runId}`).slice(0, 32)}`;
}

/** Whether a task's `startedBy` has the form this project sets (startedByFor, legacyStartedByFor). */
export function isOurStartedBy(startedBy: string | undefined): boolean {
  return /^wsi-[0-9a-f]{32}$/.test(startedBy ?? '');
}

/** RunTask `clientToken` (ECS allows 64 characters): one per workflow run and launch number. */
export function clientTokenFor(workflowId: string, runId: string, launchNumber: number): string {
  return sha256(`${workflowId}\0${runId}\0${launchNumber}`);
}

/** The `startedBy` values a run searches for its slide's tasks: the slide's, then its own legacy one. */
export function slideStartedBys(workflowId: string, runId: string): string[] {
  return [startedByFor(workflowId), legacyStartedByFor(workflowId, runId)];
}
