// The cluster budget's figures as gauges: read from the clusterBudget workflow's `budget`
// query when Prometheus scrapes, so every worker reports the one cluster-wide figure.
import type { Client } from '@temporalio/client';
import { admissionBacklog } from '../budget/admission-backlog';
import { budgetQuery, budgetWorkflowId } from '../workflows/budget-definitions';
import type { ProjectMetrics } from './registry';

const QUERY_TIMEOUT_MS = 3_000;

export async function refreshBudgetGauges(
  m: ProjectMetrics,
  client: Client,
  clusters: string[],
  admissionTaskQueue?: string,
): Promise<void> {
  if (admissionTaskQueue) {
    try {
      const backlog = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        admissionBacklog(client, admissionTaskQueue),
      );
      if (backlog !== undefined) m.admissionBacklog.set({ task_queue: admissionTaskQueue }, backlog);
    } catch {
      // Temporal slow: the gauge keeps its last figure.
    }
  }
  await Promise.all(
    clusters.map(async (cluster) => {
      try {
        m.budgetWaitingLaunches.reset();
        const view = await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
          client.workflow.getHandle(budgetWorkflowId(cluster)).query(budgetQuery),
        );
        m.budgetTasksInFlight.set({ cluster }, view.inFlight);
        m.budgetGrantsPerSecond.set({ cluster }, view.grantsPerSecond ?? 0);
        for (const w of view.waiting ?? []) {
          m.budgetWaitingLaunches.set({ cluster, priority: String(w.priority), source: w.source }, w.count);
        }
        m.budgetCpuInFlight.set({ cluster }, view.cpu);
        if (view.limits?.tasks !== undefined) m.budgetTasksLimit.set({ cluster }, view.limits.tasks);
        if (view.limits?.cpu !== undefined) m.budgetCpuLimit.set({ cluster }, view.limits.cpu);
      } catch {
        // No budget yet, or Temporal slow: the gauges keep their last figures.
      }
    }),
  );
}
