// The worker: one process runs four task queues. `slides` runs the processSlide workflows
// (and their local activities), `cluster-budget` the clusterBudget workflows; `ecs-admission`
// runs admitLaunch, where up to ADMISSION_SLOTS launches per worker wait, in one grant round,
// for the cluster budget to grant leases (the budget, one per cluster, is what bounds the
// tasks in flight across all workers); `ecs-tasks` runs runEcsTask
// with a slot limit (tasks this worker supervises at once) and a task-queue rate limit
// (launches per second, enforced by the Temporal server across all workers). SIGINT/SIGTERM drain it: polling stops, running
// activities heartbeat their task and end, and the tasks keep running on ECS until a
// retried activity, on this worker after a restart or on another, reattaches to them.
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createEcsClient, createS3Client } from './aws/clients';
import {
  createAdmissionActivities,
  createBudgetActivities,
  createEcsActivities,
  createSlideActivities,
} from './activities';
import type { EcsActivities } from './activities/api';
import type { LeaseReleaser, TaskUpdateReporter } from './activities/run-ecs-task';
import { budgetWorkflowId, releaseSignal } from './workflows/budget-definitions';
import { loadSettings, SettingsError, type Settings } from './settings/settings';
import { AdmissionGates } from './budget/admission-gate';
import { ensureClusterBudget } from './budget/budget-client';
import { budgetLimits, deriveTaskSlots, NoClusterCapacityError, registeredCapacity } from './ecs/capacity';
import { TaskStatusPoller } from './ecs/poller';
import { connectClient, connectWorkerConnection, temporalTarget } from './temporal/connection';
import { prebuiltWorkflowBundle } from './temporal/workflow-bundle';
import { taskUpdateSignal } from './workflows/definitions';
import { refreshBudgetGauges } from './metrics/budget-gauges';
import { createProjectMetrics, type ProjectMetrics } from './metrics/registry';
import { installRuntimeWithMetrics } from './metrics/sdk-runtime';
import { startMetricsServer, type MetricsServer, type Readiness } from './metrics/server';
import { slideMetricsSinks } from './metrics/slide-sinks';
import { WaitingLaunches } from './metrics/waiting-launches';

export interface SlideWorkerOptions {
  settings: Settings;
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  ecs?: ECSClient;
  s3?: S3Client;
  /** A prebuilt workflow bundle (tests build it once); else dist's (compiled code) or src/workflows bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  log?: (message: string) => void;
  /** The project's metrics (one registry per process); new ones when omitted. */
  metrics?: ProjectMetrics;
}

export interface SlideWorkers {
  /** Activity slots of the ecs-tasks worker: the ECS tasks this process supervises at once. */
  taskSlots: number;
  poller: TaskStatusPoller;
  metrics: ProjectMetrics;
  /** Ready: every worker polls (RUNNING) and Temporal answers. */
  readiness(): Promise<Readiness>;
  /** Brings the pulled metrics (budget, waiting launches) up to date: call before a scrape. */
  refreshMetrics(): Promise<void>;
  /** Runs until shutdown() or a signal; resolves when both workers have drained. */
  run(): Promise<void>;
  shutdown(): void;
}

function signalReporter(client: Client): TaskUpdateReporter {
  return async ({ workflowId, runId }, update) => {
    await client.workflow.getHandle(workflowId, runId).signal(taskUpdateSignal, update);
  };
}

function leaseReleaser(client: Client): LeaseReleaser {
  return async (cluster, lease) => {
    await client.workflow.getHandle(budgetWorkflowId(cluster)).signal(releaseSignal, lease);
  };
}

/** Fails at start, naming the setting, when the cluster's budget cannot be worked out. */
async function checkBudgetCanBeRead(ecs: ECSClient, settings: Settings): Promise<void> {
  const { cluster, slotHeadroom, capacityProviderStrategy } = settings.ecs;
  try {
    budgetLimits(
      {
        cluster,
        headroom: slotHeadroom,
        maxTasks: settings.budget.maxTasks,
        scalesWithDemand: capacityProviderStrategy !== undefined,
      },
      await registeredCapacity(ecs, cluster),
      [],
      () => false,
      Date.now(),
    );
  } catch (err) {
    if (err instanceof NoClusterCapacityError) throw new SettingsError(err.message);
    throw err;
  }
}

export async function createWorkers(opts: SlideWorkerOptions): Promise<SlideWorkers> {
  const { settings } = opts;
  const log = opts.log ?? ((m: string) => console.log(m));
  const ecs = opts.ecs ?? createEcsClient();
  const s3 = opts.s3 ?? createS3Client();
  const poller = new TaskStatusPoller(ecs, {
    intervalMs: settings.ecs.pollIntervalMs,
    maxIntervalMs: Math.max(settings.ecs.pollIntervalMs, settings.policy.heartbeatTimeoutMs / 2),
    log,
  });
  const firstTier = settings.tiers[0];
  if (!firstTier) throw new SettingsError('SIZE_TIERS: at least one tier is needed');
  await checkBudgetCanBeRead(ecs, settings);
  const taskSlots =
    settings.ecs.taskSlots === 'auto'
      ? await deriveTaskSlots(ecs, settings.ecs.cluster, firstTier, settings.ecs.slotHeadroom)
      : settings.ecs.taskSlots;

  const metrics = opts.metrics ?? createProjectMetrics();
  const waiting = new WaitingLaunches();
  const common = {
    connection: opts.connection,
    namespace: opts.namespace,
    shutdownGraceTime: settings.shutdownGraceMs,
    shutdownForceTime: settings.shutdownGraceMs + 10_000,
  };
  // One bundle for both workflow workers: prebuilt by `npm run build`, else bundled once here.
  const workflowBundle =
    opts.workflowBundle ??
    prebuiltWorkflowBundle() ??
    (await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows') }));
  const slidesWorker = await Worker.create({
    ...common,
    taskQueue: settings.slidesTaskQueue,
    workflowBundle,
    activities: createSlideActivities({ ecs, s3, poller, settings, client: opts.client }),
    sinks: slideMetricsSinks(metrics),
    // Waiting slides are evicted and replayed when they move on: memory stays bounded.
    maxCachedWorkflows: settings.workflowCacheSize,
  });
  // The cluster budgets on a queue of their own: a backlog of thousands of slides on
  // `slides` never delays a grant or a release.
  // Zero from the start, so the first orphan is an increase Prometheus can see.
  for (const action of ['stopped', 'reported', 'failed'])
    metrics.orphanTasks.inc({ cluster: settings.ecs.cluster, action }, 0);
  const budgetWorker = await Worker.create({
    ...common,
    taskQueue: settings.budget.taskQueue,
    workflowBundle,
    activities: createBudgetActivities({
      ecs,
      client: opts.client,
      settings,
      onOrphan: (o) => metrics.orphanTasks.inc({ cluster: o.cluster, action: o.action }),
    }),
    maxCachedWorkflows: 10,
  });
  const admissionWorker = await Worker.create({
    ...common,
    taskQueue: settings.budget.admissionTaskQueue,
    activities: createAdmissionActivities({ gates: new AdmissionGates(opts.client, settings), waiting }),
    maxConcurrentActivityTaskExecutions: settings.budget.admissionSlots,
  });
  const ecsWorker = await Worker.create({
    ...common,
    taskQueue: settings.ecsTaskQueue,
    activities: supervisedCounted(
      createEcsActivities({
        ecs,
        s3,
        poller,
        settings,
        report: signalReporter(opts.client),
        releaseLease: leaseReleaser(opts.client),
        observeRunTask: ({ result, reasons }) => {
          metrics.runTaskCalls.inc({ result });
          for (const reason of reasons) metrics.runTaskFailures.inc({ reason });
        },
      }),
      metrics,
    ),
    maxConcurrentActivityTaskExecutions: taskSlots,
    maxTaskQueueActivitiesPerSecond: settings.ecs.launchRatePerSecond,
    // Progress lives in the heartbeat details (the workflow hears little): send them to the
    // server every PROGRESS_INTERVAL, not the SDK's default of 80% of the heartbeat timeout.
    maxHeartbeatThrottleInterval: settings.progressIntervalMs,
  });

  const workers = [slidesWorker, budgetWorker, admissionWorker, ecsWorker];
  return {
    taskSlots,
    poller,
    metrics,
    async readiness() {
      const states = workers.map((w) => w.getState());
      if (states.some((s) => s !== 'RUNNING')) return { ready: false, why: `workers ${states.join(', ')}` };
      try {
        await opts.client.withDeadline(Date.now() + 3_000, () =>
          opts.client.workflowService.getSystemInfo({}),
        );
      } catch (err) {
        return { ready: false, why: `Temporal does not answer: ${(err as Error).message}` };
      }
      return { ready: true, why: 'ready: workers polling, Temporal answers' };
    },
    async refreshMetrics() {
      metrics.admissionOldestWait.reset();
      for (const [cluster, seconds] of waiting.oldestWaitSeconds()) {
        metrics.admissionOldestWait.set({ cluster }, seconds);
      }
      await refreshBudgetGauges(
        metrics,
        opts.client,
        [settings.ecs.cluster],
        settings.budget.admissionTaskQueue,
      );
    },
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        poller.close();
      }
    },
    shutdown() {
      for (const w of workers) {
        if (w.getState() === 'RUNNING') w.shutdown();
      }
    },
  };
}

/** Counts the ECS tasks this worker supervises now (its running runEcsTask activities). */
function supervisedCounted(activities: EcsActivities, metrics: ProjectMetrics): EcsActivities {
  return {
    runEcsTask: async (input) => {
      metrics.tasksSupervised.inc();
      try {
        return await activities.runEcsTask(input);
      } finally {
        metrics.tasksSupervised.dec();
      }
    },
  };
}

/** Serves /metrics, /healthz and /readyz for these workers on `settings.metricsAddress`. */
export async function serveWorkerMetrics(
  workers: SlideWorkers,
  settings: Settings,
  extra: { sdkMetricsUrl?: string; beforeScrape?: () => Promise<void> } = {},
): Promise<MetricsServer | undefined> {
  if (!settings.metricsAddress) return undefined;
  return startMetricsServer({
    ...settings.metricsAddress,
    registry: workers.metrics.registry,
    sdkMetricsUrl: extra.sdkMetricsUrl,
    beforeScrape: async () => {
      await workers.refreshMetrics();
      await extra.beforeScrape?.();
    },
    readiness: () => workers.readiness(),
  });
}

/** `slides worker`: settings from the environment, connections, both workers, until a signal. */
export async function runWorkerMain(): Promise<void> {
  const settings = loadSettings();
  // Before any connection: the Runtime carries the SDK's metrics exporter.
  const sdkMetricsUrl = settings.metricsAddress ? await installRuntimeWithMetrics() : undefined;
  const target = temporalTarget();
  const connection = await connectWorkerConnection(target);
  const client = await connectClient(target);
  const workers = await createWorkers({ settings, connection, client, namespace: target.namespace });
  const runWorkers = workers.run();
  const metricsServer = await serveWorkerMetrics(workers, settings, { sdkMetricsUrl });
  if (metricsServer) console.log(`worker: metrics, /healthz and /readyz on ${metricsServer.url}`);
  // Not awaited before the workers run: a SIGTERM during start-up must not wait on a budget
  // query that no worker (shutting down) will answer.
  const budgetLine = ensureClusterBudget(client, settings).then(
    (line) => console.log(`worker: ${line}`),
    (err: unknown) =>
      console.log(
        `worker: the budget was not read at start (${(err as Error).message}); the worker runs on, ` +
          '`slides capacity` shows the budget once it answers',
      ),
  );
  console.log(
    `worker: ${target.connectionOptions.address} namespace ${target.namespace}; queues ${settings.slidesTaskQueue}, ` +
      `${settings.ecsTaskQueue} (${workers.taskSlots} task slots, ${settings.ecs.launchRatePerSecond} launches/s); ` +
      `cluster ${settings.ecs.cluster}`,
  );
  await runWorkers;
  await budgetLine;
  await metricsServer?.close();
  await client.connection.close();
  await connection.close();
}

if (require.main === module) {
  runWorkerMain().catch((err: unknown) => {
    console.error(err instanceof SettingsError ? err.message : err);
    process.exit(1);
  });
}
