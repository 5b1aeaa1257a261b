// Clusters: each has finite capacity, presented to clients the way ECS presents an EC2
// cluster's: container instances whose registeredResources/remainingResources hold the CPU
// and MEMORY figures (one synthetic instance, or a capacity provider's instances), plus (with
// include STATISTICS) local statistics entries summed over the instances.
import { clusterArn, type ArnScope } from './arns';
import type { CapacityView, PlacementFailure } from './capacity';
import { ContainerInstanceState, syntheticInstanceIds } from './container-instances';
import type { JsonObject } from './protocol';
import type { TaskRecord } from './task';
import type { CheckedTag } from './validation';

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
  /** Container instances by id, in registration order. */
  readonly instances = new Map<string, ContainerInstanceState>();
  /** Tasks by id, in launch order. */
  readonly tasks = new Map<string, TaskRecord>();
  /** The managed-scaling capacity provider's name, when the cluster has one. */
  ec2Provider?: string;

  /**
   * `capacity` gives the cluster one synthetic instance holding all of it; without it (a
   * capacity provider's cluster) instances come and go with addInstance/removeInstance.
   */
  constructor(
    private readonly scope: ArnScope,
    readonly name: string,
    capacity: { cpu: number; memory: number } | undefined,
    public tags: CheckedTag[] = [],
    /** Soft-reservation factor of every instance (contention mode); 1 = hard. */
    readonly overcommit = 1,
  ) {
    this.arn = clusterArn(scope, name);
    if (capacity) {
      const { id, ec2InstanceId } = syntheticInstanceIds(name);
      this.instances.set(
        id,
        new ContainerInstanceState(scope, name, id, capacity.cpu, capacity.memory, overcommit, ec2InstanceId),
      );
    }
  }

  addInstance(id: string, cpu: number, memory: number): ContainerInstanceState {
    const instance = new ContainerInstanceState(this.scope, this.name, id, cpu, memory, this.overcommit);
    this.instances.set(id, instance);
    return instance;
  }

  removeInstance(id: string): void {
    this.instances.delete(id);
  }

  /**
   * Reserves cpu/memory on the first instance with room (then `attach` the task there), else
   * says what is short.
   */
  place(cpu: number, memory: number): ContainerInstanceState | PlacementFailure {
    let short: PlacementFailure | undefined;
    for (const instance of this.instances.values()) {
      const s = instance.capacity.tryReserve(cpu, memory);
      if (!s) return instance;
      short ??= s;
    }
    return short ?? 'RESOURCE:CPU';
  }

  /** Records that the task holds the capacity `place` reserved on the instance. */
  attach(task: TaskRecord, instance: ContainerInstanceState): void {
    task.instanceId = instance.id;
    instance.taskIds.add(task.id);
    // Fargate tasks run on no container instance of the cluster.
    if (task.launchType !== 'FARGATE') task.containerInstanceArn = instance.arn;
  }

  /** Gives back what the task holds; returns the instance it was on. */
  release(task: TaskRecord): ContainerInstanceState | undefined {
    const instance = task.instanceId !== undefined ? this.instances.get(task.instanceId) : undefined;
    task.instanceId = undefined;
    if (!instance) return undefined;
    instance.capacity.release(task.reservedCpu, task.reservedMemory);
    instance.taskIds.delete(task.id);
    return instance;
  }

  /** The ARN failures[] entries name: the first instance's, else the cluster's. */
  get failureArn(): string {
    return this.instances.values().next().value?.arn ?? this.arn;
  }

  /** Registered, reserved and remaining capacity summed over the instances. */
  capacityView(): CapacityView {
    const sum: CapacityView = {
      registeredCpu: 0,
      registeredMemory: 0,
      reservedCpu: 0,
      reservedMemory: 0,
      remainingCpu: 0,
      remainingMemory: 0,
    };
    for (const i of this.instances.values()) {
      const v = i.capacity.view();
      for (const k of Object.keys(sum) as (keyof CapacityView)[]) sum[k] += v[k];
    }
    return sum;
  }

  /** Resizes the synthetic instance (not possible when a capacity provider owns the instances). */
  resize(change: { cpu?: number; memory?: number }): void {
    const only = this.instances.size === 1 ? this.instances.values().next().value : undefined;
    if (this.ec2Provider !== undefined || !only) {
      throw new Error(`cluster ${this.name}: its capacity provider's instances set its capacity`);
    }
    only.capacity.resize(change);
  }

  countsOn(instanceId: string): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    for (const t of this.tasks.values()) {
      if (t.instanceId !== instanceId) continue;
      if (t.lastStatus === 'RUNNING') running += 1;
      else if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') pending += 1;
    }
    return { running, pending };
  }

  /** Tasks in PROVISIONING now: what ECS's per-cluster PROVISIONING quota counts. */
  provisioningCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.lastStatus === 'PROVISIONING') n += 1;
    return n;
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
      registeredContainerInstancesCount: this.instances.size,
      runningTasksCount: running,
      pendingTasksCount: pending,
      activeServicesCount: 0,
      capacityProviders: this.capacityProviders(),
      defaultCapacityProviderStrategy:
        this.ec2Provider !== undefined ? [{ capacityProvider: this.ec2Provider, weight: 1, base: 0 }] : [],
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
    const c = this.capacityView();
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

  /** Providers RunTask's capacityProviderStrategy may name on this cluster. */
  capacityProviders(): string[] {
    return this.ec2Provider !== undefined ? [...CAPACITY_PROVIDERS, this.ec2Provider] : CAPACITY_PROVIDERS;
  }
}
