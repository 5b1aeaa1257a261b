// A slide's history is bounded by its launches, not its duration. On the time-skipping
// server, runEcsTask is replaced by a simulated 48-hour task that reads its progress every
// 15 s (11,520 readings) and tells its workflow what the real activity's TaskUpdateGate lets
// through, as the real worker does (a signal per update). The history stays under a fixed
// bound, and a relaunch adds a fixed number of events.
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TaskUpdateGate } from '../../src/activities/task-updates';
import { createProjectMetrics } from '../../src/metrics/registry';
import { slideMetricsSinks } from '../../src/metrics/slide-sinks';
import type { AdmitLaunchInput, Lease } from '../../src/workflows/budget-types';
import { startTimeSkippingServer } from '../../dev/temporal/environment';
import { statusQuery, taskUpdateSignal } from '../../src/workflows/definitions';
import type {
  Progress,
  RunEcsTaskInput,
  SlidePlan,
  SlideResult,
  SlideStatus,
  TaskOutcome,
} from '../../src/workflows/types';

const HOUR = 3_600_000;
const TASK_MS = 48 * HOUR;
const PROGRESS_INTERVAL_MS = 15_000;
const READINGS = TASK_MS / PROGRESS_INTERVAL_MS;
/**
 * Events of a one-launch slide, however long its task runs: about 40. The exact count moves
 * by a workflow task (3 events) or two with timing, as signals and activity results land in
 * one workflow task or in several; what must not happen is growth with the task's duration.
 */
const HAPPY_PATH_BOUND = 46;
/** Events one more launch may add. */
const PER_RELAUNCH_BOUND = 30;

const PLAN: SlidePlan = {
  slideId: 'long-slide',
  cluster: 'default',
  tiers: [{ name: 'small', cpu: 1024, memory: 4096 }],
  firstTier: 0,
  checkpointUri: 's3://work/checkpoints/long.json',
  outputUri: 's3://work/outputs/long/',
  ecsTaskQueue: 'unused',
  admissionTaskQueue: 'unused',
  policy: {
    maxAppErrors: 3,
    maxStartFailures: 3,
    maxInterruptions: 5,
    maxStuck: 2,
    stuckAfterMs: 600_000,
    capacityWaitMs: HOUR,
    relaunchBackoffMs: 10_000,
    maxTaskDurationMs: 49 * HOUR,
    heartbeatTimeoutMs: 60_000,
    retryInitialIntervalMs: 10,
    retryMaxIntervalMs: 50,
  },
};

describe('a 48-hour slide writes a bounded history', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let n = 0;
  const metrics = createProjectMetrics();

  beforeAll(async () => {
    env = await startTimeSkippingServer();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /**
   * Runs one slide whose launches each simulate `TASK_MS` of a task reading progress every
   * 15 s; `interruptAt` (a share of the work) ends the first launch with a spot interruption.
   */
  async function runLongSlide(interruptAt?: number): Promise<{
    result: SlideResult;
    events: number;
    signals: number;
    seenProgress: Progress[];
  }> {
    const taskQueue = `long-slide-${++n}`;
    const plan = { ...PLAN, ecsTaskQueue: taskQueue, admissionTaskQueue: taskQueue };
    const seenProgress: Progress[] = [];
    let checkpoint = 0;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      sinks: slideMetricsSinks(metrics),
      activities: {
        planSlide: async () => plan,
        admitLaunch: async (input: AdmitLaunchInput): Promise<Lease> => ({ ...input, grantedAt: Date.now() }),
        stopEcsTask: async () => undefined,
        runEcsTask: async (input: RunEcsTaskInput): Promise<TaskOutcome> => {
          const ctx = Context.current();
          const { workflowId = '', runId } = ctx.info.workflowExecution ?? {};
          const handle = env.client.workflow.getHandle(workflowId, runId);
          const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/default/long${input.launchNumber}`;
          // A new launch is a new activity: no heartbeat details, a fresh gate.
          const gate = new TaskUpdateGate();
          const tell = async (lastStatus: string, progress?: Progress): Promise<void> => {
            ctx.heartbeat({ taskArn, launchNumber: input.launchNumber, lastStatus, progress });
            const update = gate.next({ taskArn, lastStatus, progress });
            if (update)
              await handle.signal(taskUpdateSignal, { launchNumber: input.launchNumber, ...update });
          };
          await tell('PROVISIONING');
          await tell('PENDING');
          const stopAt =
            interruptAt !== undefined && input.launchNumber === 1 ? interruptAt * READINGS : READINGS;
          for (; checkpoint < stopAt; checkpoint++) {
            await tell('RUNNING', { done: checkpoint, total: READINGS });
            // Mid-run, the workflow's own status shows the coarse progress it was told.
            if (checkpoint === Math.floor(READINGS * 0.6)) {
              const status: SlideStatus = await handle.query(statusQuery);
              if (status.progress) seenProgress.push(status.progress);
            }
          }
          await tell('DEPROVISIONING', { done: checkpoint, total: READINGS });
          const interrupted = checkpoint < READINGS;
          return {
            taskArn,
            launchNumber: input.launchNumber,
            lastStatus: 'STOPPED',
            createdAt: 0,
            startedAt: 0,
            stoppedAt: interrupted ? interruptAt! * TASK_MS : TASK_MS,
            ...(interrupted
              ? { exitCode: 143, stopCode: 'SpotInterruption' }
              : { exitCode: 0, stopCode: 'EssentialContainerExited' }),
            progress: { done: checkpoint, total: READINGS },
          };
        },
      },
    });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start('processSlide', {
        taskQueue,
        workflowId: `long-slide-${taskQueue}`,
        args: [{ bucket: 'slides', key: 'long/slide.svs' }],
      });
      const result = (await handle.result()) as SlideResult;
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      return {
        result,
        events: events.length,
        signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length,
        seenProgress,
      };
    });
  }

  test('one 48-hour launch reading progress every 15 s: under the happy-path bound', async () => {
    const run = await runLongSlide();
    expect(run.result.launches).toBe(1);
    expect(run.result.taskSeconds).toBe(TASK_MS / 1000);
    expect(run.events).toBeLessThanOrEqual(HAPPY_PATH_BOUND);
    // RUNNING with the task's ARN, and the half-way milestone.
    expect(run.signals).toBeLessThanOrEqual(2);
    // The status query still showed progress, coarse: the 50% milestone at 60% of the work.
    expect(run.seenProgress).toEqual([{ done: READINGS / 2, total: READINGS }]);
    // 48 h of a 1 vCPU / 4 GB task at the default on-demand prices.
    expect(run.result.cost).toBeCloseTo(48 * (0.04048 + 4 * 0.004445), 6);
    console.log(`48-hour slide: ${READINGS} progress readings, ${run.signals} signals, ${run.events} events`);
  });

  test('interrupted halfway and resumed: one relaunch adds a fixed number of events', async () => {
    const run = await runLongSlide(0.5);
    expect(run.result.attempts.map((a) => a.outcome)).toEqual(['interrupted', 'success']);
    expect(run.events).toBeLessThanOrEqual(HAPPY_PATH_BOUND + PER_RELAUNCH_BOUND);
    console.log(`48-hour slide with one interruption: ${run.signals} signals, ${run.events} events`);
  });
});
