// processSlide on the time-skipping server, with its activities replaced: one test per row
// of the outcome list in docs/outcomes.md, plus cancel, status and bad input.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { AwaitSlideWorkflowInput, StopEcsTaskInput } from '../../src/activities/api';
import { awaitSlideWorkflow } from '../../src/activities/await-slide-workflow';
import { createProjectMetrics } from '../../src/metrics/registry';
import { slideMetricsSinks } from '../../src/metrics/slide-sinks';
import { slideWorkflowId } from '../../src/slides/identity';
import type { AdmitLaunchInput, Lease } from '../../src/workflows/budget-types';
import { startTimeSkippingServer } from '../../dev/temporal/environment';
import { statusQuery, taskUpdateSignal } from '../../src/workflows/definitions';
import { FailureType } from '../../src/workflows/errors';
import type { processSlide } from '../../src/workflows/process-slide';
import type { RunEcsTaskInput, SlidePlan, SlideResult, TaskOutcome } from '../../src/workflows/types';
import { waitFor } from '../support/wait';

const TASK_QUEUE = 'process-slide-test';

const PLAN: SlidePlan = {
  slideId: 'slide-1',
  cluster: 'default',
  tiers: [
    { name: 'small', cpu: 1024, memory: 4096 },
    { name: 'medium', cpu: 2048, memory: 8192 },
    { name: 'large', cpu: 4096, memory: 16384 },
  ],
  firstTier: 0,
  checkpointUri: 's3://work/checkpoints/slide-1.json',
  outputUri: 's3://work/outputs/slide-1/',
  ecsTaskQueue: TASK_QUEUE,
  admissionTaskQueue: TASK_QUEUE,
  policy: {
    maxAppErrors: 3,
    maxStartFailures: 3,
    maxInterruptions: 5,
    maxStuck: 2,
    stuckAfterMs: 600_000,
    capacityWaitMs: 3_600_000,
    relaunchBackoffMs: 10_000,
    maxTaskDurationMs: 86_400_000,
    heartbeatTimeoutMs: 60_000,
    retryInitialIntervalMs: 10,
    retryMaxIntervalMs: 50,
  },
};

/** What one runEcsTask call does in a scenario: return an outcome or throw; 'gate' succeeds once opened. */
type Step = Partial<TaskOutcome> | Error | 'hang' | 'gate';

function outcome(launchNumber: number, fields: Partial<TaskOutcome>): TaskOutcome {
  return {
    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/task${launchNumber}`,
    launchNumber,
    lastStatus: 'STOPPED',
    createdAt: 1_000,
    startedAt: 2_000,
    stoppedAt: 12_000,
    ...fields,
  };
}

const success: Step = { exitCode: 0, stopCode: 'EssentialContainerExited' };
const oom: Step = {
  exitCode: 137,
  stopCode: 'EssentialContainerExited',
  containerReason: 'OutOfMemoryError: Container killed due to memory usage',
};
const spot: Step = {
  exitCode: 143,
  stopCode: 'SpotInterruption',
  stoppedReason: 'Your Spot Task was interrupted.',
};
const appError: Step = {
  exitCode: 2,
  stopCode: 'EssentialContainerExited',
  containerReason: 'tiling failed',
};
const pullFailure: Step = {
  stopCode: 'TaskFailedToStart',
  stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
};

describe('processSlide decides on every ECS outcome', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await startTimeSkippingServer();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  interface Scenario {
    calls: RunEcsTaskInput[];
    admissions: AdmitLaunchInput[];
    stops: StopEcsTaskInput[];
    run<T>(fn: (handle: WorkflowHandle<typeof processSlide>) => Promise<T>): Promise<T>;
    /** Runs `fn` with the worker up; `fn` starts its own workflows (`taskQueue` is the scenario's). */
    runWith<T>(fn: (taskQueue: string) => Promise<T>): Promise<T>;
    /** Lets a 'gate' step finish with exit code 0. */
    open(): void;
    /** How many times planSlide ran. */
    plans(): number;
  }

  let workflowCounter = 0;

  /** A worker whose runEcsTask plays the given steps, one per call. */
  async function scenario(
    steps: Step[],
    basePlan: SlidePlan = PLAN,
    settles: number[] = [],
  ): Promise<Scenario> {
    // A task queue per scenario: a worker left behind by a failed test cannot steal its tasks.
    const taskQueue = `${TASK_QUEUE}-${++workflowCounter}`;
    const plan = { ...basePlan, ecsTaskQueue: taskQueue, admissionTaskQueue: taskQueue };
    const calls: RunEcsTaskInput[] = [];
    const admissions: AdmitLaunchInput[] = [];
    const stops: StopEcsTaskInput[] = [];
    let gateOpen = false;
    let plans = 0;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      sinks: slideMetricsSinks(createProjectMetrics()),
      activities: {
        // A folder slide still being written answers settleMs, once per wait in `settles`.
        planSlide: async () => {
          plans++;
          const settleMs = settles.shift();
          return settleMs === undefined ? plan : { ...plan, settleMs };
        },
        // The cluster budget grants at once here; its own tests are in test/budget.
        admitLaunch: async (input: AdmitLaunchInput): Promise<Lease> => {
          admissions.push(input);
          return { ...input, grantedAt: Date.now() };
        },
        stopEcsTask: async (input: StopEcsTaskInput) => {
          stops.push(input);
        },
        // A plain client, as the worker has: the time-skipping one's result() also unlocks skipping.
        awaitSlideWorkflow: (input: AwaitSlideWorkflowInput) =>
          awaitSlideWorkflow(
            { client: new Client({ connection: env.connection, namespace: env.namespace }) },
            input,
          ),
        runEcsTask: async (input: RunEcsTaskInput): Promise<TaskOutcome> => {
          calls.push(input);
          const step = steps[calls.length - 1];
          if (step === undefined) throw new Error(`unexpected call ${calls.length}`);
          if (step instanceof Error) throw step;
          const { workflowId, runId } = Context.current().info.workflowExecution ?? {};
          const taskArn = outcome(input.launchNumber, {}).taskArn;
          await env.client.workflow.getHandle(workflowId ?? '', runId).signal(taskUpdateSignal, {
            launchNumber: input.launchNumber,
            phase: 'RUNNING',
            taskArn,
            progress: { done: 3, total: 10 },
          });
          if (step === 'gate') {
            while (!gateOpen) {
              Context.current().heartbeat({ taskArn });
              await Context.current().sleep(100);
            }
            return outcome(input.launchNumber, { exitCode: 0, stopCode: 'EssentialContainerExited' });
          }
          if (step === 'hang') {
            for (;;) {
              Context.current().heartbeat({ taskArn });
              await Context.current().sleep(100);
            }
          }
          return outcome(input.launchNumber, step);
        },
      },
    });
    return {
      calls,
      admissions,
      stops,
      plans: () => plans,
      run: async (fn) => {
        const handle = await env.client.workflow.start('processSlide', {
          taskQueue,
          workflowId: `slide-${taskQueue}`,
          args: [{ bucket: 'slides', key: 'case 1/slide.svs' }],
        });
        return worker.runUntil(fn(handle as WorkflowHandle<typeof processSlide>));
      },
      runWith: (fn) => worker.runUntil(fn(taskQueue)),
      open: () => {
        gateOpen = true;
      },
    };
  }

  async function expectFailure(handle: WorkflowHandle): Promise<ApplicationFailure> {
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause as ApplicationFailure;
  }

  test('exit code 0: done, with outputs, attempts and task-seconds', async () => {
    const s = await scenario([success]);
    const result: SlideResult = await s.run((h) => h.result());
    expect(result).toMatchObject({
      slideId: 'slide-1',
      outputUri: PLAN.outputUri,
      launches: 1,
      tier: 'small',
      taskSeconds: 10,
    });
    expect(result.attempts).toEqual([
      expect.objectContaining({ launch: 1, outcome: 'success', exitCode: 0 }),
    ]);
    expect(s.calls[0]).toMatchObject({
      launchNumber: 1,
      tier: PLAN.tiers[0],
      checkpointUri: PLAN.checkpointUri,
      outputUri: PLAN.outputUri,
      bucket: 'slides',
      key: 'case 1/slide.svs',
    });
  });

  test('a folder slide still being written waits until it has settled, then launches once', async () => {
    const s = await scenario([success], PLAN, [60_000, 30_000]);
    const result = await s.run((h) => h.result());
    expect(result.launches).toBe(1);
    expect(s.plans()).toBe(3);
    expect(s.admissions).toHaveLength(1);
  });

  test('no capacity (failures[]): the launch is retried with backoff and the slide does not fail', async () => {
    const noCapacity = (): Error =>
      ApplicationFailure.retryable('RunTask failures: RESOURCE:MEMORY', FailureType.EcsNoCapacity);
    const s = await scenario([noCapacity(), noCapacity(), noCapacity(), success]);
    const result = await s.run((h) => h.result());
    expect(result.launches).toBe(1);
    expect(s.calls.map((c) => c.launchNumber)).toEqual([1, 1, 1, 1]);
    // Every retry of one launch carries the same capacity deadline: bounded in time.
    expect(new Set(s.calls.map((c) => c.capacityDeadline)).size).toBe(1);
  });

  test('no capacity past the bound fails the slide with the reason', async () => {
    const s = await scenario([
      ApplicationFailure.nonRetryable('no capacity for 1h: RESOURCE:CPU', FailureType.EcsNoCapacityTimeout),
    ]);
    const failure = await s.run((h) => expectFailure(h));
    expect(failure.type).toBe(FailureType.EcsNoCapacityTimeout);
    expect(failure.message).toContain('no capacity for 1h: RESOURCE:CPU');
  });

  test('throttling and server errors are retried', async () => {
    const s = await scenario([
      ApplicationFailure.retryable('Rate exceeded', FailureType.EcsTransient),
      ApplicationFailure.retryable('Service unavailable', FailureType.EcsTransient),
      success,
    ]);
    const result = await s.run((h) => h.result());
    expect(result.launches).toBe(1);
    expect(s.calls).toHaveLength(3);
  });

  test('a configuration error fails at once with the AWS message', async () => {
    const s = await scenario([
      ApplicationFailure.nonRetryable(
        'InvalidParameterException: TaskDefinition not found.',
        FailureType.EcsConfiguration,
      ),
    ]);
    const failure = await s.run((h) => expectFailure(h));
    expect(s.calls).toHaveLength(1);
    expect(failure.type).toBe(FailureType.EcsConfiguration);
    expect(failure.message).toContain('TaskDefinition not found');
  });

  test('out of memory: relaunched one size tier larger', async () => {
    const s = await scenario([oom, oom, success]);
    const result = await s.run((h) => h.result());
    expect(s.calls.map((c) => c.tier.name)).toEqual(['small', 'medium', 'large']);
    expect(result.tier).toBe('large');
    expect(result.attempts.map((a) => a.outcome)).toEqual(['out-of-memory', 'out-of-memory', 'success']);
    // Every launch asked the cluster budget first, for the size it launched with.
    expect(s.admissions.map((a) => [a.launch, a.cpu, a.memory])).toEqual(
      PLAN.tiers.map((t, i) => [i + 1, t.cpu, t.memory]),
    );
    expect(s.admissions[0]).toMatchObject({ cluster: 'default', holder: expect.stringMatching(/^slide-/) });
  });

  test('out of memory in the largest tier fails, naming the tier and its memory', async () => {
    const s = await scenario([oom, oom, oom]);
    const failure = await s.run((h) => expectFailure(h));
    expect(failure.type).toBe(FailureType.SlideFailed);
    expect(failure.message).toMatch(
      /out of memory in the largest tier "large" \(cpu 4096, memory 16384 MiB\)/,
    );
  });

  test('interrupted: relaunched from the same checkpoint without using up the failure budget', async () => {
    const sigterm: Step = { exitCode: 143, stopCode: 'EssentialContainerExited' };
    const scheduler: Step = { exitCode: 143, stopCode: 'ServiceSchedulerInitiated' };
    const notice: Step = { stopCode: 'TerminationNotice', exitCode: 143 };
    const s = await scenario([spot, appError, sigterm, appError, scheduler, notice, success]);
    const result = await s.run((h) => h.result());
    expect(result.launches).toBe(7);
    expect(new Set(s.calls.map((c) => c.checkpointUri))).toEqual(new Set([PLAN.checkpointUri]));
    expect(new Set(s.calls.map((c) => c.tier.name))).toEqual(new Set(['small']));
    expect(result.attempts.filter((a) => a.outcome === 'interrupted')).toHaveLength(4);
  });

  test('interruptions past their bound fail the slide instead of looping for ever', async () => {
    const s = await scenario(Array<Step>(PLAN.policy.maxInterruptions + 1).fill(spot));
    const failure = await s.run((h) => expectFailure(h));
    expect(failure.message).toContain(`interrupted ${PLAN.policy.maxInterruptions + 1} times`);
    expect(s.calls).toHaveLength(PLAN.policy.maxInterruptions + 1);
  });

  test('a failed start is retried a few times, then fails with the reason', async () => {
    const s = await scenario([pullFailure, pullFailure, pullFailure]);
    const failure = await s.run((h) => expectFailure(h));
    expect(s.calls).toHaveLength(PLAN.policy.maxStartFailures);
    expect(failure.message).toContain('CannotPullContainerError');
    expect(failure.message).toContain('failed to start 3 times');
  });

  test('a failed start that then starts succeeds', async () => {
    const s = await scenario([pullFailure, success]);
    const result = await s.run((h) => h.result());
    expect(result.attempts.map((a) => a.outcome)).toEqual(['start-failure', 'success']);
  });

  test('application errors are retried up to the budget, then fail with exit code and reason', async () => {
    const s = await scenario([appError, appError, appError]);
    const failure = await s.run((h) => expectFailure(h));
    expect(s.calls).toHaveLength(PLAN.policy.maxAppErrors);
    expect(failure.message).toContain('exit code 2');
    expect(failure.message).toContain('tiling failed');
    // The whole story, for the UI: every attempt with task ARN, stopCode, exit code, tier.
    expect(failure.message).toContain(
      'launch 1: app-error in tier small (cpu 1024, memory 4096 MiB), task arn:aws:ecs',
    );
    expect(failure.message).toContain('launch 3: app-error');
    expect(failure.details?.[0]).toHaveLength(3);
  });

  test('a task stuck in PENDING is stopped by the activity and launched again', async () => {
    const stuck: Step = { lastStatus: 'PENDING', stuck: true, stopCode: 'UserInitiated' };
    const s = await scenario([stuck, success]);
    const result = await s.run((h) => h.result());
    expect(result.attempts.map((a) => a.outcome)).toEqual(['stuck', 'success']);
  });

  test('status reports phase, task ARN, attempts, tier and progress; cancel stops the task', async () => {
    const s = await scenario(['hang']);
    await s.run(async (handle) => {
      let status = await handle.query(statusQuery);
      await waitFor('the RUNNING update to reach the workflow', async () => {
        status = await handle.query(statusQuery);
        return status.phase === 'RUNNING';
      });
      expect(status).toMatchObject({
        phase: 'RUNNING',
        taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/default/task1',
        tier: PLAN.tiers[0],
        attempts: { launches: 1 },
        progress: { done: 3, total: 10 },
      });
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      const described = await handle.describe();
      expect(described.status.name).toBe('CANCELLED');
    });
    expect(s.stops).toEqual([
      {
        cluster: 'default',
        taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/default/task1',
        reason: 'slide workflow cancelled',
      },
    ]);
  });

  test('a permanent exit code fails the slide at once, naming the code and the reason', async () => {
    const notAnImage: Step = {
      exitCode: 65,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    };
    const s = await scenario([notAnImage], {
      ...PLAN,
      policy: { ...PLAN.policy, permanentExitCodes: [2, 64, 65] },
    });
    const failure = await s.run((h) => expectFailure(h));
    expect(s.calls).toHaveLength(1);
    expect(failure.type).toBe(FailureType.SlideFailed);
    expect(failure.message).toContain('exit code 65 is permanent');
    expect(failure.message).toContain('Essential container in task exited');
    expect(failure.message).toContain('launch 1: permanent-error');
  });

  test('a run found lost but whose checkpoint is complete succeeds without another launch', async () => {
    const s = await scenario([{ lastStatus: 'MISSING', missing: true, checkpointComplete: true }]);
    const result = await s.run((h) => h.result());
    expect(result.launches).toBe(1);
    expect(result.attempts.map((a) => a.outcome)).toEqual(['success']);
  });

  describe("one slide, one run: a run under another workflow ID hands over to the slide's own", () => {
    const slide = (key: string) => ({ bucket: 'slides', key });
    const planFor = (key: string): SlidePlan => ({ ...PLAN, workflowId: slideWorkflowId('slides', key) });

    test("started with a random ID, it starts the slide's own workflow and returns its result", async () => {
      const key = 'handover/started-by-cli.svs';
      const s = await scenario([success], planFor(key));
      const result = await s.runWith(async (taskQueue) => {
        const random = await env.client.workflow.start('processSlide', {
          taskQueue,
          workflowId: `random-${taskQueue}`,
          args: [slide(key)],
        });
        const value = await random.result();
        const own = await env.client.workflow.getHandle(slideWorkflowId('slides', key)).describe();
        expect(own.status.name).toBe('COMPLETED');
        // Its own status is true after the end: the slide's result, and who held it.
        expect(await random.query(statusQuery)).toMatchObject({
          phase: 'SUCCEEDED',
          heldBy: slideWorkflowId('slides', key),
          attempts: { launches: 1 },
        });
        return value as SlideResult;
      });
      expect(result).toMatchObject({ launches: 1, slideId: PLAN.slideId });
      expect(s.calls).toHaveLength(1);
    });

    test("when the slide's own workflow already runs, it waits for it: still one task", async () => {
      const key = 'handover/already-running.svs';
      const s = await scenario(['gate'], planFor(key));
      const results = await s.runWith(async (taskQueue) => {
        const own = await env.client.workflow.start('processSlide', {
          taskQueue,
          workflowId: slideWorkflowId('slides', key),
          args: [slide(key)],
        });
        await waitFor("the slide's own run to launch its task", () => s.calls.length === 1);
        const random = await env.client.workflow.start('processSlide', {
          taskQueue,
          workflowId: `random-${taskQueue}`,
          args: [slide(key)],
        });
        // The second run waits in its hand-over activity (scheduled: "started" is written at its end).
        await waitFor('the second run to wait for the first', async () => {
          const history = await random.fetchHistory();
          return (history.events ?? []).some((e) => e.activityTaskScheduledEventAttributes);
        });
        expect(await random.query(statusQuery)).toMatchObject({
          phase: 'HANDED_OVER',
          heldBy: slideWorkflowId('slides', key),
        });
        s.open();
        const ownResult = await own.result();
        return [ownResult, await random.result()];
      });
      expect(results[1]).toEqual(results[0]);
      expect(s.calls).toHaveLength(1);
    });
  });

  test('input that is not a slide fails at once, naming the field', async () => {
    const s = await scenario([]);
    const failure = await s.run(async (h) => {
      const handle = await env.client.workflow.start('processSlide', {
        taskQueue: h.workflowId.replace(/^slide-/, ''),
        workflowId: `${h.workflowId}-bad-input`,
        args: [{ bucket: 'slides' }],
      });
      await h.cancel();
      return expectFailure(handle);
    });
    expect(failure.type).toBe(FailureType.InvalidSlideInput);
    expect(failure.message).toContain('"key" must be a non-empty string');
    expect(s.calls).toHaveLength(0);
  });

  test('a priority outside 1 to 5 is refused, naming the field', async () => {
    const s = await scenario([]);
    const failure = await s.run(async (h) => {
      const handle = await env.client.workflow.start('processSlide', {
        taskQueue: h.workflowId.replace(/^slide-/, ''),
        workflowId: `${h.workflowId}-bad-priority`,
        args: [{ bucket: 'slides', key: 'a.svs', priority: 9 }],
      });
      await h.cancel();
      return expectFailure(handle);
    });
    expect(failure.type).toBe(FailureType.InvalidSlideInput);
    expect(failure.message).toContain('"priority" must be a whole number from 1 (most urgent) to 5');
    // The refused run asked for no lease (the scenario's own run may have, before its cancel).
    expect(s.admissions.filter((a) => a.holder.endsWith('-bad-priority'))).toHaveLength(0);
  });
});
