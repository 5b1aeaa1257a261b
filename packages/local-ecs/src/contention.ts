// Contention mode of a cluster: with soft reservations, tasks are placed past an instance's
// capacity, and the host pays for it. While an instance is over-committed, its simulated
// tasks run slower in proportion (remaining time × committed/capacity), and each is
// OOM-killed with a hazard that grows with the memory over-commit. A deliberately simple model
// for "naive launcher vs controlled launcher" benchmarks; the README says what it leaves out.
import type { ContentionSettings } from './config';
import type { ContainerInstanceState } from './container-instances';
import type { TaskRecord } from './task';
import type { Cancel, Timers } from './timers';

export interface ContentionHooks {
  /** Tasks holding capacity on the instance. */
  tasksOn(instance: ContainerInstanceState): TaskRecord[];
  /** OOM-kills the task's first essential container (as the oom fault does). */
  oomKill(task: TaskRecord): void;
}

const isSimulated = (t: TaskRecord): boolean => t.containers.some((c) => c.spec.simulated);

export class ContentionModel {
  private readonly tickers = new Map<string, Cancel>();

  constructor(
    private readonly settings: ContentionSettings,
    private readonly timers: Timers,
    private readonly random: () => number,
    private readonly hooks: ContentionHooks,
  ) {}

  /** How many times slower work goes on the instance now (1 when not over-committed). */
  slowdownOn(instance: ContainerInstanceState): number {
    const r = instance.capacity.commitRatio();
    const worst = Math.max(r.cpu, r.memory);
    return Number.isFinite(worst) ? Math.max(1, worst) : 1;
  }

  /** The instance's reservations changed: re-pace its tasks, start or stop the OOM draws. */
  update(instance: ContainerInstanceState): void {
    const factor = this.slowdownOn(instance);
    for (const t of this.hooks.tasksOn(instance)) {
      for (const c of t.containers) c.runtime?.setSlowdown?.(factor);
    }
    if (this.memoryOvercommit(instance) > 0) this.tick(instance);
    else this.stopTicking(instance);
  }

  /** Memory committed beyond capacity, as a fraction of capacity (0 when within it). */
  private memoryOvercommit(instance: ContainerInstanceState): number {
    const m = instance.capacity.commitRatio().memory;
    return Number.isFinite(m) ? Math.max(0, m - 1) : 0;
  }

  private tick(instance: ContainerInstanceState): void {
    if (this.tickers.has(instance.id)) return;
    const { checkIntervalMs, oomHazardPerSecond } = this.settings;
    this.tickers.set(
      instance.id,
      this.timers.after(checkIntervalMs, () => {
        this.tickers.delete(instance.id);
        const over = this.memoryOvercommit(instance);
        if (over <= 0) return;
        const p = Math.min(1, oomHazardPerSecond * over * (checkIntervalMs / 1000));
        for (const t of this.hooks.tasksOn(instance)) {
          if (
            t.lastStatus === 'RUNNING' &&
            t.desiredStatus === 'RUNNING' &&
            isSimulated(t) &&
            this.random() < p
          ) {
            this.hooks.oomKill(t);
          }
        }
        this.tick(instance);
      }),
    );
  }

  private stopTicking(instance: ContainerInstanceState): void {
    this.tickers.get(instance.id)?.();
    this.tickers.delete(instance.id);
  }
}
