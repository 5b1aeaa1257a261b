// Waiting: an abortable sleep, and one shared backoff per dependency (Temporal, SQS) so that an
// outage pauses the whole bridge once instead of every record retrying on its own schedule.

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with jitter: doubles per consecutive failure, resets on success. */
export class Backoff {
  private failures = 0;
  private until = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the last attempt failed. */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Milliseconds left before the next attempt is due. */
  remainingMs(): number {
    return Math.max(0, this.until - this.now());
  }

  /** Records a failure; returns the pause before the next attempt. */
  failed(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    // Jitter keeps several bridges from retrying in lockstep after a shared outage.
    const delay = Math.round(base * (0.8 + Math.random() * 0.2));
    this.until = Math.max(this.until, this.now() + delay);
    return delay;
  }

  /** Records a success; returns true when this ends a run of failures. */
  succeeded(): boolean {
    const recovered = this.failures > 0;
    this.failures = 0;
    this.until = 0;
    return recovered;
  }

  /** Waits out the current pause (at once when there is none or `signal` aborts). */
  wait(signal?: AbortSignal): Promise<void> {
    return sleep(this.remainingMs(), signal);
  }
}
