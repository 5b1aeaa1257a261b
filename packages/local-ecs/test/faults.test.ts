import { parseFaultRule, type TaskFaultRule } from '../src/config';
import { matchesSubject, TaskFaults, type FaultSubject } from '../src/faults';
import { seededRandom } from '../src/random';

const subject = (over: Partial<FaultSubject> = {}): FaultSubject => ({
  cluster: 'default',
  family: 'processor',
  startedBy: 'wf-slide-1',
  launchType: 'FARGATE',
  taskMemory: 2048,
  environments: [{ SLIDE_ID: 's1', TIER: 'small' }],
  ...over,
});

const rule = (input: unknown) => parseFaultRule(input) as TaskFaultRule;

describe('seededRandom', () => {
  test('the same seed gives the same sequence; numbers are in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(43)()).not.toBe(xs[0]);
  });
});

describe('fault rule matching', () => {
  test('every given field must match', () => {
    expect(matchesSubject({}, subject())).toBe(true);
    expect(matchesSubject({ family: 'processor', cluster: 'default' }, subject())).toBe(true);
    expect(matchesSubject({ family: 'other' }, subject())).toBe(false);
    expect(matchesSubject({ startedByPrefix: 'wf-' }, subject())).toBe(true);
    expect(matchesSubject({ startedByPrefix: 'wf-' }, subject({ startedBy: undefined }))).toBe(false);
    expect(matchesSubject({ taskMemoryAtMost: 2048 }, subject())).toBe(true);
    expect(matchesSubject({ taskMemoryAtMost: 1024 }, subject())).toBe(false);
    expect(matchesSubject({ taskMemoryAtLeast: 4096 }, subject())).toBe(false);
    expect(matchesSubject({ launchType: 'EC2' }, subject())).toBe(false);
  });

  test('environment pairs must all be in one container', () => {
    expect(matchesSubject({ environment: { SLIDE_ID: 's1', TIER: 'small' } }, subject())).toBe(true);
    expect(matchesSubject({ environment: { SLIDE_ID: 's2' } }, subject())).toBe(false);
    const split = subject({ environments: [{ SLIDE_ID: 's1' }, { TIER: 'small' }] });
    expect(matchesSubject({ environment: { SLIDE_ID: 's1', TIER: 'small' } }, split)).toBe(false);
  });
});

describe('TaskFaults', () => {
  test('the first matching rule wins and `times` bounds its firings', () => {
    const faults = new TaskFaults(seededRandom(1));
    faults.add(rule({ type: 'oom', times: 2, match: { family: 'processor' } }));
    faults.add(rule({ type: 'spotInterruption' }));
    const picked = Array.from({ length: 4 }, () => faults.pick(subject())?.type);
    expect(picked).toEqual(['oom', 'oom', 'spotInterruption', 'spotInterruption']);
    expect(faults.list()[0]?.fired).toBe(2);
  });

  test('a probability fires for about that share of tasks, the same share for the same seed', () => {
    const run = (seed: number) => {
      const faults = new TaskFaults(seededRandom(seed));
      faults.add(rule({ type: 'failToStart', probability: 0.3 }));
      return Array.from({ length: 1000 }, () => faults.pick(subject()) !== undefined);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    const share = first.filter(Boolean).length / 1000;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });

  test('clear removes every rule', () => {
    const faults = new TaskFaults(seededRandom(1));
    faults.add(rule({ type: 'stuck' }));
    faults.clear();
    expect(faults.pick(subject())).toBeUndefined();
  });
});
