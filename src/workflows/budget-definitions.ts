// Names of the cluster budget workflow and its messages, shared by the workflow, the
// activities that talk to it and the CLI.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BudgetView, GrantRoundRequest, GrantRoundResult, Lease, LeaseRequest } from './budget-types';

export const BUDGET_WORKFLOW_TYPE = 'clusterBudget';

/** One budget workflow per ECS cluster, whatever the number of workers. */
export function budgetWorkflowId(cluster: string): string {
  return `cluster-budget:${cluster}`;
}

/**
 * One worker's grant round: every launch waiting on it for this cluster. Answers once the
 * budget has granted some of them (pushed by a release, no polling), when the worker asks
 * to end it (endRound), or at the budget's next reading of the cluster.
 */
export const grantRoundUpdate = defineUpdate<GrantRoundResult, [GrantRoundRequest]>('grantRound');

/** Ends a worker's open grant round now: a launch more urgent than any in it waits on that worker. */
export const endRoundSignal = defineSignal<[{ waiter: string; round?: number }]>('endRound');

/** The previous release's one-launch ask, kept for rolling deploys: refused (no history written) when it does not fit. */
export const acquireUpdate = defineUpdate<Lease, [LeaseRequest]>('acquire');

/** Returns a launch's lease once its task is STOPPED (or was never launched). */
export const releaseSignal = defineSignal<[{ holder: string; runId: string; launch: number }]>('release');

/** The error type of a round refused while the budget moves to its next run: ask again at once. */
export const BUDGET_MOVING = 'BudgetMovingError';

export const budgetQuery = defineQuery<BudgetView>('budget');
