// The local stack with a worker on it: what `npm start` and `npm run demo` run.
import type { WorkflowBundleOption } from '@temporalio/worker';
import { createEcsClient, createS3Client } from '../../src/aws/clients';
import { startBridge, type BridgeHandle } from '../../src/bridge';
import { loadSettings } from '../../src/settings/settings';
import { copyBridgeStats } from '../../src/metrics/bridge-counters';
import type { MetricsServer } from '../../src/metrics/server';
import { createWorkers, serveWorkerMetrics, type SlideWorkers } from '../../src/worker';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './local-stack';

/** Settings a person may set in the environment that override the stack's own. */
const PASS_THROUGH =
  /^(ECS_|SIZE_TIERS$|MAX_|STUCK_AFTER$|CAPACITY_WAIT$|RELAUNCH_BACKOFF$|PROGRESS_INTERVAL$|HEARTBEAT_TIMEOUT$|RETRY_|METRICS_ADDRESS$|FARGATE_)/;

export interface RunningStack extends LocalStack {
  workers: SlideWorkers;
  workerDone: Promise<void>;
  /** The SQS bridge, when asked for. */
  bridge?: BridgeHandle;
  /** /metrics, /healthz and /readyz, when METRICS_ADDRESS is set. */
  metricsServer?: MetricsServer;
}

/** The worker settings a person set in this process's environment (ECS_*, SIZE_TIERS, ...). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => PASS_THROUGH.test(e[0]) && !!e[1]),
  );
}

export interface StackWithWorkerOptions extends LocalStackOptions {
  /** Worker settings on top of the stack's own (which point it at the stack). */
  settings?: Record<string, string>;
  workflowBundle?: WorkflowBundleOption;
  log?: (message: string) => void;
  /** Also run the SQS bridge on the stack's upload queue. */
  bridge?: boolean;
  /** The SDK's own metrics endpoint (src/metrics/sdk-runtime.ts), appended to /metrics. */
  sdkMetricsUrl?: string;
}

export async function startStackWithWorker(opts: StackWithWorkerOptions = {}): Promise<RunningStack> {
  const stack = await startLocalStack(opts);
  try {
    const env = { ...stack.env, ...opts.settings };
    const settings = loadSettings(env);
    const workers = await createWorkers({
      settings,
      connection: stack.temporal.nativeConnection,
      client: stack.client,
      ecs: createEcsClient(env),
      s3: createS3Client(env),
      workflowBundle: opts.workflowBundle,
      log: opts.log,
    });
    const workerDone = workers.run();
    const bridge = opts.bridge ? await startBridge({ env, client: stack.client }) : undefined;
    const metricsServer = await serveWorkerMetrics(workers, settings, {
      sdkMetricsUrl: opts.sdkMetricsUrl,
      beforeScrape: async () => {
        if (bridge) copyBridgeStats(workers.metrics, bridge.stats());
      },
    });
    return {
      ...stack,
      workers,
      workerDone,
      bridge,
      metricsServer,
      close: async () => {
        await metricsServer?.close();
        await bridge?.stop();
        workers.shutdown();
        await workerDone.catch(() => undefined);
        await stack.close();
      },
    };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/** Lines that tell a person where everything is. */
export function describeStack(stack: RunningStack): string[] {
  const capacity = stack.localEcs.clusterCapacity('default');
  return [
    `Temporal Web UI   ${stack.uiUrl ?? '(not served)'}`,
    `Temporal server   ${stack.temporalAddress} (namespace default)`,
    `S3 and SQS (moto) ${stack.moto.endpoint} (buckets wsi-slides, wsi-work)`,
    `Local ECS         ${stack.localEcs.endpoint} (cluster default: ${capacity.registeredCpu} CPU units, ${capacity.registeredMemory} MiB; task logs in .data/local-ecs/logs)`,
    `Worker            queues slides + ecs-tasks, ${stack.workers.taskSlots} task slots`,
    ...(stack.metricsServer
      ? [
          `Metrics           ${stack.metricsServer.url}/metrics (health: /healthz, /readyz; names in docs/operations.md)`,
        ]
      : []),
    ...(stack.bridge
      ? [
          `SQS bridge        ${stack.env.SQS_QUEUE_URL} (DLQ ${stack.env.SQS_DLQ_URL}); uploads to s3://wsi-slides/incoming/ start slides`,
        ]
      : []),
  ];
}
