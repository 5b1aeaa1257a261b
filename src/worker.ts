// The worker: one process runs three task queues. `slides` runs the processSlide and
// clusterBudget workflows (and their local activities); `ecs-admission` runs admitLaunch, where
// a few launches per worker wait for the cluster budget to grant a lease (the budget, one per
// cluster, is what bounds the tasks in flight across all workers); `ecs-tasks` runs runEcsTask
// with a slot limit (tasks this worker supervises at once) and a task-queue rate limit
// (launches per second, enforced by the Temporal server across all workers). SIGINT/SIGTERM drain it: polling stops, running
// activities heartbeat their task and end, and the tasks keep running on ECS until a
// retried activity, on this worker after a restart or on another, reattaches to them.
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createEcsClient, createS3Client } from './aws/clients';
import { createAdmissionActivities, createEcsActivities, createSlideActivities } from './activities';
import type { TaskUpdateReporter } from './activities/run-ecs-task';
import { loadSettings, SettingsError, type Settings } from './config/settings';
import { ensureClusterBudget } from './budget/budget-client';
import { budgetLimits, deriveTaskSlots, NoClusterCapacityError, registeredCapacity } from './ecs/capacity';
import { TaskStatusPoller } from './ecs/poller';
import { connectClient, connectWorkerConnection, temporalTarget } from './temporal/connection';
import { prebuiltWorkflowBundle } from './temporal/workflow-bundle';
import { taskUpdateSignal } from './workflows/definitions';

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
}

export interface SlideWorkers {
  /** Activity slots of the ecs-tasks worker: the ECS tasks this process supervises at once. */
  taskSlots: number;
  poller: TaskStatusPoller;
  /** Runs until shutdown() or a signal; resolves when both workers have drained. */
  run(): Promise<void>;
  shutdown(): void;
}

function signalReporter(client: Client): TaskUpdateReporter {
  return async ({ workflowId, runId }, update) => {
    await client.workflow.getHandle(workflowId, runId).signal(taskUpdateSignal, update);
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

  const common = {
    connection: opts.connection,
    namespace: opts.namespace,
    shutdownGraceTime: settings.shutdownGraceMs,
    shutdownForceTime: settings.shutdownGraceMs + 10_000,
  };
  const workflowBundle = opts.workflowBundle ?? prebuiltWorkflowBundle();
  const slidesWorker = await Worker.create({
    ...common,
    taskQueue: settings.slidesTaskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createSlideActivities({ ecs, s3, poller, settings, client: opts.client }),
    // Waiting slides are evicted and replayed when they move on: memory stays bounded.
    maxCachedWorkflows: settings.workflowCacheSize,
  });
  const admissionWorker = await Worker.create({
    ...common,
    taskQueue: settings.budget.admissionTaskQueue,
    activities: createAdmissionActivities({ client: opts.client, settings }),
    maxConcurrentActivityTaskExecutions: settings.budget.admissionSlots,
  });
  const ecsWorker = await Worker.create({
    ...common,
    taskQueue: settings.ecsTaskQueue,
    activities: createEcsActivities({ ecs, s3, poller, settings, report: signalReporter(opts.client) }),
    maxConcurrentActivityTaskExecutions: taskSlots,
    maxTaskQueueActivitiesPerSecond: settings.ecs.launchRatePerSecond,
  });

  return {
    taskSlots,
    poller,
    async run() {
      try {
        await Promise.all([slidesWorker.run(), admissionWorker.run(), ecsWorker.run()]);
      } finally {
        poller.close();
      }
    },
    shutdown() {
      for (const w of [slidesWorker, admissionWorker, ecsWorker]) {
        if (w.getState() === 'RUNNING') w.shutdown();
      }
    },
  };
}

/** `slides worker`: settings from the environment, connections, both workers, until a signal. */
export async function runWorkerMain(): Promise<void> {
  const settings = loadSettings();
  const target = temporalTarget();
  const connection = await connectWorkerConnection(target);
  const client = await connectClient(target);
  const workers = await createWorkers({ settings, connection, client, namespace: target.namespace });
  const runWorkers = workers.run();
  console.log(`worker: ${await ensureClusterBudget(client, settings)}`);
  console.log(
    `worker: ${target.connectionOptions.address} namespace ${target.namespace}; queues ${settings.slidesTaskQueue}, ` +
      `${settings.ecsTaskQueue} (${workers.taskSlots} task slots, ${settings.ecs.launchRatePerSecond} launches/s); ` +
      `cluster ${settings.ecs.cluster}`,
  );
  await runWorkers;
  await client.connection.close();
  await connection.close();
}

if (require.main === module) {
  runWorkerMain().catch((err: unknown) => {
    console.error(err instanceof SettingsError ? err.message : err);
    process.exit(1);
  });
}
