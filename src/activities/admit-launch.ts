// admitLaunch: waits until the cluster budget grants this launch a lease. It runs on its own
// task queue with ADMISSION_SLOTS slots per worker, so a bounded number of launches wait
// inside workers while the rest of the backlog waits in Temporal, where matching hands it out
// by priority and fairness key. The launches waiting on one worker ask the budget together,
// in one grant round (see AdmissionGate), and the budget answers when it grants: waiting
// costs the budget nothing, and no launch sleeps between a free lease and its grant.
import { Context } from '@temporalio/activity';
import type { AdmissionGates } from '../budget/admission-gate';
import type { WaitingLaunches } from '../metrics/waiting-launches';
import type { AdmitLaunchInput, Lease } from '../workflows/budget-types';
import { DEFAULT_PRIORITY_KEY } from '../workflows/priority';

export interface AdmissionDeps {
  gates: AdmissionGates;
  /** Launches waiting here, for the worker's metrics. */
  waiting?: WaitingLaunches;
}

/** Heartbeat details of a waiting launch: why it waits, shown on the pending activity in the UI. */
export interface AdmissionHeartbeat {
  waiting: string;
  since: number;
}

/** How often a waiting launch heartbeats why it waits (the SDK throttles what reaches the server). */
const HEARTBEAT_EVERY_MS = 1_000;

export async function admitLaunch(deps: AdmissionDeps, input: AdmitLaunchInput): Promise<Lease> {
  const ctx = Context.current();
  // Since the launch was first scheduled: time queued in ecs-admission counts too.
  const since = ctx.info.scheduledTimestampMs || Date.now();
  // Launches of slides started before priority and source were passed wait as priority 3.
  const { cluster, priority, source, ...request } = input;
  const gate = deps.gates.for(cluster);
  const done = deps.waiting?.begin(cluster, since);
  // The first heartbeat goes to the server as soon as it is made (later ones are throttled):
  // a launch granted within the first interval writes none.
  const beat = (): void => ctx.heartbeat({ waiting: gate.reason(), since } satisfies AdmissionHeartbeat);
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  try {
    return await gate.admit(
      { ...request, priority: priority ?? DEFAULT_PRIORITY_KEY, source: source ?? 'default', since },
      ctx.cancellationSignal,
    );
  } finally {
    clearInterval(timer);
    done?.();
  }
}
