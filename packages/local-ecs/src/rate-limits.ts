// ECS's three rate limits that matter here (RunTask calls, task launches, DescribeTasks
// calls), plus injected storms (ThrottlingException or ServerException for a while). A call a
// storm answers takes no tokens.
import type { LocalEcsConfig, StormError, ThrottledAction, ThrottlingStorm } from './config';
import { EcsError, throttled } from './protocol';
import { TokenBucket, type Clock } from './token-bucket';

interface ActiveStorm {
  actions: readonly ThrottledAction[];
  from: number;
  until: number;
  probability: number;
  error: StormError;
}

export class RateLimiter {
  private readonly runTask?: TokenBucket;
  private readonly taskLaunch?: TokenBucket;
  private readonly describeTasks?: TokenBucket;
  private storms: ActiveStorm[] = [];

  constructor(
    limits: LocalEcsConfig['rateLimits'],
    private readonly random: () => number,
    private readonly now: Clock = Date.now,
  ) {
    const bucket = (l: LocalEcsConfig['rateLimits']['runTask']) =>
      l === false ? undefined : new TokenBucket({ ...l, now });
    this.runTask = bucket(limits.runTask);
    this.taskLaunch = bucket(limits.taskLaunch);
    this.describeTasks = bucket(limits.describeTasks);
  }

  /** A storm starting `startAfterMs` from now. */
  addStorm(storm: ThrottlingStorm): void {
    const from = this.now() + storm.startAfterMs;
    this.storms.push({
      actions: storm.actions,
      from,
      until: from + storm.durationMs,
      probability: storm.probability,
      error: storm.error,
    });
  }

  clearStorms(): void {
    this.storms = [];
  }

  /** The error a raging storm answers this call with, if any (it takes no tokens). */
  stormError(action: ThrottledAction): StormError | undefined {
    const t = this.now();
    this.storms = this.storms.filter((s) => s.until > t);
    const storm = this.storms.find(
      (s) =>
        s.from <= t && s.actions.includes(action) && (s.probability >= 1 || this.random() < s.probability),
    );
    return storm?.error;
  }

  /** Checks a call against storms and its bucket: throws the error ECS would answer. */
  gate(action: ThrottledAction): void {
    const storm = this.stormError(action);
    if (storm === 'ServerException')
      throw new EcsError('ServerException', 'Service unavailable. Try again later.');
    if (storm !== undefined) throw throttled();
    const bucket = action === 'RunTask' ? this.runTask : this.describeTasks;
    if (bucket && !bucket.tryTake(1)) throw throttled();
  }

  /** Whether `n` task launches fit the launch rate now (nothing taken). */
  launchesAvailable(n: number): boolean {
    return this.taskLaunch === undefined || this.taskLaunch.available() + 1e-9 >= n;
  }

  takeLaunches(n: number): void {
    if (n > 0) this.taskLaunch?.take(n);
  }
}
