// What a cluster holds and what this project's tasks may use of it. Registered capacity is
// read from the container instances (EC2 / external); tasks packed to 100% of a cluster
// contend for CPU and memory and fail far more often, hence the headroom.
import {
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { BudgetLimits } from '../workflows/budget-types';
import type { SizeTier } from '../workflows/types';
import type { LiveTask } from './cluster-usage';
import { allPages, inChunks, MAX_ARNS_PER_CALL } from './paging';

export interface ClusterCapacity {
  cpu: number;
  memory: number;
  instances: number;
}

/** Registered CPU units and MiB over the cluster's container instances (EC2 / external). */
export async function registeredCapacity(ecs: ECSClient, cluster: string): Promise<ClusterCapacity> {
  const arns = await allPages(async (nextToken) => {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, nextToken }));
    return { items: page.containerInstanceArns, nextToken: page.nextToken };
  });
  const instances = await inChunks(arns, MAX_ARNS_PER_CALL, async (chunk) => {
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: chunk }));
    return out.containerInstances ?? [];
  });
  const total = { cpu: 0, memory: 0, instances: instances.length };
  for (const instance of instances) {
    for (const r of instance.registeredResources ?? []) {
      if (r.name === 'CPU') total.cpu += r.integerValue ?? 0;
      if (r.name === 'MEMORY') total.memory += r.integerValue ?? 0;
    }
  }
  return total;
}

/** How many tasks of `tier` fit in `headroom` (e.g. 0.8) of the capacity; at least 1. */
export function slotsFor(
  capacity: Pick<ClusterCapacity, 'cpu' | 'memory'>,
  tier: SizeTier,
  headroom: number,
): number {
  const fit = Math.min(capacity.cpu / tier.cpu, capacity.memory / tier.memory);
  return Math.max(1, Math.floor(fit * headroom));
}

export class NoClusterCapacityError extends Error {
  override readonly name = 'NoClusterCapacityError';
}

export async function deriveTaskSlots(
  ecs: ECSClient,
  cluster: string,
  tier: SizeTier,
  headroom: number,
): Promise<number> {
  const capacity = await registeredCapacity(ecs, cluster);
  if (capacity.cpu === 0 || capacity.memory === 0) {
    throw new NoClusterCapacityError(
      `ECS_TASK_SLOTS=auto: cluster "${cluster}" has no registered container-instance capacity (Fargate has none to read); set ECS_TASK_SLOTS to a number`,
    );
  }
  return slotsFor(capacity, tier, headroom);
}

export interface BudgetRule {
  cluster: string;
  /** Share of registered capacity this project may fill (ECS_SLOT_HEADROOM). */
  headroom: number;
  /** ECS_MAX_TASKS: the cap on Fargate and with capacity providers; an extra cap on EC2. */
  maxTasks?: number;
  /** With a capacity provider the cluster grows with demand: today's instances do not bound it. */
  scalesWithDemand: boolean;
}

/**
 * The budget for this project's leases. `outside` are live tasks that hold no lease: other
 * tenants' tasks (they use capacity) and ours whose lease was lost (they count as tasks too).
 */
export function budgetLimits(
  rule: BudgetRule,
  capacity: ClusterCapacity,
  outside: LiveTask[],
  ours: (task: LiveTask) => boolean,
  now: number,
): BudgetLimits {
  const ourOrphans = outside.filter(ours).length;
  const tasks = rule.maxTasks !== undefined ? Math.max(0, rule.maxTasks - ourOrphans) : undefined;
  const useInstances = !rule.scalesWithDemand && capacity.cpu > 0 && capacity.memory > 0;
  if (!useInstances) {
    if (tasks === undefined) {
      throw new NoClusterCapacityError(
        `ECS_MAX_TASKS: cluster "${rule.cluster}" ${rule.scalesWithDemand ? 'grows with a capacity provider' : 'has no registered container-instance capacity (Fargate)'}, so its budget must be set: ECS_MAX_TASKS=<tasks in flight at most>`,
      );
    }
    return {
      tasks,
      source: `ECS_MAX_TASKS=${rule.maxTasks}${ourOrphans ? ` less ${ourOrphans} unleased task(s) of ours` : ''}`,
      readAt: now,
    };
  }
  const used = outside.reduce((sum, t) => ({ cpu: sum.cpu + t.cpu, memory: sum.memory + t.memory }), {
    cpu: 0,
    memory: 0,
  });
  const pct = Math.round(rule.headroom * 100);
  return {
    ...(tasks !== undefined ? { tasks } : {}),
    cpu: Math.max(0, Math.floor(capacity.cpu * rule.headroom) - used.cpu),
    memory: Math.max(0, Math.floor(capacity.memory * rule.headroom) - used.memory),
    source:
      `${pct}% of ${capacity.instances} container instance(s) (${capacity.cpu} CPU, ${capacity.memory} MiB)` +
      (outside.length
        ? `, less ${outside.length} task(s) outside the budget (${used.cpu} CPU, ${used.memory} MiB)`
        : '') +
      (rule.maxTasks !== undefined ? `, at most ECS_MAX_TASKS=${rule.maxTasks}` : ''),
    readAt: now,
  };
}
