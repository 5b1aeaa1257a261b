// Counters for tests and benchmarks: calls and their outcomes, launches with timestamps, and
// the most tasks ever in flight (not STOPPED) at once, overall and per cluster.
import type { StopCode } from './config';
import type { CapacityView } from './capacity';
import type { TaskStatus } from './task';

export interface CallCounts {
  calls: number;
  throttled: number;
  /** Answered with an error other than throttling. */
  rejected: number;
}

export interface RunTaskCounts extends CallCounts {
  /** Rejected calls that were EC2-lookup throttles (InvalidParameterException, Rate exceeded). */
  lookupThrottled: number;
  /** Rejected calls past the PROVISIONING quota (ClientException). */
  provisioningQuota: number;
  /** Answered 200 (with or without failures[]). */
  accepted: number;
  /** Accepted calls whose failures[] was not empty (no capacity). */
  withFailures: number;
  /** failures[] entries returned in all. */
  failures: number;
  /** Accepted calls answered from an earlier call with the same clientToken. */
  idempotentReplays: number;
}

export interface ClusterStats extends CapacityView {
  inFlight: number;
  maxInFlight: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  /** Registered container instances (1 unless a capacity provider scales them). */
  containerInstances: number;
  /** With a managed-scaling capacity provider: tasks waiting for room, scale-out/in events. */
  waitingForCapacity?: number;
  scaleOuts?: number;
  scaleIns?: number;
}

export interface LocalEcsStats {
  /** Epoch ms when counting started (server start or last reset). */
  since: number;
  runTask: RunTaskCounts;
  describeTasks: CallCounts;
  stopTask: CallCounts;
  /** Tasks created by RunTask (not counting idempotent replays). */
  tasksLaunched: number;
  /** Epoch ms of each launch, in order. */
  launchTimestamps: number[];
  /** Tasks not yet STOPPED, now and at most. */
  inFlight: number;
  maxInFlight: number;
  /** Known tasks (stopped ones until retention drops them) by lastStatus. */
  tasksByStatus: Record<TaskStatus, number>;
  /** Stopped tasks by stopCode. */
  stopCodes: Partial<Record<StopCode, number>>;
  clusters: Record<string, ClusterStats>;
  /** Per RunTask `startedBy`: tasks not STOPPED now, and the most at once ("one per slide"). */
  startedBy: Record<string, InFlight>;
}

export interface InFlight {
  inFlight: number;
  maxInFlight: number;
}

const calls = (): CallCounts => ({ calls: 0, throttled: 0, rejected: 0 });
const runTaskCalls = (): RunTaskCounts => ({
  ...calls(),
  accepted: 0,
  withFailures: 0,
  failures: 0,
  idempotentReplays: 0,
  lookupThrottled: 0,
  provisioningQuota: 0,
});

export class StatsRecorder {
  since = Date.now();
  runTask = runTaskCalls();
  describeTasks = calls();
  stopTask = calls();
  tasksLaunched = 0;
  launchTimestamps: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  stopCodes: Partial<Record<StopCode, number>> = {};
  private readonly clusterInFlight = new Map<string, { now: number; max: number }>();
  private readonly startedByInFlight = new Map<string, { now: number; max: number }>();

  launched(cluster: string, at: number, startedBy?: string): void {
    this.tasksLaunched += 1;
    this.launchTimestamps.push(at);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    up(this.clusterInFlight, cluster);
    if (startedBy !== undefined) up(this.startedByInFlight, startedBy);
  }

  stopped(cluster: string, stopCode: StopCode | undefined, startedBy?: string): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    down(this.clusterInFlight, cluster);
    if (startedBy !== undefined) down(this.startedByInFlight, startedBy);
    if (stopCode) this.stopCodes[stopCode] = (this.stopCodes[stopCode] ?? 0) + 1;
  }

  clusterInFlightOf(cluster: string): InFlight {
    const c = this.clusterInFlight.get(cluster);
    return { inFlight: c?.now ?? 0, maxInFlight: c?.max ?? 0 };
  }

  startedByInFlightSnapshot(): Record<string, InFlight> {
    const out: Record<string, InFlight> = {};
    for (const [k, c] of this.startedByInFlight) out[k] = { inFlight: c.now, maxInFlight: c.max };
    return out;
  }

  /** Zeroes the counters; the in-flight maxima restart from what is in flight now. */
  reset(): void {
    this.since = Date.now();
    this.runTask = runTaskCalls();
    this.describeTasks = calls();
    this.stopTask = calls();
    this.tasksLaunched = 0;
    this.launchTimestamps = [];
    this.maxInFlight = this.inFlight;
    this.stopCodes = {};
    for (const c of this.clusterInFlight.values()) c.max = c.now;
    // startedBy values with nothing in flight start over; the others keep counting from now.
    for (const [k, c] of this.startedByInFlight) {
      if (c.now === 0) this.startedByInFlight.delete(k);
      else c.max = c.now;
    }
  }
}

type Gauges = Map<string, { now: number; max: number }>;

function up(gauges: Gauges, key: string): void {
  const c = gauges.get(key) ?? { now: 0, max: 0 };
  c.now += 1;
  c.max = Math.max(c.max, c.now);
  gauges.set(key, c);
}

function down(gauges: Gauges, key: string): void {
  const c = gauges.get(key);
  if (c) c.now = Math.max(0, c.now - 1);
}
