// A task's state as ECS describes it, and its DescribeTasks shape.
import type { FaultRule, StopCode } from './config';
import type { ContainerRuntime } from './container-runtime';
import { epochSeconds, type JsonObject } from './protocol';
import type { ContainerSpec, TaskDefinitionRecord } from './task-definitions';
import type { CheckedTag } from './validation';

/** ECS's lastStatus values this emulator uses, in lifecycle order. */
export const TASK_STATUSES = [
  'PROVISIONING',
  'PENDING',
  'RUNNING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface ContainerState {
  spec: ContainerSpec;
  arn: string;
  /** entryPoint + (override command or definition command). */
  command: string[];
  /** Definition environment with containerOverrides applied. */
  environment: Record<string, string>;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  /** The memory a process may use before it is OOM-killed: container memory, else task memory. */
  hardLimitMiB?: number;
  stopTimeoutMs: number;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  oomKilled: boolean;
  runtime?: ContainerRuntime;
}

export interface TaskNetworkInterface {
  attachmentId: string;
  eniId: string;
  subnetId: string;
  macAddress: string;
  privateIpv4Address: string;
}

export interface TaskRecord {
  /** Insertion order, for ListTasks pagination. */
  seq: number;
  id: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  definition: TaskDefinitionRecord;
  launchType: string;
  capacityProviderName?: string;
  platformVersion?: string;
  containerInstanceArn?: string;
  /** The container instance whose capacity it holds; unset while it waits for capacity. */
  instanceId?: string;
  startedBy?: string;
  group: string;
  tags: CheckedTag[];
  overrides: JsonObject;
  /** Task-level cpu/memory (definition with overrides), when defined. */
  cpu?: number;
  memory?: number;
  /** What the task holds of its cluster's capacity until STOPPED. */
  reservedCpu: number;
  reservedMemory: number;
  eni?: TaskNetworkInterface;
  enableExecuteCommand: boolean;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  connectivityAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  stopCode?: StopCode;
  stoppedReason?: string;
  version: number;
  containers: ContainerState[];
  fault?: FaultRule;
  /** Epoch ms from which DescribeTasks/ListTasks see it (eventual consistency); unset = at once. */
  visibleFrom?: number;
  /** While it waits for a capacity provider's room, it is described with `containers: []`. */
  emptyContainersWhileWaiting?: boolean;
  /** If it fails to start, it is described with `containers: []` (as ECS sometimes does). */
  emptyContainersIfFailedToStart?: boolean;
}

function timestamps(task: TaskRecord): JsonObject {
  const out: JsonObject = {};
  const fields: [string, number | undefined][] = [
    ['createdAt', task.createdAt],
    ['pullStartedAt', task.pullStartedAt],
    ['pullStoppedAt', task.pullStoppedAt],
    ['connectivityAt', task.connectivityAt],
    ['startedAt', task.startedAt],
    ['stoppingAt', task.stoppingAt],
    ['executionStoppedAt', task.executionStoppedAt],
    ['stoppedAt', task.stoppedAt],
  ];
  for (const [name, ms] of fields) if (ms !== undefined) out[name] = epochSeconds(ms);
  return out;
}

function attachmentStatus(status: TaskStatus): string {
  if (status === 'PROVISIONING') return 'PRECREATED';
  if (status === 'STOPPED') return 'DELETED';
  if (status === 'DEPROVISIONING') return 'DELETING';
  return 'ATTACHED';
}

function describeContainer(task: TaskRecord, c: ContainerState): JsonObject {
  return {
    containerArn: c.arn,
    taskArn: task.arn,
    name: c.spec.name,
    image: c.spec.image,
    ...(c.runtimeId !== undefined ? { runtimeId: c.runtimeId } : {}),
    lastStatus: c.lastStatus,
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    networkBindings: [],
    networkInterfaces: task.eni
      ? [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIpv4Address }]
      : [],
    healthStatus: 'UNKNOWN',
    cpu: String(c.cpu ?? 0),
    ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: String(c.memoryReservation) } : {}),
  };
}

/** The task as DescribeTasks (and RunTask, StopTask) return it. */
/** In PROVISIONING through an EC2 capacity provider, with no instance yet: waiting for room. */
function isWaitingForRoom(task: TaskRecord): boolean {
  return (
    task.lastStatus === 'PROVISIONING' &&
    task.launchType === 'EC2' &&
    task.capacityProviderName !== undefined &&
    task.containerInstanceArn === undefined
  );
}

export function describeTask(task: TaskRecord, includeTags: boolean): JsonObject {
  const eni = task.eni;
  return {
    attachments: eni
      ? [
          {
            id: eni.attachmentId,
            type: 'ElasticNetworkInterface',
            status: attachmentStatus(task.lastStatus),
            details: [
              { name: 'subnetId', value: eni.subnetId },
              { name: 'networkInterfaceId', value: eni.eniId },
              { name: 'macAddress', value: eni.macAddress },
              { name: 'privateIPv4Address', value: eni.privateIpv4Address },
            ],
          },
        ]
      : [],
    attributes: [{ name: 'ecs.cpu-architecture', value: process.arch === 'arm64' ? 'arm64' : 'x86_64' }],
    availabilityZone: `${task.clusterArn.split(':')[3] ?? 'us-east-1'}a`,
    ...(task.capacityProviderName !== undefined ? { capacityProviderName: task.capacityProviderName } : {}),
    clusterArn: task.clusterArn,
    connectivity: task.connectivityAt !== undefined ? 'CONNECTED' : 'DISCONNECTED',
    ...(task.containerInstanceArn !== undefined ? { containerInstanceArn: task.containerInstanceArn } : {}),
    containers:
      (task.stopCode === 'TaskFailedToStart' && task.emptyContainersIfFailedToStart) ||
      (task.emptyContainersWhileWaiting && isWaitingForRoom(task))
        ? []
        : task.containers.map((c) => describeContainer(task, c)),
    ...(task.cpu !== undefined ? { cpu: String(task.cpu) } : {}),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: task.enableExecuteCommand,
    group: task.group,
    healthStatus: 'UNKNOWN',
    lastStatus: task.lastStatus,
    launchType: task.launchType,
    ...(task.memory !== undefined ? { memory: String(task.memory) } : {}),
    overrides: task.overrides,
    ...(task.platformVersion !== undefined
      ? { platformVersion: task.platformVersion, platformFamily: 'Linux' }
      : {}),
    ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
    ...(task.stopCode !== undefined ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
    ...(includeTags ? { tags: task.tags } : {}),
    taskArn: task.arn,
    taskDefinitionArn: task.definition.arn,
    version: task.version,
    ...(task.launchType === 'FARGATE' ? { ephemeralStorage: { sizeInGiB: 20 } } : {}),
    ...timestamps(task),
  };
}
