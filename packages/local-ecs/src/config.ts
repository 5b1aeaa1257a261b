// The local ECS's configuration: one zod schema for the JSON config file and for the options
// of startLocalEcs(), so both are checked the same way and a bad value names its field.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '@wsi-orchestrator/settings-errors';
import { applyProfile } from './profile';

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const nonNegativeInt = z.number().int().nonnegative();
const durationMs = z.number().nonnegative();

const bucketSchema = z.strictObject({
  burst: z.number().positive(),
  perSecond: z.number().positive(),
});
/** A bucket, or `false` to switch that limit off. */
const limitSchema = z.union([bucketSchema, z.literal(false)]);

export const ECS_DEFAULT_RATE_LIMITS = {
  runTask: { burst: 100, perSecond: 40 },
  taskLaunch: { burst: 100, perSecond: 20 },
  describeTasks: { burst: 50, perSecond: 20 },
} as const;

const rateLimitsSchema = z.strictObject({
  runTask: limitSchema.default(ECS_DEFAULT_RATE_LIMITS.runTask),
  taskLaunch: limitSchema.default(ECS_DEFAULT_RATE_LIMITS.taskLaunch),
  describeTasks: limitSchema.default(ECS_DEFAULT_RATE_LIMITS.describeTasks),
});

/**
 * Contention mode: soft reservations up to `maxOvercommit` × capacity; while over-committed,
 * simulated tasks run slower (remaining time × committed/capacity) and are OOM-killed at a
 * rate of `oomHazardPerSecond` × (memory committed/capacity − 1) per task per second.
 */
const contentionSchema = z.strictObject({
  maxOvercommit: z.number().min(1).default(1.5),
  oomHazardPerSecond: z.number().nonnegative().default(0.2),
  /** How often the OOM hazard is drawn while over-committed. */
  checkIntervalMs: z.number().positive().default(250),
});
/**
 * A simulated EC2 capacity provider with managed scaling: instances of one size, added while
 * tasks wait in PROVISIONING for room, removed once idle (never while running a task).
 */
const capacityProviderSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,255}$/)
      .default('ec2-managed'),
    instanceCpu: z.number().int().positive(),
    instanceMemory: z.number().int().positive(),
    initialInstances: nonNegativeInt.default(1),
    minInstances: nonNegativeInt.default(0),
    maxInstances: z.number().int().positive(),
    /** From tasks waiting for room to the new instances being registered (AWS: minutes). */
    scaleOutDelayMs: durationMs.default(2000),
    /** An instance idle this long is removed (down to minInstances). */
    scaleInIdleMs: durationMs.default(900_000),
    /** A task waiting longer for room stops: TaskFailedToStart (AWS: 10 to 30 minutes). */
    provisioningTimeoutMs: durationMs.default(1_800_000),
  })
  .refine((p) => p.maxInstances >= p.initialInstances && p.maxInstances >= p.minInstances, {
    message: 'maxInstances must be at least initialInstances and minInstances',
    path: ['maxInstances'],
  })
  .refine((p) => p.name !== 'FARGATE' && p.name !== 'FARGATE_SPOT', {
    message: 'FARGATE and FARGATE_SPOT are reserved',
    path: ['name'],
  });

const clusterSchema = z
  .strictObject({
    name: z.string().regex(CLUSTER_NAME, 'cluster names are 1-255 letters, digits, - and _'),
    /** Capacity of the one synthetic instance; not used with a capacityProvider. */
    cpu: nonNegativeInt.optional(),
    memory: nonNegativeInt.optional(),
    contention: contentionSchema.optional(),
    capacityProvider: capacityProviderSchema.optional(),
  })
  .refine((c) => c.capacityProvider !== undefined || (c.cpu !== undefined && c.memory !== undefined), {
    message: 'a cluster needs cpu and memory, or a capacityProvider',
    path: ['cpu'],
  });
export type ClusterConfig = z.infer<typeof clusterSchema>;
export type ContentionSettings = z.infer<typeof contentionSchema>;
export type CapacityProviderSettings = z.infer<typeof capacityProviderSchema>;

export const STOP_CODES = [
  'EssentialContainerExited',
  'UserInitiated',
  'TaskFailedToStart',
  'SpotInterruption',
  'ServiceSchedulerInitiated',
  'TerminationNotice',
  'InfrastructureHealth',
] as const;
export type StopCode = (typeof STOP_CODES)[number];

const THROTTLED_ACTIONS = ['RunTask', 'DescribeTasks'] as const;
export type ThrottledAction = (typeof THROTTLED_ACTIONS)[number];
const STORM_ERRORS = ['ThrottlingException', 'ServerException'] as const;
export type StormError = (typeof STORM_ERRORS)[number];

/** Which tasks a task fault applies to; every given field must match. */
const matchSchema = z.strictObject({
  cluster: z.string().optional(),
  family: z.string().optional(),
  startedByPrefix: z.string().optional(),
  launchType: z.string().optional(),
  taskMemoryAtMost: nonNegativeInt.optional(),
  taskMemoryAtLeast: nonNegativeInt.optional(),
  /** Every pair must be in the environment (definition + overrides) of some container. */
  environment: z.record(z.string(), z.string()).optional(),
});

/** How often a task fault fires: at most `times` tasks, each matching task with `probability`. */
const firing = {
  name: z.string().optional(),
  match: matchSchema.default({}),
  times: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).default(1),
};
/** Delay from the task reaching RUNNING before the fault acts. */
const afterRunningMs = durationMs.default(0);

const spotFault = z.strictObject({
  type: z.literal('spotInterruption'),
  ...firing,
  afterRunningMs,
  /** SIGTERM at once, SIGKILL after this; default: the config's `spotWarningMs`. */
  warningMs: durationMs.optional(),
});
const oomFault = z.strictObject({ type: z.literal('oom'), ...firing, afterRunningMs });
const stopFault = z.strictObject({
  type: z.literal('stop'),
  ...firing,
  afterRunningMs,
  stopCode: z.enum(STOP_CODES),
  reason: z.string().optional(),
  /** SIGKILL delay after SIGTERM; default: each container's stopTimeout. */
  killAfterMs: durationMs.optional(),
});
const failToStartFault = z.strictObject({
  type: z.literal('failToStart'),
  ...firing,
  /** Container reason and stoppedReason; default a CannotPullContainerError naming the image. */
  reason: z.string().optional(),
  /** Describe the failed task with `containers: []`, as ECS sometimes does (prefect#22410). */
  emptyContainers: z.boolean().default(false),
});
const stuckFault = z.strictObject({
  type: z.literal('stuck'),
  ...firing,
  status: z.enum(['PROVISIONING', 'PENDING']).default('PROVISIONING'),
});
const throttlingStorm = z.strictObject({
  type: z.literal('throttlingStorm'),
  name: z.string().optional(),
  actions: z
    .array(z.enum(THROTTLED_ACTIONS))
    .min(1)
    .default([...THROTTLED_ACTIONS]),
  /** From server start (config file) or from the moment it is added (admin, handle). */
  startAfterMs: durationMs.default(0),
  durationMs: z.number().positive(),
  probability: z.number().min(0).max(1).default(1),
  /** ThrottlingException (400, "Rate exceeded") or ServerException (500), both transient. */
  error: z.enum(STORM_ERRORS).default('ThrottlingException'),
});
const capacityChange = z.strictObject({
  type: z.literal('capacity'),
  name: z.string().optional(),
  cluster: z.string(),
  /** From server start (config file) or from the moment it is added (admin, handle). */
  atMs: durationMs.default(0),
  cpu: nonNegativeInt.optional(),
  memory: nonNegativeInt.optional(),
});

const faultRuleSchema = z.discriminatedUnion('type', [
  spotFault,
  oomFault,
  stopFault,
  failToStartFault,
  stuckFault,
  throttlingStorm,
  capacityChange,
]);
export const throttlingStormSchema = throttlingStorm;

export type FaultRule = z.infer<typeof faultRuleSchema>;
/** The rules that act on tasks (the others act on the API or on a cluster's capacity). */
export type TaskFaultRule = Exclude<FaultRule, { type: 'throttlingStorm' | 'capacity' }>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type ThrottlingStorm = z.infer<typeof throttlingStorm>;
export type ThrottlingStormInput = z.input<typeof throttlingStorm>;
export type FaultMatch = z.infer<typeof matchSchema>;

// ---- ECS's real manners (each off by default; `profile: "realistic"` turns them all on) ----

/** New tasks stay invisible to DescribeTasks/ListTasks for a random time in [minMs, maxMs]. */
const visibilityDelaySchema = z
  .strictObject({ minMs: durationMs, maxMs: durationMs })
  .refine((v) => v.maxMs >= v.minMs, { message: 'maxMs must be at least minMs', path: ['maxMs'] });
/**
 * RunTask calls for awsvpc tasks beyond `burst` within `windowMs` fail, each with
 * `probability`, with the EC2 subnet lookup's throttle wrapped in InvalidParameterException.
 */
const ec2LookupThrottleSchema = z.strictObject({
  burst: z.number().int().nonnegative(),
  windowMs: z.number().positive(),
  probability: z.number().min(0).max(1),
});
export type VisibilityDelay = z.infer<typeof visibilityDelaySchema>;
export type Ec2LookupThrottle = z.infer<typeof ec2LookupThrottleSchema>;
const PROFILES = ['default', 'realistic'] as const;

/** Variables handed from the local ECS's own environment to task processes by default. */
const DEFAULT_INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'SYSTEMROOT'];

const localEcsConfigSchema = z.strictObject({
  /** An editor's pointer to local-ecs.schema.json; ignored. */
  $schema: z.string().optional(),
  host: z.string().default('127.0.0.1'),
  /** 0 = a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  region: z.string().default('us-east-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'an account id is 12 digits')
    .default('000000000000'),
  clusters: z.array(clusterSchema).default([{ name: 'default', cpu: 8192, memory: 16384 }]),
  /** Capacity of clusters made later by CreateCluster. */
  defaultClusterCapacity: z
    .strictObject({ cpu: nonNegativeInt, memory: nonNegativeInt })
    .default({ cpu: 8192, memory: 16384 }),
  rateLimits: rateLimitsSchema.default({ ...ECS_DEFAULT_RATE_LIMITS }),
  lifecycle: z
    .strictObject({
      provisioningMs: durationMs.default(100),
      pendingMs: durationMs.default(200),
      deprovisioningMs: durationMs.default(100),
    })
    .default({ provisioningMs: 100, pendingMs: 200, deprovisioningMs: 100 }),
  /**
   * Tasks in PROVISIONING per cluster at most (ECS's service quota, 300); past it RunTask
   * answers ClientException "Tasks provisioning capacity limit exceeded.". false = no quota.
   */
  provisioningQuota: z.union([z.number().int().positive(), z.literal(false)]).default(300),
  /** Container stopTimeout when the definition sets none (ECS: 30 s). */
  defaultStopTimeoutSeconds: z.number().min(0).max(120).default(30),
  /** Time between a spot interruption's SIGTERM and its SIGKILL (AWS: 2 minutes). */
  spotWarningMs: durationMs.default(2000),
  retention: z
    .strictObject({
      stoppedTasksMs: durationMs.default(3_600_000),
      clientTokensMs: durationMs.default(86_400_000),
    })
    .default({ stoppedTasksMs: 3_600_000, clientTokensMs: 86_400_000 }),
  logDir: z.string().min(1).default('.data/local-ecs/logs'),
  /** Working directory of task processes; default the local ECS's own. */
  cwd: z.string().optional(),
  /** Added to every task process's environment (below the definition's and the overrides'). */
  taskEnvironment: z.record(z.string(), z.string()).default({}),
  /** Which of the local ECS's own variables task processes get: all, none, or these names. */
  inheritEnvironment: z.union([z.boolean(), z.array(z.string())]).default(DEFAULT_INHERITED_ENV),
  /** How often process-tree memory is read from /proc; 0 turns OOM detection off. */
  memoryPollMs: durationMs.default(100),
  simulated: z
    .strictObject({ defaultDurationMs: durationMs.default(1000) })
    .default({ defaultDurationMs: 1000 }),
  /** Seed of the random numbers that fault probabilities draw. */
  seed: z.number().int().default(1),
  faults: z.array(faultRuleSchema).default([]),
  /** `realistic` fills every manner below that the config leaves unset (see profile.ts). */
  profile: z.enum(PROFILES).default('default'),
  /** Eventual consistency after RunTask; false (default) = visible at once. */
  visibilityDelay: z.union([visibilityDelaySchema, z.literal(false)]).optional(),
  /** EC2-lookup throttling of RunTask bursts; false (default) = never. */
  ec2LookupThrottle: z.union([ec2LookupThrottleSchema, z.literal(false)]).optional(),
  /** FARGATE tasks that do not fit get Fargate's "Capacity is unavailable" failure reason. */
  fargateCapacityMessage: z.boolean().optional(),
  /** Probability that a task failing to start is described with `containers: []`. */
  failedStartEmptyContainers: z.number().min(0).max(1).optional(),
  /** Tasks waiting in PROVISIONING for a capacity provider's room are described with `containers: []`. */
  waitingEmptyContainers: z.boolean().optional(),
});

export type LocalEcsConfig = z.infer<typeof localEcsConfigSchema>;
export type LocalEcsConfigInput = z.input<typeof localEcsConfigSchema>;

export class LocalEcsConfigError extends Error {
  override readonly name = 'LocalEcsConfigError';
}

const describeConfigIssues = (error: z.ZodError): string => describeIssues(error, '(top level)').join('; ');

/** Validates a config (or programmatic options); the error names each bad field. */
export function parseLocalEcsConfig(input: unknown, source = 'local ECS config'): LocalEcsConfig {
  const result = localEcsConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new LocalEcsConfigError(`${source}: ${describeConfigIssues(result.error)}`);
  for (const [i, c] of result.data.clusters.entries()) {
    if (result.data.clusters.findIndex((o) => o.name === c.name) !== i) {
      throw new LocalEcsConfigError(`${source}: clusters.${i}.name: duplicate cluster ${c.name}`);
    }
  }
  return applyProfile(result.data, input);
}

/** Reads and validates a JSON config file. */
export function loadLocalEcsConfigFile(file: string): LocalEcsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LocalEcsConfigError(`cannot read local ECS config ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LocalEcsConfigError(`local ECS config ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseLocalEcsConfig(json, `local ECS config ${file}`);
}

/** Parses one fault rule (admin endpoint, handle). */
export function parseFaultRule(input: unknown): FaultRule {
  const result = faultRuleSchema.safeParse(input);
  if (!result.success) throw new LocalEcsConfigError(`fault rule: ${describeConfigIssues(result.error)}`);
  return result.data;
}

/** The config file's JSON Schema (what a file may contain, before defaults), for editors and validators. */
export function localEcsConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(localEcsConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
