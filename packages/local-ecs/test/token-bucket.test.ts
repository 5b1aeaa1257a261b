import { RateLimiter } from '../src/rate-limits';
import { TokenBucket } from '../src/token-bucket';

function fakeClock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenBucket', () => {
  test('starts full: a burst of calls passes, the next one does not', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 5, perSecond: 2, now: clock.now });
    for (let i = 0; i < 5; i += 1) expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  test('refills at perSecond, never above burst', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 4, perSecond: 2, now: clock.now });
    for (let i = 0; i < 4; i += 1) bucket.tryTake();
    clock.advance(499);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(60_000);
    expect(bucket.available()).toBe(4);
  });

  test('a multi-token take is all or nothing', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 10, perSecond: 20, now: clock.now });
    expect(bucket.tryTake(7)).toBe(true);
    expect(bucket.tryTake(4)).toBe(false);
    expect(bucket.available()).toBeCloseTo(3);
    expect(bucket.msUntil(4)).toBe(50);
    clock.advance(50);
    expect(bucket.tryTake(4)).toBe(true);
  });

  test('sustained rate equals perSecond over a long run', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 100, perSecond: 40, now: clock.now });
    let granted = 0;
    for (let ms = 0; ms < 10_000; ms += 5) {
      while (bucket.tryTake()) granted += 1;
      clock.advance(5);
    }
    // 100 burst + 40/s for 10 s (the last refill step is not drawn).
    expect(granted).toBeGreaterThanOrEqual(499);
    expect(granted).toBeLessThanOrEqual(500);
  });

  test('rejects nonsense sizes', () => {
    expect(() => new TokenBucket({ burst: 0, perSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: 1, perSecond: -1 })).toThrow(RangeError);
  });
});

/** Whether the limiter lets a call through (it throws ECS's error otherwise). */
function admits(rl: RateLimiter, action: 'RunTask' | 'DescribeTasks'): boolean {
  try {
    rl.gate(action);
    return true;
  } catch {
    return false;
  }
}

describe('RateLimiter', () => {
  const limits = {
    runTask: { burst: 2, perSecond: 1 },
    taskLaunch: { burst: 5, perSecond: 1 },
    describeTasks: false as const,
  };

  test('RunTask calls and task launches are separate buckets; false means unlimited', () => {
    const clock = fakeClock();
    const rl = new RateLimiter(limits, () => 0.5, clock.now);
    expect(admits(rl, 'RunTask')).toBe(true);
    expect(admits(rl, 'RunTask')).toBe(true);
    expect(admits(rl, 'RunTask')).toBe(false);
    expect(rl.launchesAvailable(5)).toBe(true);
    rl.takeLaunches(4);
    expect(rl.launchesAvailable(2)).toBe(false);
    expect(rl.launchesAvailable(1)).toBe(true);
    for (let i = 0; i < 1000; i += 1) expect(admits(rl, 'DescribeTasks')).toBe(true);
  });

  test('a storm throttles its actions for its duration without taking tokens', () => {
    const clock = fakeClock();
    const rl = new RateLimiter(limits, () => 0.5, clock.now);
    rl.addStorm({
      type: 'throttlingStorm',
      actions: ['RunTask'],
      startAfterMs: 100,
      durationMs: 1000,
      probability: 1,
      error: 'ThrottlingException',
    });
    expect(admits(rl, 'RunTask')).toBe(true); // before the storm
    clock.advance(100);
    expect(admits(rl, 'RunTask')).toBe(false);
    expect(admits(rl, 'DescribeTasks')).toBe(true);
    clock.advance(1000);
    expect(admits(rl, 'RunTask')).toBe(true); // the storm took no token: one left
  });

  test('a storm with a probability throttles calls whose draw falls under it', () => {
    const clock = fakeClock();
    const draws = [0.1, 0.9, 0.2, 0.8];
    const rl = new RateLimiter(
      { runTask: false, taskLaunch: false, describeTasks: false },
      () => draws.shift() ?? 0,
      clock.now,
    );
    rl.addStorm({
      type: 'throttlingStorm',
      actions: ['DescribeTasks'],
      startAfterMs: 0,
      durationMs: 1000,
      probability: 0.5,
      error: 'ThrottlingException',
    });
    expect([1, 2, 3, 4].map(() => admits(rl, 'DescribeTasks'))).toEqual([false, true, false, true]);
  });

  test('a ServerException storm answers 500 ServerException instead', () => {
    const clock = fakeClock();
    const rl = new RateLimiter(limits, () => 0, clock.now);
    rl.addStorm({
      type: 'throttlingStorm',
      actions: ['RunTask'],
      startAfterMs: 0,
      durationMs: 10,
      probability: 1,
      error: 'ServerException',
    });
    expect(() => rl.gate('RunTask')).toThrow(
      expect.objectContaining({ type: 'ServerException', status: 500 }),
    );
    clock.advance(10);
    expect(() => rl.gate('RunTask')).not.toThrow();
  });
});
