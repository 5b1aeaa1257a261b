import { taskToOutcome } from '../../src/ecs/outcome';
import { chooseFirstTier, classifyOutcome, decide, taskSeconds } from '../../src/workflows/decide';
import type { SizeTier, SlidePolicy, TaskOutcome } from '../../src/workflows/types';

const POLICY: SlidePolicy = {
  maxAppErrors: 3,
  maxStartFailures: 3,
  maxInterruptions: 5,
  maxStuck: 2,
  stuckAfterMs: 600_000,
  capacityWaitMs: 3_600_000,
  relaunchBackoffMs: 10_000,
  maxTaskDurationMs: 86_400_000,
  heartbeatTimeoutMs: 60_000,
  retryInitialIntervalMs: 10,
  retryMaxIntervalMs: 50,
};

const base: TaskOutcome = { taskArn: 'arn:task', launchNumber: 1, lastStatus: 'STOPPED' };

describe('classifyOutcome: the outcome table', () => {
  test.each<[string, Partial<TaskOutcome>, string]>([
    ['exit 0', { exitCode: 0, stopCode: 'EssentialContainerExited' }, 'success'],
    ['exit 0 even if a spot notice raced it', { exitCode: 0, stopCode: 'SpotInterruption' }, 'success'],
    [
      'exit 137 with OutOfMemoryError',
      { exitCode: 137, containerReason: 'OutOfMemoryError: Container killed due to memory usage' },
      'out-of-memory',
    ],
    [
      'exit 137 without an OOM reason (SIGKILL after stop timeout)',
      { exitCode: 137, stopCode: 'UserInitiated' },
      'app-error',
    ],
    ['SpotInterruption', { exitCode: 143, stopCode: 'SpotInterruption' }, 'interrupted'],
    ['TerminationNotice', { stopCode: 'TerminationNotice', exitCode: 1 }, 'interrupted'],
    ['ServiceSchedulerInitiated', { stopCode: 'ServiceSchedulerInitiated' }, 'interrupted'],
    ['exit 143 after SIGTERM', { exitCode: 143, stopCode: 'EssentialContainerExited' }, 'interrupted'],
    // No exit code means the container never ran: whoever stopped it, nothing succeeded.
    ['stopped by a user before it ran', { stopCode: 'UserInitiated' }, 'start-failure'],
    ['spot-interrupted before it ran', { stopCode: 'SpotInterruption' }, 'interrupted'],
    [
      'TaskFailedToStart',
      { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError' },
      'start-failure',
    ],
    ['no exit code and no known stop', { stopCode: 'EssentialContainerExited' }, 'start-failure'],
    ['any other exit', { exitCode: 3, stopCode: 'EssentialContainerExited' }, 'app-error'],
    ['stuck', { stuck: true, lastStatus: 'PENDING' }, 'stuck'],
    [
      'stopped by ECS after waiting for a capacity provider to make room',
      { stopCode: 'TaskFailedToStart', stoppedReason: 'TaskFailedToStart: RESOURCE:MEMORY' },
      'stuck',
    ],
    ['missing from ECS', { missing: true, lastStatus: 'MISSING' }, 'interrupted'],
    [
      'missing from ECS, but its checkpoint says complete',
      { missing: true, lastStatus: 'MISSING', checkpointComplete: true },
      'success',
    ],
    [
      'not launched: the checkpoint already said complete',
      { lastStatus: 'NOT_LAUNCHED', notLaunched: true, checkpointComplete: true },
      'success',
    ],
    [
      'TaskFailedToStart even with an exit code 0 in the answer',
      { stopCode: 'TaskFailedToStart', exitCode: 0 },
      'start-failure',
    ],
    ['STOPPED with no containers and no stop code', {}, 'start-failure'],
    ['exit 2 with no permanent codes configured', { exitCode: 2 }, 'app-error'],
  ])('%s', (_name, fields, expected) => {
    expect(classifyOutcome({ ...base, ...fields })).toBe(expected);
  });
});

describe("the processor's permanent exit codes", () => {
  const policy = { permanentExitCodes: [2, 64, 65] };
  test.each([2, 64, 65])('exit %i is permanent', (exitCode) => {
    expect(classifyOutcome({ ...base, exitCode, stopCode: 'EssentialContainerExited' }, policy)).toBe(
      'permanent-error',
    );
  });
  test('other exits stay application errors; OOM and interruptions win over the code', () => {
    expect(classifyOutcome({ ...base, exitCode: 1 }, policy)).toBe('app-error');
    expect(classifyOutcome({ ...base, exitCode: 2, stopCode: 'SpotInterruption' }, policy)).toBe(
      'interrupted',
    );
  });
  test('a permanent exit fails the slide at once, naming the code and the reason', () => {
    const outcome: TaskOutcome = {
      ...base,
      exitCode: 65,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    };
    const decision = decide('permanent-error', outcome, {
      tiers: [{ name: 'small', cpu: 1024, memory: 4096 }],
      tierIndex: 0,
      counts: { launches: 1, appErrors: 0, startFailures: 0, interruptions: 0, outOfMemory: 0, stuck: 0 },
      policy: { ...POLICY, ...policy },
    });
    expect(decision.kind).toBe('fail');
    expect(decision.kind === 'fail' && decision.reason).toMatch(/exit code 65 is permanent/);
    expect(decision.kind === 'fail' && decision.reason).toContain('Essential container in task exited');
  });
});

describe('start failures are never successes', () => {
  test('the container missing from the answer is no exit code, so a start failure', () => {
    const task = {
      taskArn: 'arn:task',
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart' as const,
      stoppedReason: 'ResourceInitializationError: unable to pull secrets',
      containers: [],
    };
    const outcome = taskToOutcome(task, 1, 'processor');
    expect(outcome.exitCode).toBeUndefined();
    expect(classifyOutcome(outcome)).toBe('start-failure');
  });
  test("a sidecar's exit 0 does not pass for the processor's", () => {
    const outcome = taskToOutcome(
      {
        taskArn: 'arn:task',
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'log-router', exitCode: 0 }, { name: 'processor' }],
      },
      1,
      'processor',
    );
    expect(outcome.exitCode).toBeUndefined();
    expect(classifyOutcome(outcome)).toBe('start-failure');
  });
  test("a lone container under another name is still the task's", () => {
    const outcome = taskToOutcome(
      { taskArn: 'arn:task', lastStatus: 'STOPPED', containers: [{ name: 'main', exitCode: 0 }] },
      1,
      'processor',
    );
    expect(classifyOutcome(outcome)).toBe('success');
  });
});

describe('chooseFirstTier', () => {
  const tiers: SizeTier[] = [
    { name: 'small', cpu: 1024, memory: 4096, maxSlideBytes: 1e9 },
    { name: 'medium', cpu: 2048, memory: 8192, maxSlideBytes: 4e9 },
    { name: 'large', cpu: 4096, memory: 16384 },
  ];
  test('by size, the smallest tier that fits; the last takes the rest', () => {
    expect(chooseFirstTier(tiers, 5e8)).toBe(0);
    expect(chooseFirstTier(tiers, 1e9)).toBe(0);
    expect(chooseFirstTier(tiers, 2e9)).toBe(1);
    expect(chooseFirstTier(tiers, 2e10)).toBe(2);
  });
  test('unknown size starts in the first tier', () => {
    expect(chooseFirstTier(tiers)).toBe(0);
  });
  test('a named tier wins; an unknown name is an error that lists the tiers', () => {
    expect(chooseFirstTier(tiers, 5e8, 'large')).toBe(2);
    expect(() => chooseFirstTier(tiers, undefined, 'huge')).toThrow(
      'unknown size tier "huge"; known tiers: small, medium, large',
    );
  });
});

test('taskSeconds counts from start (or creation) to stop', () => {
  expect(taskSeconds({ ...base, createdAt: 0, startedAt: 1000, stoppedAt: 11_000 })).toBe(10);
  expect(taskSeconds({ ...base, createdAt: 0, stoppedAt: 5000 })).toBe(5);
  expect(taskSeconds({ ...base })).toBe(0);
});
