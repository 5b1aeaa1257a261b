// Every setting of the worker, from the environment and an optional JSON config file
// (WSI_CONFIG_FILE; the environment wins), validated once at start-up. A bad value stops
// the program with a message naming the setting. Temporal's own connection settings
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*) are read by
// @temporalio/envconfig in src/temporal/connection.ts, not here.
import { parseTaskDefinitionRoutes, type TaskDefinitionRoute } from '../slides/routing';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import {
  DEFAULT_ADMISSION_TASK_QUEUE,
  DEFAULT_BUDGET_TASK_QUEUE,
  DEFAULT_ECS_TASK_QUEUE,
  DEFAULT_SLIDES_TASK_QUEUE,
} from '../workflows/definitions';
import type { FargatePrices, SizeTier, SlidePolicy } from '../workflows/types';
import { duration } from './duration';
import { describeIssues, formatSettingsError } from '@wsi-orchestrator/settings-errors';
import { fargateSizeError } from './fargate';

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));
const taskDefinitionRoutes = z.string().transform((value, ctx) => {
  try {
    return parseTaskDefinitionRoutes(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
const s3Prefix = z.string().refine(
  (uri) => {
    try {
      parseS3Uri(uri);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an S3 URI prefix like s3://bucket/prefix/' },
);

const tierSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'tier names are letters, digits, - and _'),
  cpu: z.number().int().positive(),
  memory: z.number().int().positive(),
  maxSlideBytes: z.number().nonnegative().optional(),
});

/** `name:cpu:memory[:maxSlideBytes]` entries separated by commas, or a JSON array of tiers. */
const tiers = z.union([z.string(), z.array(z.unknown())]).transform((value, ctx) => {
  let raw: unknown = value;
  if (typeof value === 'string') {
    raw = value.trim().startsWith('[')
      ? JSON.parse(value)
      : value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((entry) => {
            const [name, cpu, memory, maxSlideBytes] = entry.split(':');
            return {
              name,
              cpu: Number(cpu),
              memory: Number(memory),
              ...(maxSlideBytes ? { maxSlideBytes: Number(maxSlideBytes) } : {}),
            };
          });
  }
  const parsed = z.array(tierSchema).min(1, 'at least one size tier').safeParse(raw);
  if (!parsed.success) {
    ctx.addIssue({
      code: 'custom',
      message: `expected tiers as name:cpu:memory[:maxSlideBytes],... ; ${describeIssues(parsed.error).join('; ')}`,
    });
    return z.NEVER;
  }
  return parsed.data as SizeTier[];
});

/** `provider:weight[:base]` entries, e.g. `FARGATE_SPOT:3,FARGATE:1:1`. */
const capacityProviderStrategy = z.string().transform((value, ctx) => {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [capacityProvider, weight, base] = entry.split(':');
      return {
        capacityProvider: capacityProvider ?? '',
        weight: Number(weight ?? 1),
        base: Number(base ?? 0),
      };
    });
  if (entries.some((e) => !e.capacityProvider || !Number.isInteger(e.weight) || !Number.isInteger(e.base))) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected provider:weight[:base],... e.g. FARGATE_SPOT:3,FARGATE:1:1',
    });
    return z.NEVER;
  }
  return entries;
});

/**
 * Exit codes by which the processor says "never retry this slide" (comma list, or "none").
 * 0 means success and 137/143 mean killed/stopped, so none of them can be a verdict.
 */
const exitCodes = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((value, ctx) => {
    const raw = Array.isArray(value) ? value.map(String) : value.trim() === 'none' ? [] : value.split(',');
    const codes = raw
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
    const bad = codes.filter((c) => !Number.isInteger(c) || c < 1 || c > 255 || c === 137 || c === 143);
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exit codes 1-255 other than 137 and 143 (comma list, or "none"); got ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(codes)];
  });

/** The reference processor's own verdicts (processor/errors.ts): 2 no such slide, 64 bad environment, 65 unreadable image. */
const DEFAULT_PERMANENT_EXIT_CODES = '2,64,65';

/** `host:port` of a metrics and health endpoint (METRICS_ADDRESS), e.g. `0.0.0.0:9464`. */
export const listenAddress = z.string().transform((value, ctx) => {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port <= 65535)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected host:port, e.g. 0.0.0.0:9464 (port 0: any free port)',
    });
    return z.NEVER;
  }
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
});

/**
 * Launches a slide may make at most, summed over every relaunch bound: keeps a slide's
 * history far under Temporal's 10,240-event warning (docs/operations.md, "History").
 */
export const MAX_LAUNCHES_PER_SLIDE = 200;

const DEFAULT_TIERS =
  'small:1024:4096:1000000000,medium:2048:8192:4000000000,large:4096:16384:10000000000,xlarge:8192:32768';

/** The settings, by the names they have in the environment. */
const schema = z
  .object({
    SLIDES_TASK_QUEUE: z.string().min(1).default(DEFAULT_SLIDES_TASK_QUEUE),
    ECS_TASK_QUEUE: z.string().min(1).default(DEFAULT_ECS_TASK_QUEUE),
    ECS_CLUSTER: z.string().min(1).default('default'),
    ECS_TASK_DEFINITION: z.string().min(1).default('wsi-processor'),
    ECS_TASK_DEFINITION_ROUTES: taskDefinitionRoutes.prefault(''),
    ECS_CONTAINER_NAME: z.string().min(1).default('processor'),
    ECS_LAUNCH_TYPE: z.enum(['FARGATE', 'EC2', 'EXTERNAL']).optional(),
    ECS_CAPACITY_PROVIDER_STRATEGY: capacityProviderStrategy.optional(),
    ECS_SUBNETS: list.default([]),
    ECS_SECURITY_GROUPS: list.default([]),
    ECS_ASSIGN_PUBLIC_IP: z.enum(['ENABLED', 'DISABLED']).default('DISABLED'),
    ECS_PLATFORM_VERSION: z.string().optional(),
    SIZE_TIERS: tiers.prefault(DEFAULT_TIERS),
    ECS_POLL_INTERVAL: duration.prefault(5000),
    ECS_MISSING_GRACE: duration.prefault('5m'),
    PERMANENT_EXIT_CODES: exitCodes.prefault(DEFAULT_PERMANENT_EXIT_CODES),
    ECS_TASK_SLOTS: z.union([z.literal('auto'), positiveInt]).default(200),
    ECS_MAX_TASKS: positiveInt.optional(),
    BUDGET_REFRESH: duration.prefault('30s'),
    ECS_ADMISSION_TASK_QUEUE: z.string().min(1).default(DEFAULT_ADMISSION_TASK_QUEUE),
    BUDGET_TASK_QUEUE: z.string().min(1).default(DEFAULT_BUDGET_TASK_QUEUE),
    ADMISSION_SLOTS: positiveInt.default(25),
    ORPHAN_GRACE: duration.prefault('2m'),
    ORPHAN_DRY_RUN: z.stringbool().default(false),
    WORKFLOW_CACHE_SIZE: positiveInt.default(100),
    ECS_SLOT_HEADROOM: z.coerce.number().gt(0).max(1).default(0.8),
    ECS_LAUNCH_RATE: z.coerce.number().positive().default(5),
    CHECKPOINT_URI_PREFIX: s3Prefix.default('s3://wsi-work/checkpoints/'),
    OUTPUT_URI_PREFIX: s3Prefix.default('s3://wsi-work/outputs/'),
    SLIDE_FOLDER_SETTLE: duration.prefault('30s'),
    MAX_APP_ERRORS: positiveInt.default(3),
    MAX_START_FAILURES: positiveInt.default(3),
    MAX_INTERRUPTIONS: nonNegativeInt.default(20),
    MAX_STUCK: nonNegativeInt.default(3),
    STUCK_AFTER: duration.prefault('15m'),
    CAPACITY_WAIT: duration.prefault('6h'),
    RELAUNCH_BACKOFF: duration.prefault('30s'),
    MAX_TASK_DURATION: duration.prefault('48h'),
    HEARTBEAT_TIMEOUT: duration.prefault('1m'),
    RETRY_INITIAL_INTERVAL: duration.prefault('2s'),
    RETRY_MAX_INTERVAL: duration.prefault('1m'),
    PROGRESS_INTERVAL: duration.prefault('15s'),
    STOP_WAIT: duration.prefault('2m'),
    WORKER_SHUTDOWN_GRACE: duration.prefault('5s'),
    METRICS_ADDRESS: listenAddress.optional(),
    // Fargate, us-east-1, Linux/x86 on-demand; FARGATE_SPOT is up to 70% off, so 0.3 of it.
    FARGATE_VCPU_HOUR_PRICE: z.coerce.number().nonnegative().default(0.04048),
    FARGATE_GB_HOUR_PRICE: z.coerce.number().nonnegative().default(0.004445),
    FARGATE_SPOT_PRICE_RATIO: z.coerce.number().gt(0).max(1).default(0.3),
  })
  .superRefine((s, ctx) => {
    if (s.ECS_LAUNCH_TYPE && s.ECS_CAPACITY_PROVIDER_STRATEGY) {
      ctx.addIssue({
        code: 'custom',
        path: ['ECS_LAUNCH_TYPE'],
        message: 'set ECS_LAUNCH_TYPE or ECS_CAPACITY_PROVIDER_STRATEGY, not both (ECS rejects both)',
      });
    }
    const fargate =
      s.ECS_LAUNCH_TYPE === 'FARGATE' ||
      (!s.ECS_LAUNCH_TYPE && !s.ECS_CAPACITY_PROVIDER_STRATEGY) ||
      (s.ECS_CAPACITY_PROVIDER_STRATEGY ?? []).some((p) => p.capacityProvider.startsWith('FARGATE'));
    if (fargate) {
      for (const tier of s.SIZE_TIERS) {
        const error = fargateSizeError(tier.cpu, tier.memory);
        if (error)
          ctx.addIssue({ code: 'custom', path: ['SIZE_TIERS'], message: `tier "${tier.name}": ${error}` });
      }
    }
    const launches =
      s.MAX_APP_ERRORS + s.MAX_START_FAILURES + s.MAX_INTERRUPTIONS + s.MAX_STUCK + s.SIZE_TIERS.length;
    if (launches > MAX_LAUNCHES_PER_SLIDE) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAX_INTERRUPTIONS'],
        message: `MAX_APP_ERRORS + MAX_START_FAILURES + MAX_INTERRUPTIONS + MAX_STUCK + tiers is ${launches}, more than ${MAX_LAUNCHES_PER_SLIDE} launches per slide: a slide's history must stay bounded`,
      });
    }
    const sizes = s.SIZE_TIERS.map((t) => t.memory);
    if (sizes.some((m, i) => i > 0 && m <= (sizes[i - 1] ?? 0))) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIZE_TIERS'],
        message: 'tiers must grow in memory, smallest first (an OOM relaunch goes one tier up)',
      });
    }
    if (s.PROGRESS_INTERVAL >= s.HEARTBEAT_TIMEOUT || s.ECS_POLL_INTERVAL >= s.HEARTBEAT_TIMEOUT) {
      ctx.addIssue({
        code: 'custom',
        path: ['HEARTBEAT_TIMEOUT'],
        message: 'must be longer than ECS_POLL_INTERVAL and PROGRESS_INTERVAL, or live tasks look dead',
      });
    }
  });

export type RawSettings = z.input<typeof schema>;
type Parsed = z.output<typeof schema>;

export interface Settings {
  slidesTaskQueue: string;
  ecsTaskQueue: string;
  ecs: {
    cluster: string;
    taskDefinition: string;
    /** Task definitions by key suffix (ECS_TASK_DEFINITION_ROUTES); taskDefinition for the rest. */
    taskDefinitionRoutes: TaskDefinitionRoute[];
    containerName: string;
    launchType?: 'FARGATE' | 'EC2' | 'EXTERNAL';
    capacityProviderStrategy?: { capacityProvider: string; weight: number; base: number }[];
    subnets: string[];
    securityGroups: string[];
    assignPublicIp: 'ENABLED' | 'DISABLED';
    platformVersion?: string;
    pollIntervalMs: number;
    /**
     * How long a task we launched (or last saw) may be answered MISSING before it counts as
     * lost: ECS is eventually consistent, and AWS advises backing off up to about five minutes.
     */
    missingGraceMs: number;
    /** Tasks one worker supervises at once: its ecs-tasks activity slots. */
    taskSlots: number | 'auto';
    /** Share of the cluster's registered capacity that `auto` slots may fill. */
    slotHeadroom: number;
    /** Task launches per second across all workers (the task-queue rate limit). */
    launchRatePerSecond: number;
    stopWaitMs: number;
  };
  /** The cluster-wide concurrency budget shared by every worker (the clusterBudget workflow). */
  budget: {
    /** Tasks in flight on the cluster at most: required on Fargate and with capacity providers. */
    maxTasks?: number;
    /** How often the budget re-reads the cluster's capacity and other tenants' tasks. */
    refreshMs: number;
    /** Task queue of the clusterBudget workflows: apart from the slides, so a backlog of slides never delays a grant. */
    taskQueue: string;
    /** Task queue of admitLaunch: launches waiting for a lease. */
    admissionTaskQueue: string;
    /** Launches one worker lets wait for a lease at once (one grant round); the rest of the backlog waits in Temporal. */
    admissionSlots: number;
    /** A task of ours whose workflow run closed this long ago is an orphan, and stopped. */
    orphanGraceMs: number;
    /** Report orphans (log line, metric) without stopping them. */
    orphanDryRun: boolean;
  };
  /** Workflows kept in the worker's cache: bounds its memory however many slides are in flight. */
  workflowCacheSize: number;
  tiers: SizeTier[];
  checkpointUriPrefix: string;
  outputUriPrefix: string;
  /** A folder slide (a DICOM series) starts once nothing under it has changed for this long. */
  folderSettleMs: number;
  policy: SlidePolicy;
  progressIntervalMs: number;
  shutdownGraceMs: number;
  /** Where the worker serves /metrics, /healthz and /readyz; none when unset. */
  metricsAddress?: { host: string; port: number };
  /** Prices for the cost estimate of each slide. */
  prices: FargatePrices;
}

function toSettings(p: Parsed): Settings {
  const launchType = p.ECS_LAUNCH_TYPE ?? (p.ECS_CAPACITY_PROVIDER_STRATEGY ? undefined : 'FARGATE');
  return {
    slidesTaskQueue: p.SLIDES_TASK_QUEUE,
    ecsTaskQueue: p.ECS_TASK_QUEUE,
    ecs: {
      cluster: p.ECS_CLUSTER,
      taskDefinition: p.ECS_TASK_DEFINITION,
      taskDefinitionRoutes: p.ECS_TASK_DEFINITION_ROUTES,
      containerName: p.ECS_CONTAINER_NAME,
      launchType,
      capacityProviderStrategy: p.ECS_CAPACITY_PROVIDER_STRATEGY,
      subnets: p.ECS_SUBNETS,
      securityGroups: p.ECS_SECURITY_GROUPS,
      assignPublicIp: p.ECS_ASSIGN_PUBLIC_IP,
      platformVersion: p.ECS_PLATFORM_VERSION,
      pollIntervalMs: p.ECS_POLL_INTERVAL,
      missingGraceMs: p.ECS_MISSING_GRACE,
      taskSlots: p.ECS_TASK_SLOTS,
      slotHeadroom: p.ECS_SLOT_HEADROOM,
      launchRatePerSecond: p.ECS_LAUNCH_RATE,
      stopWaitMs: p.STOP_WAIT,
    },
    budget: {
      maxTasks: p.ECS_MAX_TASKS,
      refreshMs: p.BUDGET_REFRESH,
      taskQueue: p.BUDGET_TASK_QUEUE,
      admissionTaskQueue: p.ECS_ADMISSION_TASK_QUEUE,
      admissionSlots: p.ADMISSION_SLOTS,
      orphanGraceMs: p.ORPHAN_GRACE,
      orphanDryRun: p.ORPHAN_DRY_RUN,
    },
    workflowCacheSize: p.WORKFLOW_CACHE_SIZE,
    tiers: p.SIZE_TIERS,
    checkpointUriPrefix: p.CHECKPOINT_URI_PREFIX,
    outputUriPrefix: p.OUTPUT_URI_PREFIX,
    folderSettleMs: p.SLIDE_FOLDER_SETTLE,
    policy: {
      maxAppErrors: p.MAX_APP_ERRORS,
      maxStartFailures: p.MAX_START_FAILURES,
      maxInterruptions: p.MAX_INTERRUPTIONS,
      maxStuck: p.MAX_STUCK,
      stuckAfterMs: p.STUCK_AFTER,
      capacityWaitMs: p.CAPACITY_WAIT,
      relaunchBackoffMs: p.RELAUNCH_BACKOFF,
      maxTaskDurationMs: p.MAX_TASK_DURATION,
      heartbeatTimeoutMs: p.HEARTBEAT_TIMEOUT,
      retryInitialIntervalMs: p.RETRY_INITIAL_INTERVAL,
      retryMaxIntervalMs: p.RETRY_MAX_INTERVAL,
      permanentExitCodes: p.PERMANENT_EXIT_CODES,
    },
    progressIntervalMs: p.PROGRESS_INTERVAL,
    shutdownGraceMs: p.WORKER_SHUTDOWN_GRACE,
    metricsAddress: p.METRICS_ADDRESS,
    prices: {
      vcpuHour: p.FARGATE_VCPU_HOUR_PRICE,
      gbHour: p.FARGATE_GB_HOUR_PRICE,
      spotRatio: p.FARGATE_SPOT_PRICE_RATIO,
    },
  };
}

export const SETTING_NAMES = Object.keys(schema.shape) as (keyof RawSettings)[];

/**
 * Reads the settings from `env` and, when WSI_CONFIG_FILE names one, a JSON file whose keys
 * are the same names. Unknown keys in the file are an error (a typo must not be ignored).
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  let fromFile: Record<string, unknown> = {};
  if (env.WSI_CONFIG_FILE) {
    try {
      fromFile = JSON.parse(readFileSync(env.WSI_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new SettingsError(
        `WSI_CONFIG_FILE: cannot read ${env.WSI_CONFIG_FILE}: ${(err as Error).message}`,
      );
    }
    const unknown = Object.keys(fromFile).filter((k) => !(SETTING_NAMES as string[]).includes(k));
    if (unknown.length > 0) {
      throw new SettingsError(`WSI_CONFIG_FILE: unknown setting(s) ${unknown.join(', ')}`);
    }
  }
  const fromEnv = Object.fromEntries(
    SETTING_NAMES.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [
      name,
      env[name],
    ]),
  );
  const parsed = schema.safeParse({ ...fromFile, ...fromEnv });
  if (!parsed.success) {
    throw new SettingsError(formatSettingsError('invalid settings', parsed.error));
  }
  return toSettings(parsed.data);
}
