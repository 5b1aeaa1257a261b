// The whole pipeline on one machine: the Temporal dev server (with UI), moto for S3 (and
// SQS), the local ECS with the processor's task definitions registered, and the buckets.
// `npm start`, `npm run demo`, the end-to-end tests and the benchmarks all start it here.
import {
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { createEcsClient, createS3Client, createSqsClient } from '../../src/aws/clients';
import { createLocalQueues, notifyQueueOfUploads, type LocalQueues } from '../../src/bridge';
import { OPENSLIDE_SUFFIXES, routesTo } from '../../src/slides/routing';
import { startMotoServer, type MotoServer } from '../aws/moto-server';
import {
  SIMULATED_LABEL,
  startLocalEcs,
  type LocalEcs,
  type LocalEcsOptions,
} from '@wsi-orchestrator/local-ecs';
import { connectExistingServer, startDevServer } from '../temporal/environment';
import { projectPythonPath, pythonInterpreter } from '../tools/binaries';
import { PROCESSOR_ENTRY, PROJECT_ROOT, PYTHON_EXAMPLE_ENTRY, tsxNodeArgs } from '../tools/layout';

export const SLIDES_BUCKET = 'wsi-slides';
export const WORK_BUCKET = 'wsi-work';
export const PROCESSOR_FAMILY = 'wsi-processor';
export const SIMULATED_FAMILY = 'wsi-processor-sim';
/** The OpenSlide processor (packages/processor-openslide): SVS, NDPI, MRXS, SCN, BIF, DICOM. */
export const OPENSLIDE_FAMILY = 'wsi-processor-openslide';
/** docs/python-tasks.md's example: a lab's own Python program as a slide task. */
export const EXAMPLE_FAMILY = 'wsi-example-tissue-fraction';

/**
 * `npm start`'s and the demo's routes: vendor formats and folder slides (DICOM) go to the
 * OpenSlide processor; plain tiled TIFF stays with the default (TypeScript) processor, unless
 * a slide's input names another task definition. (Tests and benchmarks set their own.)
 */
export const LOCAL_ROUTES = routesTo(OPENSLIDE_FAMILY, OPENSLIDE_SUFFIXES);
export const CONTAINER_NAME = 'processor';

/** Fargate sizes small enough for a laptop; the processor peaks well under 512 MiB on demo slides. */
export const LOCAL_SIZE_TIERS = 'small:256:512:200000000,medium:512:1024:1000000000,large:1024:2048';

const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
};

export interface LocalStackOptions {
  /** Use this Temporal server instead of starting the dev server (the benchmarks: TEMPORAL_ADDRESS). */
  temporalAddress?: string;
  temporalNamespace?: string;
  temporalPort?: number;
  /** Serve the Temporal Web UI on this port. */
  uiPort?: number;
  /** Keep Temporal's history in this SQLite file. */
  dbFilename?: string;
  motoPort?: number;
  /** Options of the local ECS (a 4 vCPU / 8 GiB cluster `default` unless given). */
  localEcs?: LocalEcsOptions;
}

export interface LocalStack {
  temporal: TestWorkflowEnvironment;
  client: Client;
  temporalAddress: string;
  uiUrl?: string;
  moto: MotoServer;
  localEcs: LocalEcs;
  /** What a worker, the CLI or the bridge needs in its environment to use this stack. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The processor container: the same entry point the Docker image runs, as a local process. */
export function processorContainer(extraEnv: Record<string, string> = {}): ContainerDefinition {
  const processorArgs = tsxNodeArgs(PROCESSOR_ENTRY);
  return {
    name: CONTAINER_NAME,
    image: 'wsi-orchestrator/processor:local',
    essential: true,
    // The processor's source through tsx: the local stack is development code. (Its image runs
    // the compiled processor: packages/processor/Dockerfile.)
    entryPoint: [process.execPath, ...processorArgs.slice(0, -1)],
    command: processorArgs.slice(-1),
    stopTimeout: 30,
    // A soft reservation only: the task-level memory of the size tier stays the hard limit.
    // (moto, the contract check, refuses a container with neither memory nor reservation.)
    memoryReservation: 128,
    environment: Object.entries(extraEnv).map(([name, value]) => ({ name, value })),
  };
}

/**
 * A Python program as a container, run by the local ECS as a local process with the pinned
 * tools of `npm run setup` (.tools/python) and the project's Python packages on its path. (Its
 * image installs the same pins from PyPI: packages/processor-openslide/Dockerfile.)
 */
export function pythonContainer(args: string[], extraEnv: Record<string, string> = {}): ContainerDefinition {
  const env = {
    PYTHONPATH: projectPythonPath(),
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    ...extraEnv,
  };
  return {
    name: CONTAINER_NAME,
    image: 'wsi-orchestrator/python-task:local',
    essential: true,
    entryPoint: [pythonInterpreter()],
    command: args,
    stopTimeout: 30,
    memoryReservation: 128,
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
  };
}

/** The OpenSlide processor as a local process: the same module its image runs. */
export const openslideContainer = (extraEnv: Record<string, string> = {}): ContainerDefinition =>
  pythonContainer(['-m', 'wsi_openslide'], extraEnv);

/** docs/python-tasks.md's example program as a local process. */
export const exampleContainer = (extraEnv: Record<string, string> = {}): ContainerDefinition =>
  pythonContainer([PYTHON_EXAMPLE_ENTRY], extraEnv);

/**
 * A simulated processor for the local ECS: runs no process, stays RUNNING for SIM_DURATION_MS
 * and exits with SIM_EXIT_CODE (see packages/local-ecs/README.md for the other SIM_* variables).
 */
export function simulatedContainer(env: Record<string, string> = {}): ContainerDefinition {
  return {
    name: CONTAINER_NAME,
    image: 'wsi-orchestrator/processor:simulated',
    essential: true,
    memoryReservation: 128,
    dockerLabels: { [SIMULATED_LABEL]: 'true' },
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
  };
}

/** Registers a one-container Fargate task definition; returns its ARN. */
export async function registerTaskDefinition(
  ecs: ECSClient,
  family: string,
  container: ContainerDefinition,
): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinitionRequest(family, container)));
  return out.taskDefinition?.taskDefinitionArn ?? '';
}

/** The RegisterTaskDefinition request for one processor container on Fargate. */
export function taskDefinitionRequest(
  family: string,
  container: ContainerDefinition,
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [container],
  };
}

/** Uploads under this prefix of the slide bucket notify the upload queue (and so the bridge). */
export const UPLOADS_PREFIX = 'incoming/';

/**
 * Creates the buckets, the upload queue and its DLQ (S3 notifies the queue of uploads under
 * `incoming/`), and registers the processors' task definitions (the TypeScript one, a simulated
 * one, the OpenSlide one and docs/python-tasks.md's example) on the endpoints named in `env`: the local stack's set-up, also run as
 * `npm run local-setup` by docker-compose (dev/scripts/local-setup.ts).
 */
export async function prepareLocalAws(env: Record<string, string | undefined>): Promise<LocalQueues> {
  const s3 = createS3Client(env);
  for (const bucket of [SLIDES_BUCKET, WORK_BUCKET]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  const queues = await createLocalQueues(createSqsClient(env));
  await notifyQueueOfUploads(s3, {
    bucket: SLIDES_BUCKET,
    queueArn: queues.queueArn,
    prefix: UPLOADS_PREFIX,
  });
  const ecs = createEcsClient(env);
  await registerTaskDefinition(ecs, PROCESSOR_FAMILY, processorContainer());
  await registerTaskDefinition(ecs, SIMULATED_FAMILY, simulatedContainer());
  await registerTaskDefinition(ecs, OPENSLIDE_FAMILY, openslideContainer());
  await registerTaskDefinition(ecs, EXAMPLE_FAMILY, exampleContainer());
  return queues;
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const started: { close(): Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
  };
  try {
    const temporal = opts.temporalAddress
      ? await connectExistingServer(opts.temporalAddress, opts.temporalNamespace)
      : await startDevServer({ port: opts.temporalPort, uiPort: opts.uiPort, dbFilename: opts.dbFilename });
    started.push({ close: () => temporal.teardown() });
    const moto = await startMotoServer({ port: opts.motoPort });
    started.push(moto);
    const localEcs = await startLocalEcs({
      clusters: [{ name: 'default', cpu: 4096, memory: 8192 }],
      cwd: PROJECT_ROOT,
      logDir: path.join(PROJECT_ROOT, '.data', 'local-ecs', 'logs'),
      ...opts.localEcs,
      taskEnvironment: {
        AWS_ENDPOINT_URL_S3: moto.endpoint,
        ...LOCAL_CREDENTIALS,
        ...opts.localEcs?.taskEnvironment,
      },
    });
    started.push(localEcs);

    const temporalAddress = temporal.connection.options.address;
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: opts.temporalNamespace ?? 'default',
      ...LOCAL_CREDENTIALS,
      AWS_ENDPOINT_URL_ECS: localEcs.endpoint,
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
      ECS_CLUSTER: 'default',
      ECS_TASK_DEFINITION: PROCESSOR_FAMILY,
      ECS_CONTAINER_NAME: CONTAINER_NAME,
      ECS_SUBNETS: 'subnet-local',
      ECS_TASK_SLOTS: 'auto',
      ECS_POLL_INTERVAL: '1s',
      BUDGET_REFRESH: '2s',
      PROGRESS_INTERVAL: '2s',
      SIZE_TIERS: LOCAL_SIZE_TIERS,
      CHECKPOINT_URI_PREFIX: `s3://${WORK_BUCKET}/checkpoints/`,
      OUTPUT_URI_PREFIX: `s3://${WORK_BUCKET}/outputs/`,
    };

    const queues = await prepareLocalAws(env);
    env.SQS_QUEUE_URL = queues.queueUrl;
    env.SQS_DLQ_URL = queues.dlqUrl;

    return {
      temporal,
      client: temporal.client,
      temporalAddress,
      uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
      moto,
      localEcs,
      env,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
