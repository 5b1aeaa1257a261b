// A stop request (SIGTERM from ECS, or Ctrl-C) as a value the run loop can check between tiles
// and race long steps against. Kept separate from process signals so tests can drive it.
import { StopRequested } from './errors';

export class StopSignal {
  private readonly controller = new AbortController();
  private readonly stopped: Promise<never>;
  private reason: string | undefined;

  constructor() {
    this.stopped = new Promise<never>((_, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(new StopRequested()), { once: true });
    });
    // Nobody may be racing against it when the stop comes; that is not an unhandled rejection.
    this.stopped.catch(() => undefined);
  }

  get requested(): boolean {
    return this.controller.signal.aborted;
  }

  get why(): string | undefined {
    return this.reason;
  }

  /** Aborts in-flight downloads that were given this signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  request(reason: string): void {
    if (this.requested) return;
    this.reason = reason;
    this.controller.abort();
  }

  /** Resolves with `work`, or rejects with StopRequested as soon as a stop is requested. */
  async race<T>(work: Promise<T>): Promise<T> {
    if (this.requested) {
      work.catch(() => undefined);
      throw new StopRequested();
    }
    return Promise.race([work, this.stopped]);
  }

  /** Waits `ms`; resolves false at once if a stop is requested meanwhile. */
  async sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return !this.requested;
    if (this.requested) return false;
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.controller.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      this.controller.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
