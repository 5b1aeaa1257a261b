// Task definition families and revisions: RegisterTaskDefinition's validation (ECS raises
// ClientException for a bad definition), the description ECS returns, and the parsed form
// RunTask launches from.
import { parseTaskDefinitionRef, taskDefinitionArn, type ArnScope } from './arns';
import { clientError, epochSeconds, type JsonObject } from './protocol';
import type { ContainerDefinitionInput, RegisterTaskDefinitionInput } from './requests';
import { fargateSizeMessage, isFargateSize, parseCpu, parseMemory } from './resources';
import { checkTaskDefinitionTags, environmentMap, FAMILY_PATTERN, type CheckedTag } from './validation';

/** The docker label that makes a container simulated: no process runs, timers stand in. */
export const SIMULATED_LABEL = 'local-ecs.simulated';

export interface ContainerSpec {
  name: string;
  image: string;
  essential: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  entryPoint: string[];
  command: string[];
  environment: Record<string, string>;
  stopTimeoutSeconds?: number;
  simulated: boolean;
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  cpu?: number;
  memory?: number;
  networkMode: string;
  compatibilities: string[];
  containers: ContainerSpec[];
  tags: CheckedTag[];
  /** What DescribeTaskDefinition returns as `taskDefinition`. */
  description: JsonObject;
}

const NETWORK_MODES = ['bridge', 'host', 'awsvpc', 'none'];
const COMPATIBILITIES = ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'];
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function containerSpec(c: ContainerDefinitionInput, taskMemory: number | undefined): ContainerSpec {
  if (!c.name) throw clientError('Container.name should not be null or empty.');
  if (!CONTAINER_NAME.test(c.name)) {
    throw clientError(
      `Container name ${c.name} is invalid: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`,
    );
  }
  if (!c.image) throw clientError('Container.image should not be null or empty.');
  const where = `Invalid setting for container '${c.name}'.`;
  if (taskMemory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
    throw clientError(`${where} At least one of 'memory' or 'memoryReservation' must be specified.`);
  }
  for (const [field, value] of [
    ['memory', c.memory],
    ['memoryReservation', c.memoryReservation],
  ] as const) {
    if (value !== undefined && value < 6) throw clientError(`${where} '${field}' must be at least 6 MiB.`);
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw clientError(`${where} 'memoryReservation' must be less than or equal to 'memory'.`);
  }
  if (taskMemory !== undefined && c.memory !== undefined && c.memory > taskMemory) {
    throw clientError(`${where} 'memory' must not exceed the task memory (${taskMemory} MiB).`);
  }
  if (c.cpu !== undefined && c.cpu < 0) throw clientError(`${where} 'cpu' must not be negative.`);
  if (c.stopTimeout !== undefined && (c.stopTimeout < 0 || c.stopTimeout > 120)) {
    throw clientError(`${where} 'stopTimeout' must be between 0 and 120 seconds.`);
  }
  return {
    name: c.name,
    image: c.image,
    essential: c.essential ?? true,
    cpu: c.cpu,
    memory: c.memory,
    memoryReservation: c.memoryReservation,
    entryPoint: c.entryPoint ?? [],
    command: c.command ?? [],
    environment: environmentMap(c.environment, clientError),
    stopTimeoutSeconds: c.stopTimeout,
    simulated: c.dockerLabels?.[SIMULATED_LABEL] === 'true',
  };
}

function taskLevel(value: string | undefined, parse: (v: string) => number | undefined, field: string) {
  if (value === undefined) return undefined;
  const parsed = parse(value);
  if (parsed === undefined || parsed <= 0)
    throw clientError(`Invalid '${field}' setting for task: ${value}.`);
  return parsed;
}

export class TaskDefinitionRegistry {
  private readonly families = new Map<string, TaskDefinitionRecord[]>();

  constructor(private readonly scope: ArnScope) {}

  register(input: RegisterTaskDefinitionInput): TaskDefinitionRecord {
    const family = input.family;
    if (!family) throw clientError('Family should not be null or empty.');
    if (!FAMILY_PATTERN.test(family)) {
      throw clientError(
        'Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
      );
    }
    const cpu = taskLevel(input.cpu, parseCpu, 'cpu');
    const memory = taskLevel(input.memory, parseMemory, 'memory');
    const networkMode = input.networkMode ?? 'bridge';
    if (!NETWORK_MODES.includes(networkMode)) {
      throw clientError(`Invalid networkMode ${networkMode}: use one of ${NETWORK_MODES.join(', ')}.`);
    }
    const required = input.requiresCompatibilities ?? [];
    for (const c of required) {
      if (!COMPATIBILITIES.includes(c)) throw clientError(`Invalid requiresCompatibilities value ${c}.`);
    }
    const defs = input.containerDefinitions ?? [];
    if (defs.length === 0) throw clientError('Container list cannot be empty.');
    const containers = defs.map((c) => containerSpec(c, memory));
    if (new Set(containers.map((c) => c.name)).size !== containers.length) {
      throw clientError('Container names must be unique within a task definition.');
    }
    if (!containers.some((c) => c.essential)) {
      throw clientError('Task definition must contain at least one essential container.');
    }
    const fargateReady =
      networkMode === 'awsvpc' && cpu !== undefined && memory !== undefined && isFargateSize(cpu, memory);
    if (required.includes('FARGATE')) {
      if (networkMode !== 'awsvpc') throw clientError("Fargate only supports network mode 'awsvpc'.");
      if (cpu === undefined) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
      if (memory === undefined) {
        throw clientError("Fargate requires that 'memory' be defined at the task level.");
      }
      if (!fargateReady) throw clientError(fargateSizeMessage(cpu, memory));
    }
    const compatibilities = ['EC2', ...(fargateReady ? ['FARGATE'] : [])];
    for (const c of required) if (!compatibilities.includes(c)) compatibilities.push(c);
    const tags = checkTaskDefinitionTags(input.tags);

    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const arn = taskDefinitionArn(this.scope, family, revision);
    const { tags: _tags, containerDefinitions: _defs, cpu: _cpu, memory: _memory, ...rest } = input;
    const description: JsonObject = {
      ...rest,
      taskDefinitionArn: arn,
      containerDefinitions: defs.map((c) => ({
        portMappings: [],
        mountPoints: [],
        volumesFrom: [],
        systemControls: [],
        environment: [],
        ...c,
        cpu: c.cpu ?? 0,
        essential: c.essential ?? true,
      })),
      family,
      revision,
      volumes: (input.volumes as unknown[] | undefined) ?? [],
      status: 'ACTIVE',
      placementConstraints: (input.placementConstraints as unknown[] | undefined) ?? [],
      compatibilities,
      networkMode,
      registeredAt: epochSeconds(Date.now()),
      registeredBy: `arn:aws:iam::${this.scope.accountId}:root`,
      ...(required.length > 0 ? { requiresCompatibilities: required } : {}),
      ...(cpu !== undefined ? { cpu: String(cpu) } : {}),
      ...(memory !== undefined ? { memory: String(memory) } : {}),
    };
    const record: TaskDefinitionRecord = {
      arn,
      family,
      revision,
      cpu,
      memory,
      networkMode,
      compatibilities,
      containers,
      tags,
      description,
    };
    revisions.push(record);
    this.families.set(family, revisions);
    return record;
  }

  /** `family` (latest revision), `family:revision`, or an ARN; undefined when unknown. */
  resolve(ref: string): TaskDefinitionRecord | undefined {
    const parsed = parseTaskDefinitionRef(ref);
    if (!parsed) return undefined;
    const revisions = this.families.get(parsed.family);
    if (!revisions || revisions.length === 0) return undefined;
    return parsed.revision === undefined ? revisions[revisions.length - 1] : revisions[parsed.revision - 1];
  }
}
