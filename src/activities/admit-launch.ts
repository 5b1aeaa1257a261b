// admitLaunch: waits until the cluster budget grants this launch a lease. It runs on its own
// task queue with a few slots per worker, so only a handful of launches wait inside workers
// while the rest of the backlog waits in Temporal, where matching hands it out by priority
// and fairness key. A waiting launch asks again every ADMISSION_POLL_INTERVAL; a refusal is
// an update the budget rejects, which writes nothing to its history.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { startClusterBudget } from '../budget/budget-client';
import type { Settings } from '../settings/settings';
import type { WaitingLaunches } from '../metrics/waiting-launches';
import { acquireUpdate, budgetWorkflowId } from '../workflows/budget-definitions';
import type { AdmitLaunchInput, Lease } from '../workflows/budget-types';

export interface AdmissionDeps {
  client: Client;
  settings: Pick<Settings, 'budget'>;
  /** Launches waiting here, for the worker's metrics. */
  waiting?: WaitingLaunches;
}

/** Heartbeat details of a waiting launch: why it waits, shown on the pending activity in the UI. */
export interface AdmissionHeartbeat {
  waiting: string;
  since: number;
}

export async function admitLaunch(deps: AdmissionDeps, input: AdmitLaunchInput): Promise<Lease> {
  const ctx = Context.current();
  const since = Date.now();
  // Since the launch was first scheduled: time queued in ecs-admission counts too.
  const done = deps.waiting?.begin(input.cluster, ctx.info.scheduledTimestampMs || since);
  try {
    return await askUntilGranted(deps, input, since);
  } finally {
    done?.();
  }
}

async function askUntilGranted(deps: AdmissionDeps, input: AdmitLaunchInput, since: number): Promise<Lease> {
  const ctx = Context.current();
  const { cluster, ...request } = input;
  const budget = deps.client.workflow.getHandle(budgetWorkflowId(cluster));
  for (;;) {
    try {
      return await budget.executeUpdate(acquireUpdate, { args: [request] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // The first launch on a cluster starts its budget; ask again at once.
        await startClusterBudget(deps.client, deps.settings, cluster);
        continue;
      }
      // Refused (no room), or the budget is between runs (continue-as-new): ask again soon.
      const cause = err instanceof Error ? (err.cause as Error | undefined) : undefined;
      const waiting = cause?.message ?? (err instanceof Error ? err.message : String(err));
      ctx.heartbeat({ waiting, since } satisfies AdmissionHeartbeat);
      await ctx.sleep(deps.settings.budget.admissionPollIntervalMs);
    }
  }
}
