// How many slides are in flight, and waiting until there is room for one more. The count of
// running processSlide workflows comes from Temporal's visibility store, which lags a little
// behind starts: a count is reused for a short interval, and every start made since (or within
// the visibility lag before it) is added by hand, so the estimate errs high, never low.
import { Backoff, sleep } from './backoff';

export interface InFlightGateOptions {
  /** The bound: no new start while this many are in flight. */
  max: number;
  /** Running workflows right now, as Temporal's visibility sees them. */
  countRunning: () => Promise<number>;
  /** How long one count is reused. */
  countIntervalMs: number;
  /** How long a start may take to show up in a count. */
  visibilityLagMs: number;
  /** Shared Temporal backoff: a failed count pauses every caller. */
  temporal: Backoff;
  /** Called when a count fails. */
  onCountError?: (err: unknown) => void;
  /** Called when a count succeeds after failures. */
  onRecovered?: () => void;
  now?: () => number;
}

/** A reservation for one start: call exactly one of started() or release(). */
export interface Slot {
  started(): void;
  release(): void;
}

export class InFlightGate {
  private counted?: { value: number; at: number };
  /** Completion times of starts a count may not include yet. */
  private recentStarts: number[] = [];
  /** Starts under way. */
  private reserved = 0;
  private refreshing?: Promise<void>;
  private waiters = 0;
  private readonly now: () => number;

  constructor(private readonly opts: InFlightGateOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Workflows believed in flight: last count + starts it may miss + starts under way. */
  estimate(): number {
    // A start that completed before (count sent - lag) is in the count.
    const since = (this.counted?.at ?? -Infinity) - this.opts.visibilityLagMs;
    this.recentStarts = this.recentStarts.filter((t) => t >= since);
    return (this.counted?.value ?? 0) + this.recentStarts.length + this.reserved;
  }

  /** Room for this many more starts (0 when at or above the bound). */
  room(): number {
    return Math.max(0, this.opts.max - this.estimate());
  }

  /** Whether someone is waiting for room (the bridge has stopped receiving). */
  get paused(): boolean {
    return this.waiters > 0;
  }

  private fresh(): boolean {
    return this.counted !== undefined && this.now() - this.counted.at < this.opts.countIntervalMs;
  }

  /** Makes sure the count is fresh; false when Temporal could not be asked. */
  private async refresh(): Promise<boolean> {
    if (this.fresh()) return true;
    this.refreshing ??= (async () => {
      const at = this.now();
      try {
        const value = await this.opts.countRunning();
        this.counted = { value, at };
        if (this.opts.temporal.succeeded()) this.opts.onRecovered?.();
      } catch (err) {
        this.opts.temporal.failed();
        this.opts.onCountError?.(err);
      } finally {
        this.refreshing = undefined;
      }
    })();
    await this.refreshing;
    return this.fresh();
  }

  /**
   * Waits until there is room for at least one start; returns the room. A stop (`signal`)
   * only cuts waits short: when there is room at once, it is returned even after a stop.
   * Returns 0 when stopped while waiting.
   */
  async waitForRoom(signal: AbortSignal): Promise<number> {
    let waiting = false;
    try {
      for (;;) {
        if (this.opts.temporal.remainingMs() === 0 && (await this.refresh())) {
          const room = this.room();
          if (room > 0) return room;
        }
        if (signal.aborted) return 0;
        if (!waiting) {
          waiting = true;
          this.waiters++;
        }
        if (this.opts.temporal.remainingMs() > 0) await this.opts.temporal.wait(signal);
        else {
          // Full: look again when the count goes stale (a workflow may have finished).
          const age = this.counted ? this.now() - this.counted.at : 0;
          await sleep(Math.max(10, this.opts.countIntervalMs - age), signal);
        }
      }
    } finally {
      if (waiting) this.waiters--;
    }
  }

  /** Waits for room and reserves it for one start; undefined when stopped while waiting. */
  async acquire(signal: AbortSignal): Promise<Slot | undefined> {
    for (;;) {
      if ((await this.waitForRoom(signal)) === 0) return undefined;
      // Several callers may wake together: re-check synchronously before reserving.
      if (this.room() > 0) break;
    }
    this.reserved++;
    let done = false;
    const finish = (started: boolean) => {
      if (done) return;
      done = true;
      this.reserved--;
      if (started) this.recentStarts.push(this.now());
    };
    return { started: () => finish(true), release: () => finish(false) };
  }
}
