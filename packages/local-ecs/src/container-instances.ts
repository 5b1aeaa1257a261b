// A container instance: one EC2 host of a cluster, with its own CPU and memory, as
// ListContainerInstances/DescribeContainerInstances show it. A plain local cluster has one
// synthetic instance carrying the whole cluster's capacity; a cluster with a managed-scaling
// capacity provider has as many as the provider has launched.
import { createHash, randomBytes } from 'node:crypto';
import { containerInstanceArn, type ArnScope } from './arns';
import { ClusterCapacity } from './capacity';
import { epochSeconds, type JsonObject } from './protocol';

export class ContainerInstanceState {
  readonly arn: string;
  readonly ec2InstanceId: string;
  readonly registeredAt = Date.now();
  readonly capacity: ClusterCapacity;
  /** Ids of the tasks holding capacity here. */
  readonly taskIds = new Set<string>();

  constructor(
    scope: ArnScope,
    clusterName: string,
    readonly id: string,
    cpu: number,
    memory: number,
    overcommit = 1,
    ec2InstanceId?: string,
  ) {
    this.arn = containerInstanceArn(scope, clusterName, id);
    this.ec2InstanceId = ec2InstanceId ?? `i-${createHash('sha256').update(id).digest('hex').slice(0, 17)}`;
    this.capacity = new ClusterCapacity(cpu, memory, overcommit);
  }

  /** The instance as DescribeContainerInstances returns it. */
  describe(counts: { running: number; pending: number }): JsonObject {
    const c = this.capacity.view();
    const resources = (cpu: number, memory: number) => [
      { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: cpu },
      { name: 'MEMORY', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: memory },
      { name: 'PORTS', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: [] },
      {
        name: 'PORTS_UDP',
        type: 'STRINGSET',
        doubleValue: 0,
        longValue: 0,
        integerValue: 0,
        stringSetValue: [],
      },
    ];
    return {
      containerInstanceArn: this.arn,
      ec2InstanceId: this.ec2InstanceId,
      version: 1,
      versionInfo: { agentVersion: 'local-ecs', dockerVersion: 'none' },
      remainingResources: resources(c.remainingCpu, c.remainingMemory),
      registeredResources: resources(c.registeredCpu, c.registeredMemory),
      status: 'ACTIVE',
      agentConnected: true,
      runningTasksCount: counts.running,
      pendingTasksCount: counts.pending,
      attributes: [],
      registeredAt: epochSeconds(this.registeredAt),
      attachments: [],
      tags: [],
    };
  }
}

/** Stable per cluster name, so restarts keep the same synthetic instance ARN. */
export function syntheticInstanceIds(clusterName: string): { id: string; ec2InstanceId: string } {
  const digest = createHash('sha256').update(clusterName).digest('hex');
  return { id: digest.slice(0, 32), ec2InstanceId: `i-${digest.slice(32, 49)}` };
}

/** A fresh id for an instance a capacity provider launches (32 hex, as ECS's). */
export const newInstanceId = (): string => randomBytes(16).toString('hex');
