// runEcsTask against ECS as it really answers (the local ECS's "real manners" switches),
// through the real AWS SDK over HTTP, configured as the worker configures it; checkpoints in
// moto. Each test gets its own local ECS, so one test's switches never reach another's.
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  runEcsTask,
  type EcsActivityDeps,
  type RunEcsTaskHeartbeat,
} from '../../src/activities/run-ecs-task';
import { ECS_SDK_RETRY } from '../../src/aws/clients';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { loadSettings, type Settings } from '../../src/settings/settings';
import { TaskStatusPoller } from '../../src/ecs/poller';
import { buildRunTaskInput } from '../../src/ecs/requests';
import { startLocalEcs, type LocalEcs, type LocalEcsOptions } from '@wsi-orchestrator/local-ecs';
import { clientTokenFor, startedByFor } from '../../src/slides/identity';
import { classifyOutcome } from '../../src/workflows/decide';
import { FailureType } from '../../src/workflows/errors';
import type { RunEcsTaskInput, TaskOutcome } from '../../src/workflows/types';
import { registerSimulatedTaskDefinition, s3ClientFor, TEST_CREDENTIALS } from '../support/ecs';
import { activityInput, launchAsRunEcsTask } from '../support/run-ecs-task';
import { waitFor } from '../support/wait';

const FAMILY = 'wsi-processor-sim';
const RUN_ID = 'run-1';

describe('runEcsTask against ECS as it really answers', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let localEcs: LocalEcs | undefined;
  let ecs: ECSClient;
  let poller: TaskStatusPoller | undefined;
  let deps: EcsActivityDeps;
  let settings: Settings;

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = s3ClientFor(moto.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'work' }));
    settings = loadSettings({
      ECS_TASK_DEFINITION: FAMILY,
      SIZE_TIERS: 'small:256:512,medium:512:1024',
      ECS_POLL_INTERVAL: '100ms',
      PROGRESS_INTERVAL: '50ms',
      ECS_SUBNETS: 'subnet-local',
      ECS_MISSING_GRACE: '30s',
      STOP_WAIT: '20s',
    });
  });

  afterEach(async () => {
    poller?.close();
    await localEcs?.close();
    localEcs = undefined;
  });

  afterAll(async () => {
    await moto?.close();
  });

  /** A local ECS with these manners, and the activity's deps wired to it as the worker does. */
  async function ecsWith(options: LocalEcsOptions, taskEnv: Record<string, string> = {}): Promise<LocalEcs> {
    localEcs = await startLocalEcs({
      clusters: [{ name: 'default', cpu: 4096, memory: 8192 }],
      lifecycle: { provisioningMs: 50, pendingMs: 50, deprovisioningMs: 50 },
      rateLimits: { runTask: { burst: 500, perSecond: 500 }, taskLaunch: { burst: 500, perSecond: 500 } },
      logDir: '.data/test-logs/ecs-manners',
      ...options,
    });
    // The worker's ECS client settings (createEcsClient): one SDK retry at most.
    ecs = new ECSClient({
      endpoint: localEcs.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      ...ECS_SDK_RETRY,
    });
    await registerSimulatedTaskDefinition(ecs, FAMILY, { SIM_DURATION_MS: '300', ...taskEnv });
    poller = new TaskStatusPoller(ecs, { intervalMs: settings.ecs.pollIntervalMs, maxIntervalMs: 500 });
    deps = { ecs, s3, poller, settings, report: async () => undefined };
    return localEcs;
  }

  const input = (overrides: Partial<RunEcsTaskInput> = {}): RunEcsTaskInput =>
    activityInput(settings, 'manners', overrides);

  function exec(
    workflowId: string,
    i: RunEcsTaskInput,
    extra: { attempt?: number; heartbeatDetails?: RunEcsTaskHeartbeat } = {},
  ): Promise<TaskOutcome> {
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId, runId: RUN_ID },
      attempt: extra.attempt ?? 1,
      heartbeatDetails: extra.heartbeatDetails,
    });
    return env.run(runEcsTask, deps, i) as Promise<TaskOutcome>;
  }

  /** Launches a task for this workflow run as runEcsTask would (same identity and tags). */
  const launchDirectly = (workflowId: string, i: RunEcsTaskInput): Promise<string> =>
    launchAsRunEcsTask(ecs, settings, { workflowId, runId: RUN_ID }, i);

  async function describe(arn: string) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
    return { task: out.tasks?.[0], missing: (out.failures ?? []).some((f) => f.reason === 'MISSING') };
  }

  async function writeCheckpoint(i: RunEcsTaskInput, body: object): Promise<void> {
    const { bucket, key } = parseS3Uri(i.checkpointUri);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(body) }));
  }

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  const maxAlive = (l: LocalEcs, workflowId: string): number | undefined =>
    l.stats().startedBy[startedByFor(workflowId)]?.maxInFlight;

  test('a RunTask throttle wrapped in InvalidParameterException is retryable, and the SDK did not retry it', async () => {
    const l = await ecsWith({ ec2LookupThrottle: { burst: 0, windowMs: 60_000, probability: 1 } });
    const failure = await failureOf(exec('wf-wrapped-throttle', input()));
    expect(failure.type).toBe(FailureType.EcsTransient);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain(
      'InvalidParameterException: Error retrieving subnet information for [subnet-local]: Rate exceeded',
    );
    expect(l.stats().runTask).toMatchObject({ calls: 1, lookupThrottled: 1 });
  });

  test('a ThrottlingException storm costs two RunTask calls per activity attempt, not three', async () => {
    const l = await ecsWith({});
    l.throttle({ actions: ['RunTask'], durationMs: 60_000 });
    const failure = await failureOf(exec('wf-storm', input()));
    expect(failure.type).toBe(FailureType.EcsTransient);
    expect(l.stats().runTask.calls).toBe(ECS_SDK_RETRY.maxAttempts);
  });

  test('Fargate\'s "Capacity is unavailable" waits for capacity', async () => {
    const l = await ecsWith({ fargateCapacityMessage: true });
    l.setClusterCapacity('default', { cpu: 4096, memory: 256 });
    const failure = await failureOf(exec('wf-fargate-capacity', input()));
    expect(failure.type).toBe(FailureType.EcsNoCapacity);
    expect(failure.message).toContain('Capacity is unavailable at this time');
  });

  test('MISSING right after RunTask is not "lost": the task is trusted for the grace and runs to its end', async () => {
    // 15 rounds of MISSING at a 100 ms poll interval: three rounds used to mean "lost".
    const l = await ecsWith({ visibilityDelay: { minMs: 1500, maxMs: 1500 } });
    const outcome = await exec('wf-fresh-missing', input());
    expect(outcome).toMatchObject({ exitCode: 0, lastStatus: 'STOPPED' });
    expect(outcome.missing).toBeUndefined();
    expect(l.stats().runTask.calls).toBe(1);
    expect(maxAlive(l, 'wf-fresh-missing')).toBe(1);
  });

  test('a task that finished unwatched and was forgotten by ECS, with a complete checkpoint, is a success', async () => {
    const l = await ecsWith({ retention: { stoppedTasksMs: 100, clientTokensMs: 86_400_000 } });
    const i = input();
    const arn = await launchDirectly('wf-forgotten-done', i);
    await writeCheckpoint(i, { done: 9, total: 9, complete: true });
    await waitFor('ECS to forget the stopped task', async () => (await describe(arn)).missing);
    const launches = l.stats().runTask.calls;

    // The retried attempt reattaches to the task its heartbeat names, last seen long ago.
    const outcome = await exec('wf-forgotten-done', i, {
      attempt: 2,
      heartbeatDetails: { taskArn: arn, launchNumber: 1, lastSeenAt: Date.now() - 3_600_000 },
    });
    expect(outcome).toMatchObject({ taskArn: arn, missing: true, checkpointComplete: true });
    expect(outcome.progress).toEqual({ done: 9, total: 9 });
    expect(classifyOutcome(outcome, settings.policy)).toBe('success');
    expect(l.stats().runTask.calls).toBe(launches);
  });

  test('a forgotten task without a complete checkpoint is lost: resumed from the checkpoint, nothing else running', async () => {
    const l = await ecsWith({ retention: { stoppedTasksMs: 100, clientTokensMs: 86_400_000 } });
    const i = input();
    const arn = await launchDirectly('wf-forgotten-lost', i);
    await writeCheckpoint(i, { done: 4, total: 9 });
    await waitFor('ECS to forget the stopped task', async () => (await describe(arn)).missing);

    const outcome = await exec('wf-forgotten-lost', i, {
      attempt: 2,
      heartbeatDetails: { taskArn: arn, launchNumber: 1, lastSeenAt: Date.now() - 3_600_000 },
    });
    expect(outcome).toMatchObject({ taskArn: arn, missing: true, progress: { done: 4, total: 9 } });
    expect(outcome.checkpointComplete).toBeUndefined();
    expect(classifyOutcome(outcome, settings.policy)).toBe('interrupted');
    expect(l.stats().inFlight).toBe(0);
  });

  test('a relaunch stops a still-live task of the slide and waits for it before launching', async () => {
    const l = await ecsWith({}, { SIM_DURATION_MS: '300' });
    // The orphan: launch 1, still running long after its activity stopped watching it.
    const orphanArn = await ecs
      .send(
        new RunTaskCommand({
          ...buildRunTaskInput(settings.ecs, input(), {
            clientToken: clientTokenFor('wf-orphan', RUN_ID, 1),
            startedBy: startedByFor('wf-orphan'),
            workflowRunId: RUN_ID,
          }),
          overrides: {
            containerOverrides: [
              {
                name: settings.ecs.containerName,
                environment: [{ name: 'SIM_DURATION_MS', value: '600000' }],
              },
            ],
          },
        }),
      )
      .then((o) => o.tasks?.[0]?.taskArn as string);
    await waitFor(
      'the orphan to run',
      async () => (await describe(orphanArn)).task?.lastStatus === 'RUNNING',
    );

    const outcome = await exec('wf-orphan', input({ launchNumber: 2 }));
    expect(outcome.exitCode).toBe(0);
    expect(outcome.taskArn).not.toBe(orphanArn);
    const orphan = (await describe(orphanArn)).task;
    expect(orphan).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(orphan?.stoppedReason).toContain('replaced by launch 2 of workflow run run-1');
    // Never two live tasks for the slide: the orphan was STOPPED before launch 2 started.
    expect(maxAlive(l, 'wf-orphan')).toBe(1);
  });

  test('a first launch stops a live task another run of the slide left (terminate + re-submit) before launching its own', async () => {
    const l = await ecsWith({}, { SIM_DURATION_MS: '300' });
    const i = input();
    // Left by a terminated run of the same slide: same workflow ID, another run.
    const orphanArn = await launchAsRunEcsTask(
      ecs,
      settings,
      { workflowId: 'wf-resubmitted', runId: 'run-terminated' },
      { ...i, launchNumber: 3 },
    );
    await waitFor(
      'the orphan to run',
      async () => (await describe(orphanArn)).task?.lastStatus === 'RUNNING',
    );
    const outcome = await exec('wf-resubmitted', i);

    expect(outcome.exitCode).toBe(0);
    expect(outcome.taskArn).not.toBe(orphanArn);
    const orphan = (await describe(orphanArn)).task;
    expect(orphan).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(orphan?.stoppedReason).toContain('replaced by launch 1 of workflow run run-1');
    expect(maxAlive(l, 'wf-resubmitted')).toBe(1);
  });

  test('a relaunch whose checkpoint is already complete launches nothing and succeeds', async () => {
    const l = await ecsWith({});
    const i = input({ launchNumber: 3 });
    await writeCheckpoint(i, { done: 12, total: 12, complete: true });
    const outcome = await exec('wf-already-done', i);
    expect(outcome).toMatchObject({
      notLaunched: true,
      checkpointComplete: true,
      progress: { done: 12, total: 12 },
    });
    expect(classifyOutcome(outcome, settings.policy)).toBe('success');
    expect(l.stats().runTask.calls).toBe(0);
  });

  test('a complete: true that the counts contradict is not trusted', async () => {
    const l = await ecsWith({});
    const i = input({ launchNumber: 2 });
    await writeCheckpoint(i, { done: 3, total: 12, complete: true });
    const outcome = await exec('wf-half-done', i);
    expect(outcome.exitCode).toBe(0);
    expect(l.stats().runTask.calls).toBe(1);
  });

  test('TaskFailedToStart described with containers: [] is a start failure', async () => {
    const l = await ecsWith({});
    l.addFaultRule({ type: 'failToStart', match: { family: FAMILY }, emptyContainers: true });
    const outcome = await exec('wf-empty-containers', input());
    expect(outcome).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
    expect(outcome.exitCode).toBeUndefined();
    expect(classifyOutcome(outcome, settings.policy)).toBe('start-failure');
  });

  test('a permanent exit code (65, not an image) is classified permanent with the default settings', async () => {
    await ecsWith({}, { SIM_EXIT_CODE: '65' });
    const outcome = await exec('wf-permanent', input());
    expect(outcome.exitCode).toBe(65);
    expect(classifyOutcome(outcome, settings.policy)).toBe('permanent-error');
  });
});
