// Who a free lease goes to when launches wait at the budget: the most urgent first, sources
// of one priority taking turns, first come first served within a turn, never over the cap.
import {
  allocate,
  compactTurns,
  emptyLedger,
  release,
  type QueuedLaunch,
} from '../../src/workflows/budget-ledger';
import { waitingLaunch } from '../support/waiting-launch';

function ledgerWith(limits: { tasks?: number; cpu?: number; memory?: number }) {
  const ledger = emptyLedger('c1');
  ledger.limits = { ...limits, source: 'test', readAt: 0 };
  return ledger;
}

const q = (holder: string, o: Partial<QueuedLaunch> = {}): QueuedLaunch =>
  waitingLaunch<QueuedLaunch>(holder, { waiter: 'w1', ...o });
const holders = (granted: QueuedLaunch[]): string[] => granted.map((g) => g.holder);

describe('allocate: grants to waiting launches', () => {
  test('grants up to the cap and no further, first come first served', () => {
    const ledger = ledgerWith({ tasks: 3 });
    const queue = ['a', 'b', 'c', 'd', 'e'].map((h) => q(h));
    expect(holders(allocate(ledger, queue, 0))).toEqual(['a', 'b', 'c']);
    expect(Object.keys(ledger.leases)).toHaveLength(3);
    expect(allocate(ledger, queue.slice(3), 0)).toEqual([]);
    release(ledger, 'b', 'run-b', 1);
    expect(holders(allocate(ledger, queue.slice(3), 0))).toEqual(['d']);
    expect(Object.keys(ledger.leases).sort()).toEqual(['a', 'c', 'd']);
  });

  test('the most urgent priority goes first, whatever its arrival', () => {
    const ledger = ledgerWith({ tasks: 2 });
    const queue = [q('late-3'), q('later-5', { priority: 5 }), q('urgent-1', { priority: 1 }), q('x-3')];
    expect(holders(allocate(ledger, queue, 0))).toEqual(['urgent-1', 'late-3']);
  });

  test('sources of one priority take turns, however many each has waiting', () => {
    const ledger = ledgerWith({ tasks: 6 });
    const bulk = Array.from({ length: 10 }, (_, i) => q(`a${i}`, { source: 'lab-a' }));
    const few = [q('b0', { source: 'lab-b' }), q('b1', { source: 'lab-b' })];
    const granted = holders(allocate(ledger, [...bulk, ...few], 0));
    expect(granted).toHaveLength(6);
    expect(granted.filter((h) => h.startsWith('b'))).toEqual(['b0', 'b1']);
  });

  test('a source that comes back starts level with the waiting ones, not with a burst of turns', () => {
    const ledger = ledgerWith({ tasks: 100 });
    allocate(
      ledger,
      Array.from({ length: 20 }, (_, i) => q(`a${i}`)),
      0,
    );
    // lab-b arrives after lab-a had 20 grants: it starts level with lab-a, so they alternate.
    const ledger2 = { ...ledger, leases: {}, limits: { ...ledger.limits!, tasks: 4 } };
    const granted = holders(
      allocate(
        ledger2,
        [
          q('a20'),
          q('a21'),
          q('a22'),
          q('b0', { source: 'lab-b' }),
          q('b1', { source: 'lab-b' }),
          q('b2', { source: 'lab-b' }),
        ],
        0,
      ),
    );
    expect(granted.filter((h) => h.startsWith('b'))).toHaveLength(2);
  });

  test('a launch too large for what is left is passed over for a smaller one behind it', () => {
    const ledger = ledgerWith({ cpu: 1024, memory: 4096 });
    allocate(ledger, [q('small0', { cpu: 512 })], 0);
    const granted = holders(allocate(ledger, [q('big', { cpu: 1024 }), q('small1', { cpu: 512 })], 0));
    expect(granted).toEqual(['small1']);
  });

  test('a launch that already holds its lease (a retried activity) gets it again, not a second one', () => {
    const ledger = ledgerWith({ tasks: 1 });
    allocate(ledger, [q('a')], 0);
    expect(holders(allocate(ledger, [q('a')], 5))).toEqual(['a']);
    expect(ledger.granted).toBe(1);
  });

  test('compacting keeps only the waiting sources, rebased to zero', () => {
    const ledger = ledgerWith({ tasks: 10 });
    allocate(ledger, [q('a0'), q('a1'), q('a2'), q('b0', { source: 'lab-b' })], 0);
    compactTurns(ledger, ['lab-a', 'lab-b']);
    expect(ledger.turns).toEqual({ 'lab-a': 2, 'lab-b': 0 });
    compactTurns(ledger, []);
    expect(ledger.turns).toEqual({});
  });
});
