// Eventual consistency after RunTask: ECS's API reference warns that a new task may not be
// visible to DescribeTasks or ListTasks at once, and clients see `failures: MISSING` for about
// a second. Each task gets a random moment from which reads see it.
import type { VisibilityDelay } from './config';

export class TaskVisibility {
  constructor(
    private readonly delay: VisibilityDelay | false | undefined,
    private readonly random: () => number,
  ) {}

  /** The epoch ms from which a task created at `createdAt` is visible to reads. */
  visibleFrom(createdAt: number): number {
    if (!this.delay) return createdAt;
    const { minMs, maxMs } = this.delay;
    return createdAt + minMs + Math.floor(this.random() * (maxMs - minMs + 1));
  }
}

/** Whether reads (DescribeTasks, ListTasks) see the task now. */
export const isVisible = (task: { visibleFrom?: number }, now = Date.now()): boolean =>
  task.visibleFrom === undefined || now >= task.visibleFrom;
