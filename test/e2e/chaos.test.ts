// The chaos test: 50 slides through the whole stack, the local ECS answering as real ECS does
// (realistic profile), faults injected at random, a worker SIGKILLed mid-run and then every
// worker down for longer than ECS keeps stopped tasks, and operators terminating + re-submitting
// and resetting running slides and terminating the budget. Every slide completes exactly once,
// ECS ran exactly the tasks the policy (and the operators) called for, never two live tasks for
// one slide, nothing is left running, and interruptions redo at most one chunk.
// bench/chaos.ts runs a larger version and prints the same figures.
import { formatFigures, runChaos } from '../../bench/chaos-run';

test('chaos: 50 slides, realistic ECS, random faults, workers killed and all down for a while, operators at work: every slide completes exactly once', async () => {
  const figures = await runChaos({
    slides: 50,
    realSlides: 5,
    slotsPerWorker: 6,
    simulatedMs: 2500,
    seed: 7,
    operatorActions: 2,
  });
  console.log(`chaos figures:\n${formatFigures(figures)}`);

  expect(figures.completed).toBe(50);
  expect(figures.maxRunsPerSlide).toBe(1);
  expect(figures.operatorActions).toEqual({ resubmitted: 2, reset: 2, budgetTerminated: 1 });
  // RunTask made exactly one task per launch: 50 first launches plus the relaunches the policy
  // called for, plus what the runs the operators closed had launched (one each, or a relaunch).
  expect(figures.launches).toBe(50 + figures.relaunches);
  expect(figures.tasksOfClosedRuns).toBeGreaterThanOrEqual(0);
  expect(figures.tasksOfClosedRuns).toBeLessThanOrEqual(2 * 4);
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
