// Names of the cluster budget workflow and its messages, shared by the workflow, the
// activities that talk to it and the CLI.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BudgetView, Lease, LeaseRequest } from './budget-types';

export const BUDGET_WORKFLOW_TYPE = 'clusterBudget';

/** One budget workflow per ECS cluster, whatever the number of workers. */
export function budgetWorkflowId(cluster: string): string {
  return `cluster-budget:${cluster}`;
}

/** Grants a lease when the task fits the budget; rejected (no history written) when it does not. */
export const acquireUpdate = defineUpdate<Lease, [LeaseRequest]>('acquire');

/** Returns a launch's lease once its task is STOPPED (or was never launched). */
export const releaseSignal = defineSignal<[{ holder: string; runId: string; launch: number }]>('release');

export const budgetQuery = defineQuery<BudgetView>('budget');
