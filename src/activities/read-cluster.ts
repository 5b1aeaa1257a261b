// readCluster: the cluster budget's periodic look at the cluster (a local activity of the
// clusterBudget workflow). Reads registered capacity and every live task, works out what is
// left for leases, finds leases whose slide run closed without releasing them, and hands our
// tasks that hold no lease to the orphan reaper.
import type { ECSClient } from '@aws-sdk/client-ecs';
import { log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Settings } from '../settings/settings';
import { budgetLimits, registeredCapacity } from '../ecs/capacity';
import { liveTasks, type LiveTask } from '../ecs/cluster-usage';
import { toActivityFailure } from '../ecs/errors';
import { isOurStartedBy, legacyStartedByFor, startedByFor } from '../slides/identity';
import type { ClusterReading, ReadClusterInput } from '../workflows/budget-types';
import { reapOrphans, type OrphanObserver } from './orphan-reaper';

export interface ReadClusterDeps {
  ecs: ECSClient;
  client: Client;
  settings: Pick<Settings, 'ecs' | 'budget'>;
  onOrphan?: OrphanObserver;
}

type Holder = ReadClusterInput['holders'][number];

/**
 * Which lease a task is the task of: the slide's `startedBy` and the run tag name the run.
 * Tasks launched before tasks belonged to slides carry their run's own `startedBy`.
 */
function leaseMatcher(holders: readonly Holder[]): (task: LiveTask) => Holder | undefined {
  const byKey = new Map<string, Holder>();
  for (const h of holders) {
    byKey.set(`${startedByFor(h.holder)} ${h.runId}`, h);
    byKey.set(legacyStartedByFor(h.holder, h.runId), h);
  }
  return (t) => byKey.get(`${t.startedBy} ${t.runId}`) ?? byKey.get(t.startedBy ?? '');
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
  const leaseOf = leaseMatcher(input.holders);
  const outside = tasks.filter((t) => !leaseOf(t));
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
  const withTask = new Set(tasks.map(leaseOf).filter((h) => h !== undefined));
  const suspects = input.holders.filter(
    (h) => !withTask.has(h) && now - h.grantedAt > settings.budget.refreshMs,
  );
  const closed: ClusterReading['closed'] = [];
  for (const h of suspects) {
    if (await runIsClosed(deps.client, h.holder, h.runId)) closed.push({ holder: h.holder, runId: h.runId });
  }
  // Ours whose run has closed (terminated, reset, timed out) are orphans, leased or not.
  // Reaping is best effort: it never costs the budget its reading.
  try {
    await reapOrphans(
      deps,
      input.cluster,
      tasks.filter((t) => isOurStartedBy(t.startedBy)),
      now,
    );
  } catch (err) {
    log.warn(`orphan check on ${input.cluster} failed; tried again next reading: ${String(err)}`);
  }
  return { limits, closed, nextReadMs: settings.budget.refreshMs };
}
