import { chooseFirstTier, classifyOutcome, taskSeconds } from '../../src/workflows/decide';
import type { SizeTier, TaskOutcome } from '../../src/workflows/types';

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
    ['stopped before it ran', { stopCode: 'UserInitiated' }, 'interrupted'],
    [
      'TaskFailedToStart',
      { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError' },
      'start-failure',
    ],
    ['no exit code and no known stop', { stopCode: 'EssentialContainerExited' }, 'start-failure'],
    ['any other exit', { exitCode: 3, stopCode: 'EssentialContainerExited' }, 'app-error'],
    ['stuck', { stuck: true, lastStatus: 'PENDING' }, 'stuck'],
    ['missing from ECS', { missing: true, lastStatus: 'MISSING' }, 'interrupted'],
  ])('%s', (_name, fields, expected) => {
    expect(classifyOutcome({ ...base, ...fields })).toBe(expected);
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
