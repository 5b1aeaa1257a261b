// The local ECS's state and the ECS actions over it: clusters, task definitions, tasks and
// their lifecycles, capacity, rate limits, clientToken idempotency and faults. HTTP framing
// lives in server.ts; this module speaks parsed requests and JSON-ready answers.
import { clusterArn, clusterNameOf, containerInstanceIdOf, parseTaskRef, type ArnScope } from './arns';
import { ClusterState } from './clusters';
import type { CapacityView } from './capacity';
import type { FaultRule, LocalEcsConfig, StopCode, ThrottlingStorm } from './config';
import { seededRandom } from './random';
import { TaskFaults, type TaskFaultState } from './faults';
import { fingerprint, IdempotencyStore } from './idempotency';
import { STOPPED_REASONS, TaskLifecycle, type LifecycleEnv } from './lifecycle';
import { listTasks } from './list-tasks';
import { ContainerLauncher } from './launcher';
import {
  clientError,
  clusterNotFound,
  EcsError,
  invalidParameter,
  throttled,
  type JsonObject,
} from './protocol';
import { RateLimiter } from './rate-limits';
import type { Clock } from './token-bucket';
import type { ListTasksInput, RegisterTaskDefinitionInput, RunTaskInput } from './requests';
import { checkRunTaskMembers, newTask, planRunTask, type LaunchPlan } from './run-task';
import { StatsRecorder, type LocalEcsStats } from './stats';
import { describeTask, TASK_STATUSES, type TaskRecord, type TaskStatus } from './task';
import { TaskDefinitionRegistry, type TaskDefinitionRecord } from './task-definitions';
import { Timers } from './timers';
import { Ec2LookupThrottler } from './ec2-lookup-throttle';
import { placementFailure } from './placement-failures';
import { isVisible, TaskVisibility } from './visibility';
import { ContentionModel } from './contention';
import type { ContainerInstanceState } from './container-instances';
import { ManagedScalingSimulation } from './managed-scaling';
import { LocalEcsConfigError, type ClusterConfig } from './config';
import { checkTags, CLUSTER_NAME_PATTERN } from './validation';

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class LocalEcsService {
  readonly scope: ArnScope;
  readonly timers = new Timers();
  readonly stats = new StatsRecorder();
  private readonly launcher: ContainerLauncher;
  private readonly rate: RateLimiter;
  private readonly faults: TaskFaults;
  private readonly registry: TaskDefinitionRegistry;
  private readonly clusters = new Map<string, ClusterState>();
  private readonly lifecycles = new Map<string, TaskLifecycle>();
  private readonly idempotency: IdempotencyStore;
  private readonly lifecycleEnv: LifecycleEnv;
  private readonly visibility: TaskVisibility;
  private readonly lookupThrottle: Ec2LookupThrottler;
  /** Draws of ECS's manners (profile.ts), apart from fault and storm draws. */
  private readonly mannerRandom: () => number;
  /** Per cluster, when configured: contention mode, and a managed-scaling capacity provider. */
  private readonly contention = new Map<string, ContentionModel>();
  private readonly scaling = new Map<string, ManagedScalingSimulation>();
  private seq = 0;

  /** `rateLimitClock`: what the token buckets and storms read (a test may move it by hand). */
  constructor(
    readonly config: LocalEcsConfig,
    rateLimitClock: Clock = Date.now,
  ) {
    this.scope = { region: config.region, accountId: config.accountId };
    // Separate generators, so storm draws never shift which tasks a fault rule picks.
    this.faults = new TaskFaults(seededRandom(config.seed));
    this.rate = new RateLimiter(config.rateLimits, seededRandom(config.seed + 1), rateLimitClock);
    this.mannerRandom = seededRandom(config.seed + 2);
    this.visibility = new TaskVisibility(config.visibilityDelay, this.mannerRandom);
    this.lookupThrottle = new Ec2LookupThrottler(config.ec2LookupThrottle, this.mannerRandom);
    this.registry = new TaskDefinitionRegistry(this.scope);
    this.idempotency = new IdempotencyStore(config.retention.clientTokensMs);
    this.launcher = new ContainerLauncher(config, this.timers);
    const contentionRandom = seededRandom(config.seed + 3);
    for (const c of config.clusters) this.addConfiguredCluster(c, contentionRandom);
    this.lifecycleEnv = {
      timers: this.timers,
      timings: config.lifecycle,
      spotWarningMs: config.spotWarningMs,
      launch: (task, container, events) => {
        const runtime = this.launcher.launch(task, container, events);
        // Under contention a container starts at its host's current pace.
        const model = this.contention.get(task.clusterName);
        const instance = this.instanceOf(task);
        if (model && instance) runtime.setSlowdown?.(model.slowdownOn(instance));
        return runtime;
      },
      stopped: (task) => this.taskStopped(task),
    };
    for (const rule of config.faults) this.addFault(rule);
  }

  // ---- clusters -------------------------------------------------------------------------

  private addConfiguredCluster(c: ClusterConfig, contentionRandom: () => number): void {
    const provider = c.capacityProvider;
    const cluster = new ClusterState(
      this.scope,
      c.name,
      provider ? undefined : { cpu: c.cpu ?? 0, memory: c.memory ?? 0 },
      [],
      c.contention?.maxOvercommit ?? 1,
    );
    this.clusters.set(c.name, cluster);
    if (c.contention) {
      this.contention.set(
        c.name,
        new ContentionModel(c.contention, this.timers, contentionRandom, {
          tasksOn: (instance) => this.tasksOn(cluster, instance),
          oomKill: (task) => this.lifecycles.get(task.arn)?.forceOom(),
        }),
      );
    }
    if (provider) {
      cluster.ec2Provider = provider.name;
      this.scaling.set(
        c.name,
        new ManagedScalingSimulation(cluster, provider, this.timers, {
          placed: (task, instance) => {
            this.lifecycles.get(task.arn)?.start();
            this.contention.get(c.name)?.update(instance);
          },
          timedOut: (task, reason) => this.lifecycles.get(task.arn)?.failStart(reason),
        }),
      );
    }
  }

  private tasksOn(cluster: ClusterState, instance: ContainerInstanceState): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const id of instance.taskIds) {
      const t = cluster.tasks.get(id);
      if (t) out.push(t);
    }
    return out;
  }

  private instanceOf(task: TaskRecord): ContainerInstanceState | undefined {
    return task.instanceId !== undefined
      ? this.clusters.get(task.clusterName)?.instances.get(task.instanceId)
      : undefined;
  }

  private clusterFor(ref: string | undefined): ClusterState {
    const cluster = this.clusters.get(clusterNameOf(ref ?? 'default'));
    if (!cluster) throw clusterNotFound();
    return cluster;
  }

  createCluster(input: { clusterName?: string; tags?: { key?: string; value?: string }[] }): JsonObject {
    const name = input.clusterName ?? 'default';
    if (!CLUSTER_NAME_PATTERN.test(name)) {
      throw invalidParameter(
        'Cluster name is invalid: up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
      );
    }
    const tags = checkTags(input.tags);
    let cluster = this.clusters.get(name);
    if (!cluster) {
      cluster = new ClusterState(this.scope, name, this.config.defaultClusterCapacity, tags);
      this.clusters.set(name, cluster);
    }
    return { cluster: cluster.describe(['TAGS', 'SETTINGS']) };
  }

  describeClusters(input: { clusters?: string[]; include?: string[] }): JsonObject {
    const refs = input.clusters && input.clusters.length > 0 ? input.clusters : ['default'];
    if (refs.length > 100) throw invalidParameter('Too many clusters: at most 100 are allowed.');
    const include = input.include ?? [];
    for (const i of include) {
      if (!['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'].includes(i)) {
        throw invalidParameter(`Invalid include value ${i}.`);
      }
    }
    const clusters: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const ref of refs) {
      const name = clusterNameOf(ref);
      const cluster = this.clusters.get(name);
      if (cluster) clusters.push(cluster.describe(include));
      else failures.push({ arn: clusterArn(this.scope, name), reason: 'MISSING' });
    }
    return { clusters, failures };
  }

  listContainerInstances(input: { cluster?: string; status?: string }): JsonObject {
    const cluster = this.clusterFor(input.cluster);
    const statuses = ['ACTIVE', 'DRAINING', 'REGISTERING', 'DEREGISTERING', 'REGISTRATION_FAILED'];
    if (input.status !== undefined && !statuses.includes(input.status)) {
      throw invalidParameter(`Invalid status ${input.status}.`);
    }
    const active = input.status === undefined || input.status === 'ACTIVE';
    return { containerInstanceArns: active ? [...cluster.instances.values()].map((i) => i.arn) : [] };
  }

  describeContainerInstances(input: { cluster?: string; containerInstances?: string[] }): JsonObject {
    const refs = input.containerInstances ?? [];
    if (refs.length === 0) throw invalidParameter('containerInstances can not be empty.');
    if (refs.length > 100) throw invalidParameter('Too many container instances: at most 100 are allowed.');
    const cluster = this.clusterFor(input.cluster);
    const containerInstances: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const ref of refs) {
      const instance = cluster.instances.get(containerInstanceIdOf(ref));
      if (instance) containerInstances.push(instance.describe(cluster.countsOn(instance.id)));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { containerInstances, failures };
  }

  // ---- task definitions ---------------------------------------------------------------

  registerTaskDefinition(input: RegisterTaskDefinitionInput): JsonObject {
    const record = this.registry.register(input);
    return { taskDefinition: record.description, tags: record.tags };
  }

  describeTaskDefinition(input: { taskDefinition?: string; include?: string[] }): JsonObject {
    if (!input.taskDefinition) throw clientError('taskDefinition can not be blank.');
    const record = this.registry.resolve(input.taskDefinition);
    if (!record) throw clientError('Unable to describe task definition.');
    return {
      taskDefinition: record.description,
      ...(input.include?.includes('TAGS') ? { tags: record.tags } : {}),
    };
  }

  // ---- RunTask --------------------------------------------------------------------------

  runTask(input: RunTaskInput): JsonObject {
    this.rate.gate('RunTask');
    if (!input.taskDefinition) throw invalidParameter('taskDefinition can not be blank.');
    const cluster = this.clusterFor(input.cluster);
    const count = checkRunTaskMembers(input);
    const definition = this.registry.resolve(input.taskDefinition);
    if (!definition) throw clientError('TaskDefinition not found.');
    const plan = planRunTask(input, definition, count, cluster.ec2Provider);

    const { clientToken, ...rest } = input;
    const fp = fingerprint({ ...rest, cluster: cluster.name, count });
    const earlier = clientToken !== undefined ? this.idempotency.get(clientToken) : undefined;
    if (earlier) {
      if (earlier.fingerprint !== fp) {
        throw new EcsError(
          'ConflictException',
          'The specified client token has already been used in a RunTask request with different parameters.',
        );
      }
      this.stats.runTask.accepted += 1;
      this.stats.runTask.idempotentReplays += 1;
      return { tasks: earlier.tasks.map((t) => describeTask(t, true)), failures: [] };
    }
    if (!this.rate.launchesAvailable(count)) throw throttled();
    const quota = this.config.provisioningQuota;
    if (quota !== false && cluster.provisioningCount() + count > quota) {
      this.stats.runTask.provisioningQuota += 1;
      throw new EcsError('ClientException', 'Tasks provisioning capacity limit exceeded.');
    }
    try {
      this.lookupThrottle.check(plan.subnetId);
    } catch (err) {
      this.stats.runTask.lookupThrottled += 1;
      throw err;
    }

    const tasks: TaskRecord[] = [];
    const failures: JsonObject[] = [];
    // Through a managed-scaling provider a task never fails for room: it waits (behind any
    // task already waiting) in PROVISIONING.
    const scaler =
      plan.capacityProviderName !== undefined && plan.capacityProviderName === cluster.ec2Provider
        ? this.scaling.get(cluster.name)
        : undefined;
    const waiting: TaskRecord[] = [];
    const touched = new Set<ContainerInstanceState>();
    for (let i = 0; i < count; i += 1) {
      const placed =
        scaler?.hasWaiting || waiting.length > 0
          ? 'RESOURCE:CPU'
          : cluster.place(plan.reservedCpu, plan.reservedMemory);
      if (typeof placed !== 'string') {
        const task = this.addTask(cluster, definition, input, plan);
        cluster.attach(task, placed);
        touched.add(placed);
        tasks.push(task);
      } else if (scaler) {
        const task = this.addTask(cluster, definition, input, plan);
        waiting.push(task);
        tasks.push(task);
      } else {
        failures.push(
          placementFailure(
            placed,
            plan.launchType,
            cluster.failureArn,
            this.config.fargateCapacityMessage ?? false,
          ),
        );
      }
    }
    this.rate.takeLaunches(tasks.length);
    // A call that placed nothing is not remembered, so a retry with its token can launch later.
    if (clientToken !== undefined && tasks.length > 0) this.idempotency.put(clientToken, fp, tasks);
    this.stats.runTask.accepted += 1;
    if (failures.length > 0) {
      this.stats.runTask.withFailures += 1;
      this.stats.runTask.failures += failures.length;
    }
    for (const t of tasks) if (!waiting.includes(t)) this.lifecycles.get(t.arn)?.start();
    for (const t of waiting) scaler?.enqueue(t);
    for (const instance of touched) {
      this.contention.get(cluster.name)?.update(instance);
      this.scaling.get(cluster.name)?.watchIdle(instance);
    }
    return { tasks: tasks.map((t) => describeTask(t, true)), failures };
  }

  private addTask(
    cluster: ClusterState,
    definition: TaskDefinitionRecord,
    input: RunTaskInput,
    plan: LaunchPlan,
  ): TaskRecord {
    const task = newTask({
      scope: this.scope,
      cluster,
      definition,
      input,
      plan,
      seq: ++this.seq,
      defaultStopTimeoutSeconds: this.config.defaultStopTimeoutSeconds,
    });
    task.fault = this.faults.pick({
      cluster: cluster.name,
      family: definition.family,
      startedBy: task.startedBy,
      launchType: task.launchType,
      taskMemory: task.reservedMemory,
      environments: task.containers.map((c) => c.environment),
    });
    task.visibleFrom = this.visibility.visibleFrom(task.createdAt);
    task.emptyContainersWhileWaiting = this.config.waitingEmptyContainers ?? false;
    task.emptyContainersIfFailedToStart =
      task.fault?.type === 'failToStart' && task.fault.emptyContainers
        ? true
        : this.drawn(this.config.failedStartEmptyContainers);
    cluster.tasks.set(task.id, task);
    this.lifecycles.set(task.arn, new TaskLifecycle(task, this.lifecycleEnv));
    this.stats.launched(cluster.name, task.createdAt, task.startedBy);
    return task;
  }

  private drawn(probability: number | undefined): boolean {
    return probability !== undefined && probability > 0 && this.mannerRandom() < probability;
  }

  logFileOf(task: Pick<TaskRecord, 'clusterName' | 'id'>): string {
    return this.launcher.logFileOf(task);
  }

  private taskStopped(task: TaskRecord): void {
    const cluster = this.clusters.get(task.clusterName);
    const instance = cluster?.release(task);
    const scaler = this.scaling.get(task.clusterName);
    scaler?.forget(task);
    if (instance) {
      this.contention.get(task.clusterName)?.update(instance);
      scaler?.watchIdle(instance);
    }
    scaler?.drain();
    this.stats.stopped(task.clusterName, task.stopCode, task.startedBy);
    this.timers.after(this.config.retention.stoppedTasksMs, () => {
      cluster?.tasks.delete(task.id);
      this.lifecycles.delete(task.arn);
    });
  }

  // ---- DescribeTasks, StopTask, ListTasks ----------------------------------------------

  private findTask(cluster: ClusterState, ref: string): TaskRecord | undefined {
    const parsed = parseTaskRef(ref);
    if (parsed.cluster !== undefined && parsed.cluster !== cluster.name) return undefined;
    return cluster.tasks.get(parsed.id);
  }

  describeTasks(input: { cluster?: string; tasks?: string[]; include?: string[] }): JsonObject {
    this.rate.gate('DescribeTasks');
    const refs = input.tasks ?? [];
    if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
    if (refs.length > 100) throw invalidParameter('Too many tasks were provided: at most 100 are allowed.');
    for (const i of input.include ?? []) {
      if (i !== 'TAGS') throw invalidParameter(`Invalid include value ${i}.`);
    }
    const includeTags = input.include?.includes('TAGS') ?? false;
    const cluster = this.clusterFor(input.cluster);
    const tasks: JsonObject[] = [];
    const failures: JsonObject[] = [];
    const seen = new Set<string>();
    for (const ref of refs) {
      const task = this.findTask(cluster, ref);
      if (!task || !isVisible(task)) failures.push({ arn: ref, reason: 'MISSING' });
      else if (!seen.has(task.arn)) {
        seen.add(task.arn);
        tasks.push(describeTask(task, includeTags));
      }
    }
    return { tasks, failures };
  }

  stopTask(input: { cluster?: string; task?: string; reason?: string }): JsonObject {
    if (!input.task) throw invalidParameter('task can not be blank.');
    const cluster = this.clusterFor(input.cluster);
    const task = this.findTask(cluster, input.task);
    // Like DescribeTasks and ListTasks, StopTask does not see a task that is not visible yet.
    if (!task || !isVisible(task)) throw invalidParameter('The referenced task was not found.');
    this.lifecycles.get(task.arn)?.requestStop({
      stopCode: 'UserInitiated',
      reason: input.reason ?? STOPPED_REASONS.UserInitiated,
    });
    return { task: describeTask(task, false) };
  }

  listTasks(input: ListTasksInput): JsonObject {
    return listTasks(this.clusterFor(input.cluster), input);
  }

  // ---- admin ----------------------------------------------------------------------------

  /**
   * Where a task's processes wrote their output. Logs outlive the task's record, as CloudWatch
   * logs outlive ECS's memory of a stopped task: a forgotten task's ARN still names its file.
   */
  logFileOfRef(ref: string, clusterName?: string): string {
    try {
      return this.logFileOf(this.taskByRef(ref, clusterName));
    } catch (err) {
      const parsed = parseTaskRef(ref);
      const name = parsed.cluster ?? clusterName;
      if (!(err instanceof NotFoundError) || name === undefined) throw err;
      return this.logFileOf({ clusterName: clusterNameOf(name), id: parsed.id });
    }
  }

  /** A task by ARN, or by id (searched in `cluster`, else in every cluster). */
  taskByRef(ref: string, clusterName?: string): TaskRecord {
    const parsed = parseTaskRef(ref);
    const name = parsed.cluster ?? clusterName;
    const candidates =
      name !== undefined ? [this.clusters.get(clusterNameOf(name))] : [...this.clusters.values()];
    for (const c of candidates) {
      const t = c?.tasks.get(parsed.id);
      if (t) return t;
    }
    throw new NotFoundError(`no task ${ref}`);
  }

  private lifecycleOf(ref: string, clusterName?: string): TaskLifecycle {
    const task = this.taskByRef(ref, clusterName);
    const lifecycle = this.lifecycles.get(task.arn);
    if (!lifecycle) throw new NotFoundError(`no task ${ref}`);
    return lifecycle;
  }

  describeTaskByRef(ref: string, clusterName?: string): JsonObject {
    return describeTask(this.taskByRef(ref, clusterName), true);
  }

  interruptTask(ref: string, opts: { cluster?: string; warningMs?: number } = {}): boolean {
    return this.lifecycleOf(ref, opts.cluster).interrupt(opts.warningMs);
  }

  oomKillTask(ref: string, opts: { cluster?: string } = {}): boolean {
    return this.lifecycleOf(ref, opts.cluster).forceOom();
  }

  stopTaskWithCode(
    ref: string,
    stopCode: StopCode,
    opts: { cluster?: string; reason?: string; killAfterMs?: number } = {},
  ): boolean {
    if (stopCode === 'TaskFailedToStart') return this.failTaskStart(ref, opts);
    return this.lifecycleOf(ref, opts.cluster).requestStop({
      stopCode,
      reason: opts.reason ?? STOPPED_REASONS[stopCode],
      killAfterMs: opts.killAfterMs,
    });
  }

  failTaskStart(ref: string, opts: { cluster?: string; reason?: string } = {}): boolean {
    return this.lifecycleOf(ref, opts.cluster).failStart(opts.reason);
  }

  clusterCapacity(name: string): CapacityView {
    const cluster = this.clusters.get(clusterNameOf(name));
    if (!cluster) throw new NotFoundError(`no cluster ${name}`);
    return cluster.capacityView();
  }

  /** Resizes a cluster: running tasks keep running, later launches see the new capacity. */
  setClusterCapacity(name: string, change: { cpu?: number; memory?: number }): CapacityView {
    const cluster = this.clusters.get(clusterNameOf(name));
    if (!cluster) throw new NotFoundError(`no cluster ${name}`);
    if (cluster.ec2Provider !== undefined) {
      throw new LocalEcsConfigError(
        `cluster ${cluster.name} has capacity provider ${cluster.ec2Provider}: its instances set its capacity`,
      );
    }
    cluster.resize(change);
    return cluster.capacityView();
  }

  /** Task faults apply to later launches; storms and capacity changes are timed from now. */
  addFault(rule: FaultRule): void {
    if (rule.type === 'throttlingStorm') this.throttle(rule);
    else if (rule.type === 'capacity') {
      // Refused now, not when the timer fires: a fault that can never apply is the caller's mistake.
      const cluster = this.clusters.get(clusterNameOf(rule.cluster));
      if (cluster?.ec2Provider !== undefined) {
        throw new LocalEcsConfigError(
          `capacity fault: cluster ${cluster.name} has capacity provider ${cluster.ec2Provider}: its instances set its capacity`,
        );
      }
      this.timers.after(rule.atMs, () => {
        if (this.clusters.has(rule.cluster)) this.setClusterCapacity(rule.cluster, rule);
        else console.warn(`[local-ecs] capacity fault: no cluster ${rule.cluster}`);
      });
    } else this.faults.add(rule);
  }

  throttle(storm: ThrottlingStorm): void {
    this.rate.addStorm(storm);
  }

  faultRules(): TaskFaultState[] {
    return this.faults.list();
  }

  clearFaults(): void {
    this.faults.clear();
    this.rate.clearStorms();
  }

  taskSummaries(filter: { cluster?: string; status?: string } = {}): JsonObject[] {
    const out: JsonObject[] = [];
    for (const cluster of this.clusters.values()) {
      if (filter.cluster !== undefined && cluster.name !== filter.cluster) continue;
      for (const t of cluster.tasks.values()) {
        if (filter.status !== undefined && t.lastStatus !== filter.status) continue;
        out.push({
          taskArn: t.arn,
          cluster: t.clusterName,
          family: t.definition.family,
          startedBy: t.startedBy,
          lastStatus: t.lastStatus,
          desiredStatus: t.desiredStatus,
          stopCode: t.stopCode,
          exitCodes: t.containers.map((c) => c.exitCode ?? null),
          fault: t.fault?.type,
          logFile: t.containers.some((c) => !c.spec.simulated) ? this.logFileOf(t) : undefined,
        });
      }
    }
    return out;
  }

  snapshotStats(): LocalEcsStats {
    const tasksByStatus = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
    const clusters: LocalEcsStats['clusters'] = {};
    for (const cluster of this.clusters.values()) {
      for (const t of cluster.tasks.values()) tasksByStatus[t.lastStatus] += 1;
      const { running, pending } = cluster.counts();
      clusters[cluster.name] = {
        ...cluster.capacityView(),
        ...this.stats.clusterInFlightOf(cluster.name),
        containerInstances: cluster.instances.size,
        ...this.scaling.get(cluster.name)?.counts(),
        runningTasksCount: running,
        pendingTasksCount: pending,
      };
    }
    const s = this.stats;
    return {
      since: s.since,
      runTask: { ...s.runTask },
      describeTasks: { ...s.describeTasks },
      stopTask: { ...s.stopTask },
      tasksLaunched: s.tasksLaunched,
      launchTimestamps: [...s.launchTimestamps],
      inFlight: s.inFlight,
      maxInFlight: s.maxInFlight,
      tasksByStatus,
      stopCodes: { ...s.stopCodes },
      clusters,
      startedBy: s.startedByInFlightSnapshot(),
    };
  }

  /** Kills every task process and cancels every timer. */
  async close(): Promise<void> {
    this.launcher.close();
    const all = [...this.lifecycles.values()];
    this.timers.close();
    await Promise.all(all.map((l) => l.destroy()));
  }

  /** Synchronous SIGKILL of every task process group (the host process is exiting). */
  killAllNow(): void {
    for (const l of this.lifecycles.values()) {
      for (const c of l.task.containers) {
        c.runtime?.killNow?.();
      }
    }
  }
}
