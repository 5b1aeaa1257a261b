// Reading a slide's state: the `status` query while it runs, the closed status (and the
// result or failure) once it is done.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { statusQuery } from '../workflows/definitions';
import type { SlideResult, SlideStatus } from '../workflows/types';

export interface SlideState {
  workflowId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  execution: string;
  status?: SlideStatus;
  result?: SlideResult;
  failure?: string;
}

export async function readSlideState(client: Client, workflowId: string): Promise<SlideState | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  let execution: string;
  try {
    execution = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const state: SlideState = { workflowId, execution };
  if (execution === 'RUNNING') {
    state.status = await handle.query(statusQuery);
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
