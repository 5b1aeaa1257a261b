// The in-flight gate on its own, with a fake count and a fake clock.
import { Backoff } from '../../src/bridge/backoff';
import { InFlightGate } from '../../src/bridge/backpressure';

function gate(running: { n: number; fail?: boolean }, max = 3, realClock = false) {
  let now = 1_000_000;
  const clock = () => (realClock ? Date.now() : now);
  const g = new InFlightGate({
    max,
    countRunning: async () => {
      if (running.fail) throw new Error('unavailable');
      return running.n;
    },
    countIntervalMs: 100,
    visibilityLagMs: 500,
    temporal: new Backoff(50, 200, clock),
    now: clock,
  });
  return { g, tick: (ms: number) => (now += ms) };
}

const live = () => new AbortController().signal;

describe('the in-flight gate', () => {
  test('reserves up to the bound, then makes callers wait', async () => {
    const { g } = gate({ n: 1 });
    const a = await g.acquire(live());
    const b = await g.acquire(live());
    expect(g.estimate()).toBe(3);
    const stop = new AbortController();
    const third = g.acquire(stop.signal);
    await new Promise((r) => setTimeout(r, 30));
    expect(g.paused).toBe(true);
    stop.abort();
    expect(await third).toBeUndefined();
    expect(g.paused).toBe(false);
    a?.release();
    b?.release();
    expect(g.estimate()).toBe(1);
  });

  test('a start counts until a count taken after it (plus the visibility lag) can show it', async () => {
    const running = { n: 0 };
    const { g, tick } = gate(running);
    const slot = await g.acquire(live());
    slot?.started();
    expect(g.estimate()).toBe(1);
    // The server already shows it, but the count is within the lag: counted twice (errs high).
    running.n = 1;
    tick(200);
    await g.waitForRoom(live());
    expect(g.estimate()).toBe(2);
    // A count taken after the lag stands alone.
    tick(600);
    await g.waitForRoom(live());
    expect(g.estimate()).toBe(1);
  });

  test('after a stop, room that is there at once is still granted (the batch in hand finishes)', async () => {
    const { g } = gate({ n: 0 });
    const stop = new AbortController();
    stop.abort();
    expect(await g.acquire(stop.signal)).toBeDefined();
  });

  test('while counts fail it waits, and goes on when they succeed again', async () => {
    const running = { n: 0, fail: true };
    const { g } = gate(running, 3, true);
    const waiting = g.waitForRoom(live());
    await new Promise((r) => setTimeout(r, 30));
    expect(g.paused).toBe(true);
    running.fail = false;
    expect(await waiting).toBe(3);
  });
});
