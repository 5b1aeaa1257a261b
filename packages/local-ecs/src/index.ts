// The local ECS: an HTTP endpoint speaking ECS's JSON protocol, for the real
// @aws-sdk/client-ecs (AWS_ENDPOINT_URL_ECS), that runs each task's container as a local
// process (or a simulated one) with ECS's capacity, rate limits, lifecycle and faults.
import type { CapacityView } from './capacity';
import {
  parseFaultRule,
  parseLocalEcsConfig,
  throttlingStormSchema,
  type FaultRuleInput,
  type LocalEcsConfig,
  type LocalEcsConfigInput,
  type StopCode,
  type ThrottlingStormInput,
} from './config';
import type { TaskFaultState } from './faults';
import type { JsonObject } from './protocol';
import { listen } from './server';
import { LocalEcsService } from './service';
import type { LocalEcsStats } from './stats';
import type { Clock } from './token-bucket';

export type {
  LocalEcsConfig,
  LocalEcsConfigInput,
  FaultRuleInput,
  StopCode,
  ThrottlingStormInput,
} from './config';
export type { LocalEcsStats, ClusterStats, CallCounts, RunTaskCounts } from './stats';
export type { CapacityView } from './capacity';
export type { TaskStatus } from './task';
export {
  loadLocalEcsConfigFile,
  localEcsConfigJsonSchema,
  parseLocalEcsConfig,
  LocalEcsConfigError,
  ECS_DEFAULT_RATE_LIMITS,
} from './config';
export { SIMULATED_LABEL } from './task-definitions';
export { seededRandom } from './random';
export { SIM_ENV } from './simulated';
export { CAPACITY_STATISTICS } from './clusters';
export { ADMIN_PREFIX, ADMIN_ROUTES } from './admin';

/**
 * What only code can pass (a config file cannot). `rateLimitClock` is the clock, in
 * milliseconds, that ECS's token buckets and throttling storms read: a test that moves it by
 * hand checks a refill or a storm's schedule exactly, however slow the machine is. Task
 * lifecycles keep real time.
 */
export interface LocalEcsHooks {
  readonly rateLimitClock?: Clock;
}
export type { Clock } from './token-bucket';

/** Config (validated like the JSON file). `port` 0 or omitted picks a free port. */
export type LocalEcsOptions = LocalEcsConfigInput;

export interface LocalEcs {
  /** e.g. http://127.0.0.1:4566, for AWS_ENDPOINT_URL_ECS. */
  readonly endpoint: string;
  readonly port: number;
  readonly config: LocalEcsConfig;
  /** Stops the HTTP server, kills every task process (whole process groups), cancels timers. */
  close(): Promise<void>;
  stats(): LocalEcsStats;
  resetStats(): LocalEcsStats;
  clusterCapacity(cluster: string): CapacityView;
  /** Running tasks keep running; later launches see the new capacity. */
  setClusterCapacity(cluster: string, change: { cpu?: number; memory?: number }): CapacityView;
  /** Tasks by ARN, or by id plus `cluster`. Each returns whether the task changed. */
  interruptTask(task: string, opts?: { cluster?: string; warningMs?: number }): boolean;
  oomKillTask(task: string, opts?: { cluster?: string }): boolean;
  stopTaskWithCode(
    task: string,
    stopCode: StopCode,
    opts?: { cluster?: string; reason?: string; killAfterMs?: number },
  ): boolean;
  failTaskStart(task: string, opts?: { cluster?: string; reason?: string }): boolean;
  /** The task as DescribeTasks shows it (tags included). */
  describeTask(task: string, cluster?: string): JsonObject;
  /** Where a task's processes write stdout and stderr; still known once the task is forgotten. */
  logFile(task: string, cluster?: string): string;
  /** Task faults apply to later launches; storms and capacity changes are timed from now. */
  addFaultRule(rule: FaultRuleInput): void;
  faultRules(): TaskFaultState[];
  /** Removes task fault rules and throttling storms. */
  clearFaultRules(): void;
  throttle(storm: Omit<ThrottlingStormInput, 'type'>): void;
}

export async function startLocalEcs(
  options: LocalEcsOptions = {},
  hooks: LocalEcsHooks = {},
): Promise<LocalEcs> {
  const config = parseLocalEcsConfig(options, 'local ECS options');
  const service = new LocalEcsService(config, hooks.rateLimitClock);
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(service, config.host, config.port);
  } catch (err) {
    await service.close();
    throw err;
  }
  // Task processes run in their own process groups and would outlive a crashed host.
  const onExit = () => service.killAllNow();
  process.on('exit', onExit);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${listening.port}`,
    port: listening.port,
    config,
    close() {
      closing ??= (async () => {
        process.off('exit', onExit);
        await Promise.all([listening.close(), service.close()]);
      })();
      return closing;
    },
    stats: () => service.snapshotStats(),
    resetStats: () => {
      service.stats.reset();
      return service.snapshotStats();
    },
    clusterCapacity: (cluster) => service.clusterCapacity(cluster),
    setClusterCapacity: (cluster, change) => service.setClusterCapacity(cluster, change),
    interruptTask: (task, opts) => service.interruptTask(task, opts),
    oomKillTask: (task, opts) => service.oomKillTask(task, opts),
    stopTaskWithCode: (task, stopCode, opts) => service.stopTaskWithCode(task, stopCode, opts),
    failTaskStart: (task, opts) => service.failTaskStart(task, opts),
    describeTask: (task, cluster) => service.describeTaskByRef(task, cluster),
    logFile: (task, cluster) => service.logFileOfRef(task, cluster),
    addFaultRule: (rule) => service.addFault(parseFaultRule(rule)),
    faultRules: () => service.faultRules(),
    clearFaultRules: () => service.clearFaults(),
    throttle: (storm) => service.throttle(throttlingStormSchema.parse({ ...storm, type: 'throttlingStorm' })),
  };
}
