// A launch waiting for a lease, as the budget tests make them: defaults for one small task
// of source lab-a at priority 3, each later than the one before.
import type { WaitingLaunch } from '../../src/workflows/budget-types';

let seq = 0;

export function waitingLaunch<T extends WaitingLaunch = WaitingLaunch>(
  holder: string,
  o: Partial<T> = {},
): T {
  return {
    holder,
    runId: `run-${holder}`,
    launch: 1,
    cpu: 256,
    memory: 512,
    priority: 3,
    source: 'lab-a',
    since: seq++,
    ...o,
  } as T;
}
