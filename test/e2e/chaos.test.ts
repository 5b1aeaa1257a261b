// The chaos test: 50 slides through the whole stack, the local ECS answering as real ECS does
// (realistic profile), faults injected at random, a worker SIGKILLed mid-run and then every
// worker down for longer than ECS keeps stopped tasks. Every slide completes exactly once, ECS ran exactly the tasks
// the policy called for, nothing is left running, and interruptions redo at most one chunk.
// bench/chaos.ts runs a larger version and prints the same figures.
import { formatFigures, runChaos } from '../../bench/chaos-run';

test('chaos: 50 slides, realistic ECS, random faults, workers killed and all down for a while: every slide completes exactly once', async () => {
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
  // Never two live tasks for one slide, at any instant.
  expect(figures.maxLiveTasksPerSlide).toBe(1);
  expect(figures.maxRedonePerInterruption).toBeLessThanOrEqual(figures.chunkTiles);
  // The faults really happened.
  expect(figures.relaunches).toBeGreaterThan(0);
  expect(
    figures.runTaskThrottled + figures.describeTasksThrottled + figures.runTaskWrappedThrottles,
  ).toBeGreaterThan(0);
  expect(figures.realInterruptions).toBeGreaterThan(0);
}, 600_000);
