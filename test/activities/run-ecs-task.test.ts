// runEcsTask against the local ECS, through the real AWS SDK over HTTP; checkpoints in moto.
// Temporal's MockActivityEnvironment gives the activity its context (heartbeats, attempt).
import { RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import {
  runEcsTask,
  type EcsActivityDeps,
  type RunEcsTaskHeartbeat,
} from '../../src/activities/run-ecs-task';
import { loadSettings, type Settings } from '../../src/settings/settings';
import { TaskStatusPoller } from '../../src/ecs/poller';
import { buildRunTaskInput, TAG_LAUNCH } from '../../src/ecs/requests';
import { startLocalEcs, type LocalEcs } from '@wsi-orchestrator/local-ecs';
import { clientTokenFor, legacyStartedByFor, startedByFor } from '../../src/slides/identity';
import { FailureType } from '../../src/workflows/errors';
import type { RunEcsTaskInput, TaskOutcome, TaskUpdate } from '../../src/workflows/types';
import { ecsClientFor, registerSimulatedTaskDefinition, s3ClientFor } from '../support/ecs';
import { activityInput, launchAsRunEcsTask } from '../support/run-ecs-task';
import { waitFor } from '../support/wait';

const FAMILY = 'wsi-processor-sim';

describe('runEcsTask against the local ECS', () => {
  let localEcs: LocalEcs;
  let moto: MotoServer;
  let ecs: ECSClient;
  let s3: S3Client;
  let settings: Settings;
  let poller: TaskStatusPoller;
  let updates: TaskUpdate[];
  let deps: EcsActivityDeps;

  beforeAll(async () => {
    [localEcs, moto] = await Promise.all([
      startLocalEcs({
        clusters: [{ name: 'default', cpu: 4096, memory: 8192 }],
        lifecycle: { provisioningMs: 50, pendingMs: 50, deprovisioningMs: 50 },
        rateLimits: { runTask: { burst: 500, perSecond: 500 }, taskLaunch: { burst: 500, perSecond: 500 } },
        logDir: '.data/test-logs/run-ecs-task',
      }),
      startMotoServer(),
    ]);
    ecs = ecsClientFor(localEcs.endpoint);
    s3 = s3ClientFor(moto.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'work' }));
    await registerSimulatedTaskDefinition(ecs, FAMILY, { SIM_DURATION_MS: '300' });
    settings = loadSettings({
      ECS_TASK_DEFINITION: FAMILY,
      SIZE_TIERS: 'small:256:512,medium:512:1024',
      ECS_POLL_INTERVAL: '100ms',
      PROGRESS_INTERVAL: '50ms',
      ECS_SUBNETS: 'subnet-local',
    });
  });

  beforeEach(() => {
    poller = new TaskStatusPoller(ecs, { intervalMs: settings.ecs.pollIntervalMs, maxIntervalMs: 500 });
    updates = [];
    deps = {
      ecs,
      s3,
      poller,
      settings,
      report: async (_wf, update) => {
        updates.push(update);
      },
    };
    localEcs.clearFaultRules();
    localEcs.setClusterCapacity('default', { cpu: 4096, memory: 8192 });
  });

  afterEach(() => poller.close());

  afterAll(async () => {
    await Promise.all([localEcs?.close(), moto?.close()]);
  });

  const input = (overrides: Partial<RunEcsTaskInput> = {}): RunEcsTaskInput =>
    activityInput(settings, 'slide', overrides);

  function activityEnv(workflowId: string, extra: { attempt?: number; heartbeatDetails?: unknown } = {}) {
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId, runId: 'run-1' },
      attempt: extra.attempt ?? 1,
      heartbeatDetails: extra.heartbeatDetails,
    });
    const heartbeats: RunEcsTaskHeartbeat[] = [];
    env.on('heartbeat', (d: RunEcsTaskHeartbeat) => heartbeats.push(d));
    return { env, heartbeats };
  }

  const exec = (env: MockActivityEnvironment, d: EcsActivityDeps, i: RunEcsTaskInput): Promise<TaskOutcome> =>
    env.run(runEcsTask, d, i) as Promise<TaskOutcome>;

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  test('success: launches with the slide in its environment, heartbeats the ARN, returns the outcome', async () => {
    const i = input();
    const before = localEcs.stats().runTask.calls;
    await s3.send(
      new PutObjectCommand({
        Bucket: 'work',
        Key: 'checkpoints/slide-' + i.slideId.split('-')[1] + '.json',
        Body: '{"done":4,"total":9}',
      }),
    );
    const { env, heartbeats } = activityEnv('wf-success');
    const outcome = await exec(env, deps, i);

    expect(outcome).toMatchObject({
      lastStatus: 'STOPPED',
      exitCode: 0,
      stopCode: 'EssentialContainerExited',
      launchNumber: 1,
    });
    expect(outcome.progress).toEqual({ done: 4, total: 9 });
    expect(localEcs.stats().runTask.calls - before).toBe(1);
    expect(heartbeats[0]).toMatchObject({ taskArn: outcome.taskArn, launchNumber: 1 });
    // The workflow hears only RUNNING (with the ARN and the progress so far): its history
    // stays small; finer states are in the heartbeat details.
    expect(updates.map((u) => u.phase).filter(Boolean)).toEqual(['RUNNING']);
    expect(updates[0]).toMatchObject({ launchNumber: 1, taskArn: outcome.taskArn });
    expect(heartbeats).toContainEqual(expect.objectContaining({ progress: { done: 4, total: 9 } }));

    const task = localEcs.describeTask(outcome.taskArn) as {
      startedBy: string;
      overrides: {
        cpu: string;
        memory: string;
        containerOverrides: { environment: { name: string; value: string }[] }[];
      };
      tags: { key: string; value: string }[];
    };
    expect(task.startedBy).toBe(startedByFor('wf-success'));
    expect(task.overrides).toMatchObject({ cpu: '256', memory: '512' });
    expect(task.overrides.containerOverrides[0]?.environment).toEqual(
      expect.arrayContaining([
        { name: 'SLIDE_BUCKET', value: 'slides' },
        { name: 'SLIDE_KEY', value: i.key },
        { name: 'SLIDE_ID', value: i.slideId },
        { name: 'CHECKPOINT_URI', value: i.checkpointUri },
        { name: 'OUTPUT_URI', value: i.outputUri },
      ]),
    );
    expect(task.tags).toContainEqual({ key: TAG_LAUNCH, value: '1' });
  });

  test('no capacity: a retryable failure naming the resource, then success once capacity is back', async () => {
    localEcs.setClusterCapacity('default', { cpu: 4096, memory: 256 });
    const i = input();
    const failure = await failureOf(exec(activityEnv('wf-capacity').env, deps, i));
    expect(failure.type).toBe(FailureType.EcsNoCapacity);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('RESOURCE:MEMORY');
    expect(updates.map((u) => u.phase)).toContain('WAITING_FOR_CAPACITY');

    localEcs.setClusterCapacity('default', { cpu: 4096, memory: 8192 });
    const outcome = await exec(activityEnv('wf-capacity', { attempt: 2 }).env, deps, i);
    expect(outcome.exitCode).toBe(0);
  });

  test('no capacity past the wait bound: non-retryable', async () => {
    localEcs.setClusterCapacity('default', { cpu: 128, memory: 8192 });
    const failure = await failureOf(
      exec(activityEnv('wf-capacity-timeout').env, deps, input({ capacityDeadline: Date.now() - 1 })),
    );
    expect(failure.type).toBe(FailureType.EcsNoCapacityTimeout);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('RESOURCE:CPU');
  });

  test('throttled RunTask is a retryable failure; throttled DescribeTasks only slows polling', async () => {
    localEcs.throttle({ actions: ['RunTask'], durationMs: 60_000 });
    const failure = await failureOf(exec(activityEnv('wf-throttle').env, deps, input()));
    expect(failure.type).toBe(FailureType.EcsTransient);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('ThrottlingException');

    localEcs.clearFaultRules();
    localEcs.throttle({ actions: ['DescribeTasks'], durationMs: 1500 });
    const outcome = await exec(activityEnv('wf-throttle-describe').env, deps, input());
    expect(outcome.exitCode).toBe(0);
  });

  test('a configuration error is non-retryable and carries the AWS message', async () => {
    const badDeps = {
      ...deps,
      settings: { ...settings, ecs: { ...settings.ecs, taskDefinition: 'no-such-family' } },
    };
    const failure = await failureOf(exec(activityEnv('wf-config').env, badDeps, input()));
    expect(failure.type).toBe(FailureType.EcsConfiguration);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/RunTask: (ClientException|InvalidParameterException)/);

    const noCluster = await failureOf(exec(activityEnv('wf-config-2').env, deps, input({ cluster: 'nope' })));
    expect(noCluster.type).toBe(FailureType.EcsConfiguration);
    expect(noCluster.message).toContain('ClusterNotFoundException');
  });

  test('reattach: a retried attempt polls the task named in the heartbeat and launches nothing', async () => {
    const i = input();
    const taskArn = await launchAsRunEcsTask(ecs, settings, { workflowId: 'wf-reattach', runId: 'run-1' }, i);
    const before = localEcs.stats().runTask.calls;

    const outcome = await exec(
      activityEnv('wf-reattach', {
        attempt: 2,
        heartbeatDetails: { taskArn, launchNumber: 1 } satisfies RunEcsTaskHeartbeat,
      }).env,
      deps,
      i,
    );

    expect(outcome.taskArn).toBe(taskArn);
    expect(outcome.exitCode).toBe(0);
    expect(localEcs.stats().runTask.calls).toBe(before);
  });

  test('reattach after a crash before the first heartbeat: found by startedBy and launch tag', async () => {
    const i = input();
    const identity = {
      clientToken: clientTokenFor('wf-crash', 'run-1', 1),
      startedBy: startedByFor('wf-crash'),
      workflowRunId: 'run-1',
    };
    const launched = await ecs.send(new RunTaskCommand(buildRunTaskInput(settings.ecs, i, identity)));
    const before = localEcs.stats().runTask.calls;

    const outcome = await exec(activityEnv('wf-crash', { attempt: 2 }).env, deps, i);

    expect(outcome.taskArn).toBe(launched.tasks?.[0]?.taskArn);
    expect(localEcs.stats().runTask.calls).toBe(before);
  });

  test("reattach finds a task launched before tasks belonged to slides (its run's own startedBy)", async () => {
    const i = input();
    const identity = {
      clientToken: clientTokenFor('wf-upgraded', 'run-1', 1),
      startedBy: legacyStartedByFor('wf-upgraded', 'run-1'),
      workflowRunId: 'run-1',
    };
    const launched = await ecs.send(new RunTaskCommand(buildRunTaskInput(settings.ecs, i, identity)));
    const before = localEcs.stats().runTask.calls;

    const outcome = await exec(activityEnv('wf-upgraded', { attempt: 2 }).env, deps, i);

    expect(outcome.taskArn).toBe(launched.tasks?.[0]?.taskArn);
    expect(localEcs.stats().runTask.calls).toBe(before);
  });

  test('batching: 150 tasks are polled with at most 2 DescribeTasks calls per round', async () => {
    localEcs.setClusterCapacity('default', { cpu: 256 * 150, memory: 512 * 150 });
    const inputs = Array.from({ length: 150 }, () => input());
    const describeBefore = localEcs.stats().describeTasks.calls;
    const outcomes = await Promise.all(inputs.map((i, n) => exec(activityEnv(`wf-batch-${n}`).env, deps, i)));
    expect(outcomes.every((o) => o.exitCode === 0)).toBe(true);
    // The last activity can return on a round's first chunk while its second is still on the
    // way: the local ECS has then seen one call fewer than the poller has made. Wait for it.
    const describedAtEcs = () => localEcs.stats().describeTasks.calls - describeBefore;
    await waitFor(
      'the poller’s last DescribeTasks to reach the local ECS',
      () => describedAtEcs() === poller.describeCalls,
    );
    // Rounds are counted by the poller; each round may split 150 ARNs into at most 2 calls.
    const rounds = (poller as unknown as { round: number }).round;
    expect(rounds).toBeGreaterThan(0);
    expect(poller.describeCalls).toBeLessThanOrEqual(2 * rounds);
  });
});
