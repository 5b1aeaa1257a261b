// A timer measured in work rather than wall time: it fires once `workMs` of work is done,
// and work goes at 1/slowdown of wall time. Changing the slowdown stretches (or shrinks) only
// what is left, so a simulated task slowed half-way through finishes later by half as much.
import type { Cancel, Timers } from './timers';

export class StretchableTimer {
  private remainingWorkMs: number;
  private since: number;
  private cancel?: Cancel;
  private done = false;

  constructor(
    private readonly timers: Timers,
    workMs: number,
    private slowdown: number,
    private readonly fn: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.remainingWorkMs = workMs;
    this.since = now();
    this.schedule();
  }

  private schedule(): void {
    this.cancel?.();
    this.cancel = this.timers.after(this.remainingWorkMs * this.slowdown, () => {
      this.done = true;
      this.fn();
    });
  }

  /** From now on, work goes at 1/`factor` of wall time (factor ≥ 1). */
  setSlowdown(factor: number): void {
    if (this.done || factor === this.slowdown) return;
    const t = this.now();
    this.remainingWorkMs = Math.max(0, this.remainingWorkMs - (t - this.since) / this.slowdown);
    this.since = t;
    this.slowdown = factor;
    this.schedule();
  }

  stop(): void {
    this.done = true;
    this.cancel?.();
  }
}
