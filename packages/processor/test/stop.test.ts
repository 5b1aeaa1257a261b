import { StopRequested } from '../src/errors';
import { StopSignal } from '../src/stop';

describe('stop signal', () => {
  test('a long step loses the race to a stop request', async () => {
    const stop = new StopSignal();
    const never = new Promise<string>(() => undefined);
    const raced = stop.race(never);
    stop.request('SIGTERM');
    await expect(raced).rejects.toBeInstanceOf(StopRequested);
    await expect(stop.race(Promise.resolve('late'))).rejects.toBeInstanceOf(StopRequested);
    expect(stop.why).toBe('SIGTERM');
    expect(stop.signal.aborted).toBe(true);
  });

  test('without a stop the step wins and its errors pass through', async () => {
    const stop = new StopSignal();
    await expect(stop.race(Promise.resolve(7))).resolves.toBe(7);
    await expect(stop.race(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  test('sleep ends early, returning false, when a stop is requested', async () => {
    const stop = new StopSignal();
    expect(await stop.sleep(1)).toBe(true);
    const started = Date.now();
    const sleeping = stop.sleep(10_000);
    stop.request('SIGINT');
    expect(await sleeping).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s asked for
    expect(await stop.sleep(0)).toBe(false);
  });
});
