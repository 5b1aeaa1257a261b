// Derives the worker's slot count from the cluster's registered capacity, with headroom:
// tasks packed to 100% of a cluster contend for CPU and memory and fail far more often.
import {
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { SizeTier } from '../workflows/types';

export interface ClusterCapacity {
  cpu: number;
  memory: number;
}

/** Registered CPU units and MiB over the cluster's container instances (EC2 / external). */
export async function registeredCapacity(ecs: ECSClient, cluster: string): Promise<ClusterCapacity> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, nextToken }));
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const total = { cpu: 0, memory: 0 };
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: arns.slice(i, i + 100) }),
    );
    for (const instance of out.containerInstances ?? []) {
      for (const r of instance.registeredResources ?? []) {
        if (r.name === 'CPU') total.cpu += r.integerValue ?? 0;
        if (r.name === 'MEMORY') total.memory += r.integerValue ?? 0;
      }
    }
  }
  return total;
}

/** How many tasks of `tier` fit in `headroom` (e.g. 0.8) of the capacity; at least 1. */
export function slotsFor(capacity: ClusterCapacity, tier: SizeTier, headroom: number): number {
  const fit = Math.min(capacity.cpu / tier.cpu, capacity.memory / tier.memory);
  return Math.max(1, Math.floor(fit * headroom));
}

export async function deriveTaskSlots(
  ecs: ECSClient,
  cluster: string,
  tier: SizeTier,
  headroom: number,
): Promise<number> {
  const capacity = await registeredCapacity(ecs, cluster);
  if (capacity.cpu === 0 || capacity.memory === 0) {
    throw new Error(
      `ECS_TASK_SLOTS=auto: cluster "${cluster}" has no registered container-instance capacity (Fargate has none to read); set ECS_TASK_SLOTS to a number`,
    );
  }
  return slotsFor(capacity, tier, headroom);
}
