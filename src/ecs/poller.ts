// One status poller per worker: every round it describes all the tasks the worker
// supervises with as few DescribeTasks calls as ECS allows (100 ARNs a call), so the API
// calls grow with rounds, not with tasks. Activities wait on it instead of polling alone.
import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { inChunks, MAX_ARNS_PER_CALL } from './paging';

/** What one round learned about one task. */
export interface TaskSnapshot {
  /** Increases by one every round; pass it back to wait for the next. */
  round: number;
  task?: Task;
  /** ECS does not know the task (DescribeTasks failures[] MISSING). */
  missing?: boolean;
  /** The round could not describe the task (throttled, network); the last task is kept. */
  error?: Error;
}

interface Watched {
  cluster: string;
  latest: TaskSnapshot;
  waiters: Set<() => void>;
  refs: number;
}

export interface PollerOptions {
  intervalMs: number;
  /** Longest wait between rounds while ECS throttles or fails (doubles up to this). */
  maxIntervalMs?: number;
  log?: (message: string) => void;
}

export class TaskStatusPoller {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private round = 0;
  private failures = 0;
  private running = false;
  /** DescribeTasks calls made, for tests and benchmarks. */
  describeCalls = 0;

  constructor(
    private readonly ecs: ECSClient,
    private readonly opts: PollerOptions,
  ) {}

  /** Starts watching a task; the returned function stops (reference-counted). */
  watch(cluster: string, taskArn: string): () => void {
    let entry = this.watched.get(taskArn);
    if (!entry) {
      entry = { cluster, latest: { round: 0 }, waiters: new Set(), refs: 0 };
      this.watched.set(taskArn, entry);
    }
    entry.refs++;
    this.schedule();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const e = this.watched.get(taskArn);
      if (e && --e.refs === 0) {
        this.watched.delete(taskArn);
        for (const wake of e.waiters) wake();
      }
    };
  }

  /** The first snapshot of a watched task newer than `afterRound`. Rejects when `signal` aborts. */
  async next(taskArn: string, afterRound: number, signal?: AbortSignal): Promise<TaskSnapshot> {
    for (;;) {
      const entry = this.watched.get(taskArn);
      if (!entry) throw new Error(`task ${taskArn} is not watched`);
      if (entry.latest.round > afterRound) return entry.latest;
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          entry.waiters.delete(wake);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          entry.waiters.delete(wake);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        entry.waiters.add(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.watched.values()) for (const wake of entry.waiters) wake();
    this.watched.clear();
  }

  private schedule(): void {
    if (this.timer || this.running || this.watched.size === 0) return;
    const backoff = Math.min(this.opts.intervalMs * 2 ** this.failures, this.opts.maxIntervalMs ?? 30_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, backoff);
  }

  private async poll(): Promise<void> {
    this.running = true;
    const round = ++this.round;
    let failed = false;
    try {
      const byCluster = new Map<string, string[]>();
      for (const [arn, entry] of this.watched) {
        byCluster.set(entry.cluster, [...(byCluster.get(entry.cluster) ?? []), arn]);
      }
      // Clusters in parallel, one cluster's chunks one after another (gentler on its rate
      // limit); one failed call marks the round failed.
      const results = await Promise.all(
        [...byCluster].map(([cluster, arns]) =>
          inChunks(arns, MAX_ARNS_PER_CALL, async (chunk) => [await this.describe(cluster, chunk, round)]),
        ),
      );
      failed = results.flat().includes(false);
    } finally {
      this.failures = failed ? Math.min(this.failures + 1, 10) : 0;
      this.running = false;
      this.schedule();
    }
  }

  /** Describes one chunk and wakes its waiters; false when the call failed. */
  private async describe(cluster: string, arns: string[], round: number): Promise<boolean> {
    let tasks: Task[] = [];
    let missing = new Set<string>();
    let error: Error | undefined;
    try {
      this.describeCalls++;
      const out = await this.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
      tasks = out.tasks ?? [];
      missing = new Set((out.failures ?? []).filter((f) => f.reason === 'MISSING').map((f) => f.arn ?? ''));
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
      this.opts.log?.(`DescribeTasks on ${cluster} failed (${error.name}: ${error.message}); backing off`);
    }
    const byArn = new Map(tasks.map((t) => [t.taskArn ?? '', t]));
    for (const arn of arns) {
      const entry = this.watched.get(arn);
      if (!entry) continue;
      const task = byArn.get(arn);
      entry.latest = error
        ? { round, task: entry.latest.task, error }
        : task
          ? { round, task }
          : { round, missing: missing.has(arn) || undefined, task: entry.latest.task };
      for (const wake of [...entry.waiters]) wake();
    }
    return error === undefined;
  }
}
