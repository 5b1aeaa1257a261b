// The cluster budget's figures as gauges: read from the clusterBudget workflow's `budget`
// query when Prometheus scrapes, so every worker reports the one cluster-wide figure.
import type { Client } from '@temporalio/client';
import { budgetQuery, budgetWorkflowId } from '../workflows/budget-definitions';
import type { ProjectMetrics } from './registry';

const QUERY_TIMEOUT_MS = 3_000;

export async function refreshBudgetGauges(
  m: ProjectMetrics,
  client: Client,
  clusters: string[],
): Promise<void> {
  await Promise.all(
    clusters.map(async (cluster) => {
      try {
        const view = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
          client.workflow.getHandle(budgetWorkflowId(cluster)).query(budgetQuery),
        );
        m.budgetTasksInFlight.set({ cluster }, view.inFlight);
        m.budgetCpuInFlight.set({ cluster }, view.cpu);
        if (view.limits?.tasks !== undefined) m.budgetTasksLimit.set({ cluster }, view.limits.tasks);
        if (view.limits?.cpu !== undefined) m.budgetCpuLimit.set({ cluster }, view.limits.cpu);
      } catch {
        // No budget yet, or Temporal slow: the gauges keep their last figures.
      }
    }),
  );
}
