// What an ECS outcome means and what the workflow does next: the outcome table of
// docs/outcomes.md as pure functions, so every row is unit-testable without Temporal.
import type { AttemptCounts, OutcomeClass, SizeTier, SlidePolicy, TaskOutcome } from './types';

/** Stop codes ECS uses when it, not the task, ended the task. */
const INTERRUPTION_STOP_CODES = new Set([
  'SpotInterruption',
  'TerminationNotice',
  'ServiceSchedulerInitiated',
]);

const SIGKILL_EXIT = 137;
const SIGTERM_EXIT = 143;

/**
 * The outcome's row in the table. `policy` brings the processor's permanent exit codes (from
 * the plan, so replay sees the same list).
 */
export function classifyOutcome(
  outcome: TaskOutcome,
  policy: Pick<SlidePolicy, 'permanentExitCodes'> = {},
): OutcomeClass {
  if (outcome.stuck) return 'stuck';
  // What the task left behind is the proof: a complete checkpoint is a finished slide.
  if (outcome.checkpointComplete) return 'success';
  // Lost past the grace with no live task and no finished work: resume from the checkpoint.
  if (outcome.missing) return 'interrupted';
  // ECS gave up waiting for a capacity provider to make room (after 10 to 30 minutes in
  // PROVISIONING): the task never got a place, which is the stuck row, not a broken image.
  if (outcome.stopCode === 'TaskFailedToStart' && /RESOURCE:|capacity/i.test(outcome.stoppedReason ?? ''))
    return 'stuck';
  // A start failure is one whatever else the answer says or lacks (an exit code, containers).
  if (outcome.stopCode === 'TaskFailedToStart') return 'start-failure';
  if (outcome.exitCode === undefined) {
    // ECS took the task back before its container ran: an interruption, nothing failed.
    if (outcome.stopCode && INTERRUPTION_STOP_CODES.has(outcome.stopCode)) return 'interrupted';
    // No container, or no exit code: it never ran, so it cannot have succeeded.
    return 'start-failure';
  }
  if (outcome.exitCode === 0) return 'success';
  if (outcome.exitCode === SIGKILL_EXIT && /OutOfMemoryError/i.test(outcome.containerReason ?? '')) {
    return 'out-of-memory';
  }
  if (outcome.stopCode && INTERRUPTION_STOP_CODES.has(outcome.stopCode)) return 'interrupted';
  if (outcome.exitCode === SIGTERM_EXIT) return 'interrupted';
  if (policy.permanentExitCodes?.includes(outcome.exitCode)) return 'permanent-error';
  return 'app-error';
}

export type Decision =
  | { kind: 'succeed' }
  | { kind: 'relaunch'; tierIndex: number; delayMs: number; why: string }
  | { kind: 'fail'; reason: string };

export interface DecisionContext {
  tiers: SizeTier[];
  tierIndex: number;
  /** Counts including the outcome being decided on. */
  counts: AttemptCounts;
  policy: SlidePolicy;
}

function describe(outcome: TaskOutcome): string {
  const parts = [
    outcome.exitCode !== undefined ? `exit code ${outcome.exitCode}` : undefined,
    outcome.stopCode ? `stopCode ${outcome.stopCode}` : undefined,
    outcome.containerReason || outcome.stoppedReason || undefined,
  ].filter(Boolean);
  return parts.join(', ') || outcome.lastStatus;
}

function tierText(tier: SizeTier): string {
  return `tier "${tier.name}" (cpu ${tier.cpu}, memory ${tier.memory} MiB)`;
}

/** Counts after one more outcome of the given class. */
export function countOutcome(counts: AttemptCounts, cls: OutcomeClass): AttemptCounts {
  const next = { ...counts };
  if (cls === 'app-error') next.appErrors++;
  if (cls === 'start-failure') next.startFailures++;
  if (cls === 'interrupted') next.interruptions++;
  if (cls === 'out-of-memory') next.outOfMemory++;
  if (cls === 'stuck') next.stuck++;
  return next;
}

export function decide(cls: OutcomeClass, outcome: TaskOutcome, ctx: DecisionContext): Decision {
  const { tiers, tierIndex, counts, policy } = ctx;
  const tier = tiers[tierIndex];
  if (!tier) throw new Error(`no size tier at index ${tierIndex}`);
  const same = (why: string, delayMs = 0): Decision => ({ kind: 'relaunch', tierIndex, delayMs, why });
  const backoff = (n: number): number => policy.relaunchBackoffMs * 2 ** Math.max(0, n - 1);

  switch (cls) {
    case 'success':
      return { kind: 'succeed' };
    case 'out-of-memory': {
      const bigger = tiers[tierIndex + 1];
      if (!bigger) {
        return {
          kind: 'fail',
          reason: `out of memory in the largest ${tierText(tier)}: ${describe(outcome)}`,
        };
      }
      return {
        kind: 'relaunch',
        tierIndex: tierIndex + 1,
        delayMs: 0,
        why: `out of memory in ${tierText(tier)}; relaunching in ${tierText(bigger)}`,
      };
    }
    case 'interrupted':
      if (counts.interruptions > policy.maxInterruptions) {
        return {
          kind: 'fail',
          reason: `interrupted ${counts.interruptions} times, more than the bound of ${policy.maxInterruptions}: ${describe(outcome)}`,
        };
      }
      return same(`interrupted (${describe(outcome)}); resuming from the checkpoint`);
    case 'stuck':
      if (counts.stuck > policy.maxStuck) {
        return { kind: 'fail', reason: `stuck before RUNNING ${counts.stuck} times: ${describe(outcome)}` };
      }
      return same(`stuck in ${outcome.lastStatus} past ${policy.stuckAfterMs} ms; launching again`);
    case 'start-failure':
      if (counts.startFailures >= policy.maxStartFailures) {
        return {
          kind: 'fail',
          reason: `the task failed to start ${counts.startFailures} times: ${describe(outcome)}`,
        };
      }
      return same(`failed to start (${describe(outcome)})`, backoff(counts.startFailures));
    case 'permanent-error':
      return {
        kind: 'fail',
        reason: `the processor declared the slide unprocessable (exit code ${outcome.exitCode} is permanent, not retried): ${describe(outcome)}`,
      };
    case 'app-error':
      if (counts.appErrors >= policy.maxAppErrors) {
        return {
          kind: 'fail',
          reason: `the processor failed ${counts.appErrors} times; last: ${describe(outcome)}`,
        };
      }
      return same(`processor failed (${describe(outcome)})`, backoff(counts.appErrors));
  }
}

/** The first tier: the one named in the input, else the smallest that fits the slide's size. */
export function chooseFirstTier(tiers: SizeTier[], sizeBytes?: number, requested?: string): number {
  if (tiers.length === 0) throw new Error('no size tiers configured');
  if (requested !== undefined) {
    const index = tiers.findIndex((t) => t.name === requested);
    if (index < 0) {
      throw new Error(
        `unknown size tier "${requested}"; known tiers: ${tiers.map((t) => t.name).join(', ')}`,
      );
    }
    return index;
  }
  if (sizeBytes === undefined) return 0;
  const index = tiers.findIndex((t) => t.maxSlideBytes === undefined || sizeBytes <= t.maxSlideBytes);
  return index < 0 ? tiers.length - 1 : index;
}

/** Seconds the task existed, from creation (billing starts around then) to stop. */
export function taskSeconds(outcome: TaskOutcome): number {
  const start = outcome.startedAt ?? outcome.createdAt;
  if (start === undefined || outcome.stoppedAt === undefined) return 0;
  return Math.max(0, (outcome.stoppedAt - start) / 1000);
}
