// Which of a task's changes runEcsTask pushes to its workflow as a signal. Every signal costs
// four or five history events, so a launch pushes at most two: the task's ARN when it first
// reaches RUNNING, and its progress when it crosses half-way. ECS's other statuses and
// fine-grained progress stay in the activity's heartbeat details, which `slides status`,
// `slides watch` and the Web UI read on demand: a 48-hour task writes as many events as a
// 3-second one. A retried attempt that reattaches to its task pushes nothing it pushed before.
import type { Progress, TaskUpdate } from '../workflows/types';

/** Progress is pushed each time it crosses a multiple of this many percent (below 100). */
export const PROGRESS_MILESTONE_PERCENT = 50;

export interface TaskState {
  taskArn: string;
  lastStatus?: string;
  progress?: Progress;
}

export type TaskUpdateFields = Omit<TaskUpdate, 'launchNumber'>;

function milestoneOf(progress: Progress | undefined): number {
  if (!progress || progress.total <= 0) return 0;
  const percent = Math.min(99, Math.floor((100 * progress.done) / progress.total));
  return Math.floor(percent / PROGRESS_MILESTONE_PERCENT);
}

export class TaskUpdateGate {
  private runningSent: boolean;
  private milestone: number;

  /** `previous`: what an earlier attempt of this launch last heartbeat (then it was pushed). */
  constructor(previous?: { lastStatus?: string; progress?: Progress }) {
    this.runningSent = previous?.lastStatus === 'RUNNING';
    this.milestone = milestoneOf(previous?.progress);
  }

  /** The update worth a signal for this state of the task, or undefined. */
  next(state: TaskState): TaskUpdateFields | undefined {
    if (state.lastStatus !== 'RUNNING') return undefined;
    const update: TaskUpdateFields = {};
    if (!this.runningSent) {
      this.runningSent = true;
      Object.assign(update, { taskArn: state.taskArn, phase: 'RUNNING' });
      if (state.progress) update.progress = state.progress;
    }
    const milestone = milestoneOf(state.progress);
    if (milestone > this.milestone && state.progress) {
      this.milestone = milestone;
      update.progress = state.progress;
    }
    return Object.keys(update).length > 0 ? update : undefined;
  }
}

/**
 * Capacity waits are retried for hours; the phase is pushed on attempts 1, 2, 4, 8, ... only,
 * so a six-hour wait costs a handful of signals, not one per retry.
 */
export function worthReportingCapacityWait(attempt: number): boolean {
  return attempt > 0 && (attempt & (attempt - 1)) === 0;
}
