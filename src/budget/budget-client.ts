// Reaching a cluster's budget from outside a workflow: the worker makes sure it runs and logs
// it at start; `slides capacity` shows it.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Settings } from '../settings/settings';
import { BUDGET_WORKFLOW_TYPE, budgetQuery, budgetWorkflowId } from '../workflows/budget-definitions';
import { describeBudget } from '../workflows/budget-ledger';
import type { BudgetView, ClusterBudgetInput } from '../workflows/budget-types';

/**
 * Starts the cluster's budget workflow unless it runs already. When its last run closed
 * without continuing (an operator terminated it), the new run takes over that run's leases.
 */
export async function startClusterBudget(
  client: Client,
  settings: Pick<Settings, 'budget'>,
  cluster: string,
): Promise<void> {
  const previousRunId = await closedRunOf(client, budgetWorkflowId(cluster));
  await client.workflow.start(BUDGET_WORKFLOW_TYPE, {
    workflowId: budgetWorkflowId(cluster),
    taskQueue: settings.budget.taskQueue,
    args: [{ cluster, ...(previousRunId ? { previousRunId } : {}) } satisfies ClusterBudgetInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** The run ID of the workflow's latest run when it has closed (not continued-as-new), else undefined. */
async function closedRunOf(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' || d.status.name === 'CONTINUED_AS_NEW' ? undefined : d.runId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The budget as its workflow holds it; waits up to `waitMs` for its first reading of the cluster. */
export async function readBudget(client: Client, cluster: string, waitMs = 0): Promise<BudgetView> {
  const handle = client.workflow.getHandle(budgetWorkflowId(cluster));
  const deadline = Date.now() + waitMs;
  for (;;) {
    // Bounded: a query waits for a worker, and none may be polling (a worker shutting down).
    const view = await client.withDeadline(Date.now() + 5_000, () => handle.query(budgetQuery));
    if (view.limits || Date.now() >= deadline) return view;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** For the worker's start-up log line: starts the budget if needed and describes it. */
export async function ensureClusterBudget(
  client: Client,
  settings: Pick<Settings, 'budget' | 'ecs'>,
): Promise<string> {
  await startClusterBudget(client, settings, settings.ecs.cluster);
  return `budget ${describeBudget(await readBudget(client, settings.ecs.cluster, 10_000))}`;
}
