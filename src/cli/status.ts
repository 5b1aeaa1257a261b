// Reading a slide's state: the `status` query while it runs, the closed status (and the
// result or failure) once it is done; and how `slides status` prints it.
import type { Client } from '@temporalio/client';
import { formatS3Uri } from '@wsi-orchestrator/task-contract';
import { statusQuery } from '../workflows/definitions';
import type { SlideResult, SlideStatus } from '../workflows/types';
import { liveTaskOf } from './live-task';
import { findSlideRun } from './slide-handle';

export interface SlideState {
  workflowId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  execution: string;
  status?: SlideStatus;
  result?: SlideResult;
  failure?: string;
  /** The slide's own workflow, when this run handed the slide over to it: its status is shown. */
  handedOverTo?: string;
  /** ECS's status of the running task, from its activity's last heartbeat. */
  taskStatus?: string;
}

export async function readSlideState(client: Client, workflowId: string): Promise<SlideState | undefined> {
  const run = await findSlideRun(client, workflowId);
  if (!run) return undefined;
  const state: SlideState = { workflowId, execution: run.execution };
  if (run.handedOverTo) state.handedOverTo = run.handedOverTo;
  if (run.execution === 'RUNNING') {
    // A run that handed over waits; the slide's own workflow has the task and the progress.
    const own = run.handedOverTo ? await readSlideState(client, run.handedOverTo) : undefined;
    if (own) {
      state.status = own.status;
      state.taskStatus = own.taskStatus;
      return state;
    }
    const status = await run.handle.query(statusQuery);
    // The heartbeat is fresher than the coarse progress the workflow was told.
    const live = liveTaskOf(run.description);
    if (live && live.launchNumber === status.attempts.launches) {
      status.taskArn ??= live.taskArn;
      if (live.progress && (live.progress.done > (status.progress?.done ?? -1) || !status.progress))
        status.progress = live.progress;
      state.taskStatus = live.lastStatus;
    }
    state.status = status;
    return state;
  }
  try {
    state.result = (await run.handle.result()) as SlideResult;
  } catch (err) {
    const cause = (err as { cause?: Error }).cause;
    state.failure = cause?.message ?? (err as Error).message;
  }
  return state;
}

export function formatProgress(status?: SlideStatus): string {
  const p = status?.progress;
  if (!p || p.total === 0) return '-';
  return `${p.done}/${p.total} (${Math.floor((100 * p.done) / p.total)}%)`;
}

/** Task-seconds and estimated cost, e.g. `12.3 task-seconds, ~$0.000138`. */
export function formatCost(taskSeconds: number | undefined, cost: number | undefined): string {
  const seconds = `${(taskSeconds ?? 0).toFixed(1)} task-seconds`;
  return cost === undefined ? seconds : `${seconds}, ~$${cost.toFixed(6)}`;
}

/** The human form of `slides status`. */
export function describeSlideState(state: SlideState): string {
  const s = state.status;
  const lines = [`${state.workflowId}: ${state.execution}`];
  if (state.handedOverTo)
    lines.push(`  handled by ${state.handedOverTo} (the slide's own workflow; this run waits for it)`);
  if (s) {
    lines.push(
      `  slide     ${formatS3Uri({ bucket: s.bucket, key: s.key })}`,
      `  phase     ${s.phase}${state.taskStatus ? ` (task ${state.taskStatus})` : ''}`,
      `  task      ${s.taskArn ?? '-'}`,
      `  tier      ${s.tier ? `${s.tier.name} (cpu ${s.tier.cpu}, memory ${s.tier.memory} MiB)` : '-'}`,
      `  progress  ${formatProgress(s)}`,
      `  attempts  ${s.attempts.launches} launches, ${s.attempts.interruptions} interrupted, ${s.attempts.outOfMemory} out of memory, ${s.attempts.appErrors} errors, ${s.attempts.startFailures} failed starts`,
      `  cost      ${formatCost(s.taskSeconds, s.cost)} (ended launches)`,
    );
  }
  if (state.result) {
    lines.push(
      `  output    ${state.result.outputUri}`,
      `  launches  ${state.result.launches}, tier ${state.result.tier}`,
      `  cost      ${formatCost(state.result.taskSeconds, state.result.cost)}`,
    );
  }
  if (state.failure) lines.push(`  failure   ${state.failure.split('\n').join('\n            ')}`);
  return lines.join('\n');
}

/** Executions that count as a failed slide for the exit code. */
export const FAILED_EXECUTIONS: readonly string[] = ['FAILED', 'TERMINATED', 'TIMED_OUT'];
