// Every timer the local ECS sets goes through one Timers, so close() can cancel them all and
// nothing fires after the server is gone. Thousands of simulated tasks cost one timer each
// per phase, never a polling loop.

export type Cancel = () => void;

export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms`; returns a cancel function. A throwing callback is logged, not fatal. */
  after(ms: number, fn: () => void): Cancel {
    if (this.closed) return () => undefined;
    const timer = setTimeout(
      () => {
        this.pending.delete(timer);
        try {
          fn();
        } catch (err) {
          console.error('[local-ecs] timer callback failed:', err);
        }
      },
      Math.max(0, ms),
    );
    this.pending.add(timer);
    return () => {
      clearTimeout(timer);
      this.pending.delete(timer);
    };
  }

  get size(): number {
    return this.pending.size;
  }

  /** Cancels everything and refuses new timers. */
  close(): void {
    this.closed = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}
