// The chaos test: 50 slides through the whole stack with faults injected at random and a
// worker SIGKILLed mid-run. Every slide completes exactly once, ECS ran exactly the tasks
// the policy called for, nothing is left running, and interruptions redo at most one chunk.
// bench/chaos.ts runs a larger version and prints the same figures.
import { formatFigures, runChaos } from '../../bench/chaos-run';

test('chaos: 50 slides, random faults, a worker killed mid-run: every slide completes exactly once', async () => {
  const figures = await runChaos({
    slides: 50,
    realSlides: 5,
    slotsPerWorker: 6,
    simulatedMs: 2500,
    seed: 7,
  });
  console.log(`chaos figures:\n${formatFigures(figures)}`);

  expect(figures.completed).toBe(50);
  expect(figures.maxRunsPerSlide).toBe(1);
  // RunTask made exactly one task per launch: 50 first launches plus the relaunches the policy called for.
  expect(figures.tasksLaunched).toBe(50 + figures.relaunches);
  expect(figures.launches).toBe(figures.tasksLaunched);
  expect(figures.tasksStillRunning).toBe(0);
  expect(figures.maxRedonePerInterruption).toBeLessThanOrEqual(figures.chunkTiles);
  // The faults really happened.
  expect(figures.relaunches).toBeGreaterThan(0);
  expect(figures.runTaskThrottled + figures.describeTasksThrottled).toBeGreaterThan(0);
  expect(figures.runTaskNoCapacity).toBeGreaterThan(0);
  expect(figures.realInterruptions).toBeGreaterThan(0);
}, 600_000);
