// Clusters: each has finite capacity, presented to clients the way ECS presents an EC2
// cluster's: one container instance whose registeredResources/remainingResources hold the
// CPU and MEMORY figures, plus (with include STATISTICS) local statistics entries.
import { createHash } from 'node:crypto';
import { clusterArn, containerInstanceArn, type ArnScope } from './arns';
import { ClusterCapacity, type CapacityView } from './capacity';
import { epochSeconds, type JsonObject } from './protocol';
import type { Task } from './task';
import type { Tag } from './validation';

/** Capacity providers every local cluster offers (RunTask capacityProviderStrategy). */
export const CAPACITY_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

/** Local extension entries of DescribeClusters `statistics` (include STATISTICS). */
export const CAPACITY_STATISTICS = {
  registeredCpu: 'registeredCpu',
  registeredMemory: 'registeredMemory',
  remainingCpu: 'remainingCpu',
  remainingMemory: 'remainingMemory',
  reservedCpu: 'reservedCpu',
  reservedMemory: 'reservedMemory',
} as const;

export class ClusterState {
  readonly arn: string;
  readonly capacity: ClusterCapacity;
  /** The one synthetic container instance standing for the cluster's capacity. */
  readonly instanceId: string;
  readonly instanceArn: string;
  readonly ec2InstanceId: string;
  readonly registeredAt = Date.now();
  /** Tasks by id, in launch order. */
  readonly tasks = new Map<string, Task>();

  constructor(
    scope: ArnScope,
    readonly name: string,
    cpu: number,
    memory: number,
    public tags: Tag[] = [],
  ) {
    this.arn = clusterArn(scope, name);
    this.capacity = new ClusterCapacity(cpu, memory);
    // Stable per cluster name, so restarts keep the same instance ARN.
    const digest = createHash('sha256').update(name).digest('hex');
    this.instanceId = digest.slice(0, 32);
    this.instanceArn = containerInstanceArn(scope, name, this.instanceId);
    this.ec2InstanceId = `i-${digest.slice(32, 49)}`;
  }

  counts(): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    for (const t of this.tasks.values()) {
      if (t.lastStatus === 'RUNNING') running += 1;
      else if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') pending += 1;
    }
    return { running, pending };
  }

  describe(include: readonly string[]): JsonObject {
    const { running, pending } = this.counts();
    const out: JsonObject = {
      clusterArn: this.arn,
      clusterName: this.name,
      status: 'ACTIVE',
      registeredContainerInstancesCount: 1,
      runningTasksCount: running,
      pendingTasksCount: pending,
      activeServicesCount: 0,
      capacityProviders: CAPACITY_PROVIDERS,
      defaultCapacityProviderStrategy: [],
    };
    if (include.includes('STATISTICS')) out.statistics = this.statistics();
    if (include.includes('TAGS')) out.tags = this.tags;
    if (include.includes('SETTINGS')) out.settings = [{ name: 'containerInsights', value: 'disabled' }];
    return out;
  }

  private statistics(): { name: string; value: string }[] {
    let runningEc2 = 0;
    let runningFargate = 0;
    let pendingEc2 = 0;
    let pendingFargate = 0;
    for (const t of this.tasks.values()) {
      const fargate = t.launchType === 'FARGATE';
      if (t.lastStatus === 'RUNNING') {
        if (fargate) runningFargate += 1;
        else runningEc2 += 1;
      } else if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') {
        if (fargate) pendingFargate += 1;
        else pendingEc2 += 1;
      }
    }
    const c = this.capacity.view();
    const entries: [string, number][] = [
      ['runningEC2TasksCount', runningEc2],
      ['runningFargateTasksCount', runningFargate],
      ['pendingEC2TasksCount', pendingEc2],
      ['pendingFargateTasksCount', pendingFargate],
      ['activeEC2ServiceCount', 0],
      ['activeFargateServiceCount', 0],
      ['drainingEC2ServiceCount', 0],
      ['drainingFargateServiceCount', 0],
      [CAPACITY_STATISTICS.registeredCpu, c.registeredCpu],
      [CAPACITY_STATISTICS.registeredMemory, c.registeredMemory],
      [CAPACITY_STATISTICS.remainingCpu, c.remainingCpu],
      [CAPACITY_STATISTICS.remainingMemory, c.remainingMemory],
      [CAPACITY_STATISTICS.reservedCpu, c.reservedCpu],
      [CAPACITY_STATISTICS.reservedMemory, c.reservedMemory],
    ];
    return entries.map(([name, value]) => ({ name, value: String(value) }));
  }

  /** The container instance as DescribeContainerInstances returns it. */
  describeInstance(): JsonObject {
    const c: CapacityView = this.capacity.view();
    const { running, pending } = this.counts();
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
      containerInstanceArn: this.instanceArn,
      ec2InstanceId: this.ec2InstanceId,
      version: 1,
      versionInfo: { agentVersion: 'local-ecs', dockerVersion: 'none' },
      remainingResources: resources(c.remainingCpu, c.remainingMemory),
      registeredResources: resources(c.registeredCpu, c.registeredMemory),
      status: 'ACTIVE',
      agentConnected: true,
      runningTasksCount: running,
      pendingTasksCount: pending,
      attributes: [],
      registeredAt: epochSeconds(this.registeredAt),
      attachments: [],
      tags: [],
    };
  }
}
