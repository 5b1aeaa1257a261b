// admitLaunch: waits until the cluster budget grants this launch a lease. It runs on its own
// task queue with a few slots per worker, so only a handful of launches wait inside workers
// while the rest of the backlog waits in Temporal, where matching hands it out by priority
// and fairness key. A waiting launch asks again every ADMISSION_POLL_INTERVAL; a refusal is
// an update the budget rejects, which writes nothing to its history.
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Settings } from '../config/settings';
import { acquireUpdate, BUDGET_WORKFLOW_TYPE, budgetWorkflowId } from '../workflows/budget-definitions';
import type { AdmitLaunchInput, ClusterBudgetInput, Lease } from '../workflows/budget-types';
import type { WaitingLaunches } from '../metrics/waiting-launches';

export interface AdmissionDeps {
  client: Client;
  settings: Pick<Settings, 'slidesTaskQueue' | 'budget'>;
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
  const { cluster } = input;
  const since = Date.now();
  // Since the launch was first scheduled: time queued in ecs-admission counts too.
  const done = deps.waiting?.begin(cluster, ctx.info.scheduledTimestampMs || since);
  try {
    return await askUntilGranted(deps, input, since);
  } finally {
    done?.();
  }
}

async function askUntilGranted(deps: AdmissionDeps, input: AdmitLaunchInput, since: number): Promise<Lease> {
  const ctx = Context.current();
  const { cluster, ...request } = input;
  for (;;) {
    // Update-with-start: the first launch on a cluster starts its budget; later ones join it.
    const startWorkflowOperation = new WithStartWorkflowOperation(BUDGET_WORKFLOW_TYPE, {
      workflowId: budgetWorkflowId(cluster),
      taskQueue: deps.settings.slidesTaskQueue,
      args: [{ cluster } satisfies ClusterBudgetInput],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      return await deps.client.workflow.executeUpdateWithStart(acquireUpdate, {
        args: [request],
        startWorkflowOperation,
      });
    } catch (err) {
      // Refused (no room), or the budget is between runs (continue-as-new): ask again soon.
      const waiting =
        err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      ctx.heartbeat({ waiting, since } satisfies AdmissionHeartbeat);
      await ctx.sleep(deps.settings.budget.admissionPollIntervalMs);
    }
  }
}
