// readCluster: the cluster budget's periodic look at the cluster (a local activity of the
// clusterBudget workflow). Reads registered capacity and every live task, works out what is
// left for leases, and finds leases whose slide run closed without releasing them.
import type { ECSClient } from '@aws-sdk/client-ecs';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Settings } from '../settings/settings';
import { budgetLimits, registeredCapacity } from '../ecs/capacity';
import { liveTasks } from '../ecs/cluster-usage';
import { toActivityFailure } from '../ecs/errors';
import { isOurStartedBy, startedByFor } from '../slides/identity';
import type { ClusterReading, ReadClusterInput } from '../workflows/budget-types';

export interface ReadClusterDeps {
  ecs: ECSClient;
  client: Client;
  settings: Pick<Settings, 'ecs' | 'budget'>;
}

async function runIsClosed(client: Client, holder: string, runId: string): Promise<boolean> {
  try {
    const d = await client.workflow.getHandle(holder, runId).describe();
    return d.status.name !== 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return true;
    throw err;
  }
}

export async function readCluster(deps: ReadClusterDeps, input: ReadClusterInput): Promise<ClusterReading> {
  const { settings } = deps;
  const now = Date.now();
  let capacity, tasks;
  try {
    [capacity, tasks] = await Promise.all([
      registeredCapacity(deps.ecs, input.cluster),
      liveTasks(deps.ecs, input.cluster),
    ]);
  } catch (err) {
    throw toActivityFailure(err, 'reading the cluster');
  }
  const leased = new Map(input.holders.map((h) => [startedByFor(h.holder, h.runId), h]));
  const outside = tasks.filter((t) => !t.startedBy || !leased.has(t.startedBy));
  const limits = budgetLimits(
    {
      cluster: input.cluster,
      headroom: settings.ecs.slotHeadroom,
      maxTasks: settings.budget.maxTasks,
      scalesWithDemand: settings.ecs.capacityProviderStrategy !== undefined,
    },
    capacity,
    outside,
    (t) => isOurStartedBy(t.startedBy),
    now,
  );

  // A lease with a live task is in use. One without, older than a refresh (its task may not
  // be listed yet: ECS is eventually consistent), is checked against its workflow run.
  const withTask = new Set(tasks.map((t) => t.startedBy));
  const suspects = input.holders.filter(
    (h) => !withTask.has(startedByFor(h.holder, h.runId)) && now - h.grantedAt > settings.budget.refreshMs,
  );
  const closed: ClusterReading['closed'] = [];
  for (const h of suspects) {
    if (await runIsClosed(deps.client, h.holder, h.runId)) closed.push({ holder: h.holder, runId: h.runId });
  }
  return { limits, closed, nextReadMs: settings.budget.refreshMs };
}
