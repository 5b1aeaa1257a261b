// RunTask's request, checked against its task definition as ECS checks it, becomes a launch
// plan (launch type, network, task size, what each task reserves); each placed task is then
// built from the plan. No state lives here.
import { randomBytes } from 'node:crypto';
import { containerArn, newTaskId, randomUuid, taskArn, type ArnScope } from './arns';
import { CAPACITY_PROVIDERS, type ClusterState } from './clusters';
import { invalidParameter } from './protocol';
import type { ContainerOverrideInput, RunTaskInput } from './requests';
import { fargateSizeMessage, isFargateSize, parseCpu, parseMemory } from './resources';
import type { ContainerState, TaskNetworkInterface, TaskRecord } from './task';
import type { TaskDefinitionRecord } from './task-definitions';
import { checkClientToken, checkStartedBy, checkTags, environmentMap, type CheckedTag } from './validation';

export const LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL'];
const PROPAGATE_TAGS = ['TASK_DEFINITION', 'SERVICE', 'NONE'];
/** The platform version Fargate's LATEST resolves to. */
const FARGATE_PLATFORM_VERSION = '1.4.0';

export interface LaunchPlan {
  count: number;
  launchType: string;
  capacityProviderName?: string;
  platformVersion?: string;
  /** First subnet of an awsvpc task. */
  subnetId?: string;
  /** Task-level size (definition with overrides), when defined. */
  cpu?: number;
  memory?: number;
  /** What each task holds of the cluster: task-level size, else the sum over containers. */
  reservedCpu: number;
  reservedMemory: number;
  containerOverrides: Map<string, ContainerOverrideInput>;
  tags: CheckedTag[];
}

/** Members checked before the task definition is even looked up. */
export function checkRunTaskMembers(input: RunTaskInput): number {
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
  checkStartedBy(input.startedBy);
  checkClientToken(input.clientToken);
  if (input.group !== undefined && input.group.length > 255) {
    throw invalidParameter('group must be at most 255 characters.');
  }
  if (input.propagateTags !== undefined && !PROPAGATE_TAGS.includes(input.propagateTags)) {
    throw invalidParameter(`Invalid propagateTags value ${input.propagateTags}.`);
  }
  return count;
}

function launchTypeOf(
  input: RunTaskInput,
  definition: TaskDefinitionRecord,
  ec2Provider: string | undefined,
): Pick<LaunchPlan, 'launchType' | 'capacityProviderName' | 'platformVersion'> {
  // A cluster with an EC2 capacity provider makes it the default strategy, as ECS does with a
  // cluster's default capacity provider strategy.
  const strategy =
    input.capacityProviderStrategy ??
    (input.launchType === undefined && ec2Provider !== undefined
      ? [{ capacityProvider: ec2Provider, weight: 1 }]
      : []);
  const providers = ec2Provider !== undefined ? [...CAPACITY_PROVIDERS, ec2Provider] : CAPACITY_PROVIDERS;
  if (input.launchType !== undefined && strategy.length > 0) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported.');
  }
  if (input.launchType !== undefined && !LAUNCH_TYPES.includes(input.launchType)) {
    throw invalidParameter(`launchType should be one of [${LAUNCH_TYPES.join(',')}].`);
  }
  let capacityProviderName: string | undefined;
  if (strategy.length > 0) {
    for (const item of strategy) {
      if (!item.capacityProvider || !providers.includes(item.capacityProvider)) {
        throw invalidParameter(
          'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster.',
        );
      }
      const weight = item.weight ?? 0;
      const base = item.base ?? 0;
      if (weight < 0 || weight > 1000 || base < 0 || base > 100000) {
        throw invalidParameter('Capacity provider weight must be 0-1000 and base 0-100000.');
      }
    }
    // The provider with a base gets the first tasks; otherwise the heaviest weight.
    const withBase = strategy.find((s) => (s.base ?? 0) > 0);
    const heaviest = [...strategy].sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))[0];
    if (!withBase && (heaviest?.weight ?? 0) <= 0) {
      throw invalidParameter(
        'At least one capacity provider in the strategy must have a weight greater than zero.',
      );
    }
    capacityProviderName = (withBase ?? heaviest)?.capacityProvider;
  }
  const onEc2Provider = capacityProviderName !== undefined && capacityProviderName === ec2Provider;
  const launchType = input.launchType ?? (capacityProviderName && !onEc2Provider ? 'FARGATE' : 'EC2');
  if (launchType === 'FARGATE' && !definition.compatibilities.includes('FARGATE')) {
    throw invalidParameter('Task definition does not support launch_type FARGATE.');
  }
  if (input.platformVersion !== undefined && launchType !== 'FARGATE') {
    throw invalidParameter('The platform version must be null when specifying an EC2 launch type.');
  }
  return {
    launchType,
    capacityProviderName,
    platformVersion: launchType === 'FARGATE' ? FARGATE_PLATFORM_VERSION : undefined,
  };
}

function subnetOf(input: RunTaskInput, definition: TaskDefinitionRecord): string | undefined {
  const vpc = input.networkConfiguration?.awsvpcConfiguration;
  if (definition.networkMode !== 'awsvpc') {
    if (input.networkConfiguration !== undefined) {
      throw invalidParameter(
        'Network Configuration is not valid for the given networkMode of this task definition.',
      );
    }
    return undefined;
  }
  const subnets = vpc?.subnets ?? [];
  if (subnets.length === 0) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  if (subnets.length > 16) throw invalidParameter('At most 16 subnets are allowed.');
  if ((vpc?.securityGroups?.length ?? 0) > 5)
    throw invalidParameter('At most 5 security groups are allowed.');
  if (vpc?.assignPublicIp !== undefined && !['ENABLED', 'DISABLED'].includes(vpc.assignPublicIp)) {
    throw invalidParameter('assignPublicIp must be ENABLED or DISABLED.');
  }
  return subnets[0];
}

function sizeOf(
  input: RunTaskInput,
  definition: TaskDefinitionRecord,
  launchType: string,
): Pick<LaunchPlan, 'cpu' | 'memory' | 'reservedCpu' | 'reservedMemory' | 'containerOverrides'> {
  const o = input.overrides;
  // Task-level overrides are strings in ECS, in units or "1 vCPU" / "2 GB" form.
  const cpu = o?.cpu !== undefined ? parseCpu(o.cpu) : definition.cpu;
  if (o?.cpu !== undefined && !(cpu !== undefined && cpu > 0)) {
    throw invalidParameter(`Invalid 'cpu' override for the task: ${o.cpu}.`);
  }
  const memory = o?.memory !== undefined ? parseMemory(o.memory) : definition.memory;
  if (o?.memory !== undefined && !(memory !== undefined && memory > 0)) {
    throw invalidParameter(`Invalid 'memory' override for the task: ${o.memory}.`);
  }
  if (
    launchType === 'FARGATE' &&
    (cpu === undefined || memory === undefined || !isFargateSize(cpu, memory))
  ) {
    throw invalidParameter(fargateSizeMessage(cpu, memory));
  }
  const containerOverrides = new Map<string, ContainerOverrideInput>();
  for (const co of o?.containerOverrides ?? []) {
    if (!co.name) throw invalidParameter('Container override name can not be blank.');
    if (!definition.containers.some((c) => c.name === co.name)) {
      throw invalidParameter(
        `Override for container named ${co.name} is not a container in the TaskDefinition.`,
      );
    }
    if ([co.cpu, co.memory, co.memoryReservation].some((v) => v !== undefined && v < 0)) {
      throw invalidParameter('Container override cpu and memory must not be negative.');
    }
    environmentMap(co.environment, invalidParameter);
    containerOverrides.set(co.name, co);
  }
  const reservedCpu =
    cpu ??
    definition.containers.reduce((sum, c) => sum + (containerOverrides.get(c.name)?.cpu ?? c.cpu ?? 0), 0);
  const reservedMemory =
    memory ??
    definition.containers.reduce((sum, c) => {
      const co = containerOverrides.get(c.name);
      return sum + (co?.memory ?? c.memory ?? co?.memoryReservation ?? c.memoryReservation ?? 0);
    }, 0);
  return { cpu, memory, reservedCpu, reservedMemory, containerOverrides };
}

/** Checks the request against the definition (InvalidParameterException) and plans the launch. */
export function planRunTask(
  input: RunTaskInput,
  definition: TaskDefinitionRecord,
  count: number,
  ec2Provider?: string,
): LaunchPlan {
  const placement = launchTypeOf(input, definition, ec2Provider);
  const subnetId = subnetOf(input, definition);
  const size = sizeOf(input, definition, placement.launchType);
  const tags = checkTags(input.tags);
  return {
    count,
    ...placement,
    subnetId,
    ...size,
    tags: input.propagateTags === 'TASK_DEFINITION' ? [...definition.tags, ...tags] : tags,
  };
}

function newEni(subnetId: string): TaskNetworkInterface {
  const hex = randomBytes(12).toString('hex');
  const b = randomBytes(2);
  return {
    attachmentId: randomUuid(),
    eniId: `eni-${hex.slice(0, 17)}`,
    subnetId,
    macAddress: (hex.slice(0, 12).match(/../g) ?? []).join(':'),
    privateIpv4Address: `10.0.${(b[0] ?? 0) % 255}.${((b[1] ?? 0) % 253) + 2}`,
  };
}

export interface NewTaskContext {
  scope: ArnScope;
  cluster: ClusterState;
  definition: TaskDefinitionRecord;
  input: RunTaskInput;
  plan: LaunchPlan;
  seq: number;
  defaultStopTimeoutSeconds: number;
}

/** A task in PROVISIONING, as the plan says; its capacity is already reserved. */
export function newTask({
  scope,
  cluster,
  definition,
  input,
  plan,
  seq,
  defaultStopTimeoutSeconds,
}: NewTaskContext): TaskRecord {
  const id = newTaskId();
  const containers: ContainerState[] = definition.containers.map((spec) => {
    const co = plan.containerOverrides.get(spec.name);
    const memory = co?.memory ?? spec.memory;
    return {
      spec,
      arn: containerArn(scope, cluster.name, id, randomUuid()),
      command: [...spec.entryPoint, ...(co?.command ?? spec.command)],
      environment: { ...spec.environment, ...environmentMap(co?.environment, invalidParameter) },
      cpu: co?.cpu ?? spec.cpu,
      memory,
      memoryReservation: co?.memoryReservation ?? spec.memoryReservation,
      // The kernel's limit inside a container: its own hard limit, else the task's.
      hardLimitMiB: memory ?? plan.memory,
      stopTimeoutMs: (spec.stopTimeoutSeconds ?? defaultStopTimeoutSeconds) * 1000,
      lastStatus: 'PENDING',
      oomKilled: false,
    };
  });
  const { containerOverrides, ...taskOverrides } = input.overrides ?? {};
  return {
    seq,
    id,
    arn: taskArn(scope, cluster.name, id),
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    definition,
    launchType: plan.launchType,
    capacityProviderName: plan.capacityProviderName,
    platformVersion: plan.platformVersion,
    // containerInstanceArn and instanceId are set when the task is placed.
    startedBy: input.startedBy,
    group: input.group ?? `family:${definition.family}`,
    tags: plan.tags,
    overrides: {
      containerOverrides: containerOverrides ?? [],
      inferenceAcceleratorOverrides: [],
      ...taskOverrides,
    },
    cpu: plan.cpu,
    memory: plan.memory,
    reservedCpu: plan.reservedCpu,
    reservedMemory: plan.reservedMemory,
    eni: plan.subnetId !== undefined ? newEni(plan.subnetId) : undefined,
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    createdAt: Date.now(),
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    version: 1,
    containers,
  };
}
