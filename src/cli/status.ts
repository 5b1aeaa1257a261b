// Reading a slide's state: the `status` query while it runs, the closed status (and the
// result or failure) once it is done.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { statusQuery } from '../workflows/definitions';
import type { SlideResult, SlideStatus } from '../workflows/types';
import { liveTaskOf } from './live-task';

export interface SlideState {
  workflowId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  execution: string;
  status?: SlideStatus;
  /** ECS's status of the running task, from the activity's last heartbeat. */
  taskStatus?: string;
  result?: SlideResult;
  failure?: string;
}

export async function readSlideState(client: Client, workflowId: string): Promise<SlideState | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  let execution: string;
  let description: Awaited<ReturnType<typeof handle.describe>>;
  try {
    description = await handle.describe();
    execution = description.status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const state: SlideState = { workflowId, execution };
  if (execution === 'RUNNING') {
    const status = await handle.query(statusQuery);
    // The heartbeat is fresher than the coarse progress the workflow was told.
    const live = liveTaskOf(description);
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
    state.result = (await handle.result()) as SlideResult;
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
