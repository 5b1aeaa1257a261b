// The cluster budget's arithmetic: who holds what, what fits, what a refresh changes.
import { budgetLimits } from '../../src/ecs/capacity';
import {
  describeBudget,
  dropClosed,
  emptyLedger,
  grant,
  refusal,
  release,
  view,
} from '../../src/workflows/budget-ledger';
import type { LeaseRequest } from '../../src/workflows/budget-types';

const req = (holder: string, launch = 1, cpu = 1024, memory = 2048): LeaseRequest => ({
  holder,
  runId: `run-${holder}`,
  launch,
  cpu,
  memory,
});

function ledgerWith(limits: { tasks?: number; cpu?: number; memory?: number }) {
  const ledger = emptyLedger('c1');
  ledger.limits = { ...limits, source: 'test', readAt: 0 };
  return ledger;
}

describe('cluster budget ledger', () => {
  test('nothing is granted before the cluster has been read', () => {
    expect(refusal(emptyLedger('c1'), req('a'))).toBe('the cluster budget has not read the cluster yet');
  });

  test('grants up to the task cap, then refuses with the figures', () => {
    const ledger = ledgerWith({ tasks: 2 });
    for (const h of ['a', 'b']) {
      expect(refusal(ledger, req(h))).toBeUndefined();
      grant(ledger, req(h), 1);
    }
    expect(refusal(ledger, req('c'))).toBe('2 of 2 tasks in flight');
    expect(release(ledger, 'a', 'run-a', 1)).toBe(true);
    expect(refusal(ledger, req('c'))).toBeUndefined();
  });

  test('counts CPU and memory, so a larger tier takes more of the budget', () => {
    const ledger = ledgerWith({ cpu: 4096, memory: 8192 });
    grant(ledger, req('a', 1, 2048, 4096), 1);
    expect(refusal(ledger, req('b', 1, 2048, 4096))).toBeUndefined();
    grant(ledger, req('b', 1, 2048, 4096), 1);
    expect(refusal(ledger, req('c', 1, 1024, 1024))).toBe('4096 + 1024 CPU units over the budget of 4096');
    const memoryBound = ledgerWith({ cpu: 100_000, memory: 4096 });
    grant(memoryBound, req('a', 1, 256, 4096), 1);
    expect(refusal(memoryBound, req('b', 1, 256, 512))).toBe('4096 + 512 MiB over the budget of 4096');
  });

  test('asking again for the same launch returns the same lease, without counting it twice', () => {
    const ledger = ledgerWith({ tasks: 1 });
    const first = grant(ledger, req('a'), 10);
    expect(refusal(ledger, req('a'))).toBeUndefined();
    expect(grant(ledger, req('a'), 20)).toBe(first);
    expect(view(ledger)).toMatchObject({ inFlight: 1, granted: 1 });
  });

  test("a slide's next launch replaces its earlier lease: one live task per slide", () => {
    const ledger = ledgerWith({ tasks: 1 });
    grant(ledger, req('a', 1), 1);
    expect(refusal(ledger, req('a', 2))).toBeUndefined();
    grant(ledger, req('a', 2), 2);
    expect(view(ledger).leases).toEqual([expect.objectContaining({ holder: 'a', launch: 2 })]);
    // The late release of launch 1 does not free launch 2's lease.
    expect(release(ledger, 'a', 'run-a', 1)).toBe(false);
    expect(view(ledger).inFlight).toBe(1);
  });

  test('a task larger than the whole budget still gets its chance when nothing else runs', () => {
    const ledger = ledgerWith({ cpu: 1024, memory: 1024 });
    expect(refusal(ledger, req('big', 1, 8192, 32768))).toBeUndefined();
    grant(ledger, req('big', 1, 8192, 32768), 1);
    expect(refusal(ledger, req('small', 1, 256, 512))).toContain('over the budget');
  });

  test('leases of slide runs that closed without releasing are dropped', () => {
    const ledger = ledgerWith({ tasks: 5 });
    grant(ledger, req('a'), 1);
    grant(ledger, req('b'), 1);
    expect(
      dropClosed(ledger, [
        { holder: 'a', runId: 'run-a' },
        { holder: 'b', runId: 'other-run' },
      ]),
    ).toBe(1);
    expect(view(ledger)).toMatchObject({ inFlight: 1, granted: 2, released: 1 });
  });

  test('describes itself in one line', () => {
    const ledger = ledgerWith({ tasks: 10, cpu: 3276, memory: 6553 });
    grant(ledger, req('a', 1, 256, 512), 1);
    expect(describeBudget(view(ledger))).toBe(
      'cluster c1: 1/10 tasks, 256/3276 CPU units, 512/6553 MiB in flight (test)',
    );
  });
});

describe('budget limits from what the cluster holds', () => {
  const capacity = { cpu: 4096, memory: 8192, instances: 2 };
  const rule = { cluster: 'c1', headroom: 0.8, scalesWithDemand: false };
  const task = (startedBy: string, cpu = 512, memory = 1024) => ({
    taskArn: startedBy,
    startedBy,
    cpu,
    memory,
  });

  test('EC2: the headroom share of registered capacity', () => {
    expect(budgetLimits(rule, capacity, [], () => false, 5)).toMatchObject({
      cpu: 3276,
      memory: 6553,
      readAt: 5,
    });
    expect(budgetLimits(rule, capacity, [], () => false, 5).tasks).toBeUndefined();
  });

  test("other tenants' tasks reduce what is left, and so do our tasks that hold no lease", () => {
    const limits = budgetLimits(
      { ...rule, maxTasks: 10 },
      capacity,
      [task('someone-else'), task('wsi-orphan')],
      (t) => (t.startedBy ?? '').startsWith('wsi-'),
      0,
    );
    expect(limits).toMatchObject({ cpu: 3276 - 1024, memory: 6553 - 2048, tasks: 9 });
    expect(limits.source).toContain('less 2 task(s) outside the budget');
  });

  test('Fargate (no container instances) and capacity providers need ECS_MAX_TASKS', () => {
    const none = { cpu: 0, memory: 0, instances: 0 };
    expect(() => budgetLimits(rule, none, [], () => false, 0)).toThrow(
      /ECS_MAX_TASKS: cluster "c1" has no registered/,
    );
    expect(() => budgetLimits({ ...rule, scalesWithDemand: true }, capacity, [], () => false, 0)).toThrow(
      /grows with a capacity provider/,
    );
    expect(budgetLimits({ ...rule, maxTasks: 50 }, none, [], () => false, 0)).toMatchObject({ tasks: 50 });
    // With a capacity provider, today's instances do not bound the budget: ECS adds more.
    const scaling = budgetLimits(
      { ...rule, scalesWithDemand: true, maxTasks: 40 },
      capacity,
      [],
      () => false,
      0,
    );
    expect(scaling).toMatchObject({ tasks: 40 });
    expect(scaling.cpu).toBeUndefined();
  });
});
