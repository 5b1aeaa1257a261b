// runEcsTask: one ECS task's whole life in one activity, so one held `ecs-tasks` slot is
// one task in flight. Launches (or reattaches to) the task, heartbeats {taskArn, progress},
// waits on the worker's shared poller until the task stops, and returns how it ended.
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { Settings } from '../settings/settings';
import { taskToOutcome } from '../ecs/outcome';
import type { TaskStatusPoller } from '../ecs/poller';
import { buildRunTaskInput } from '../ecs/requests';
import { findLaunchedTask, runTask, stopTask, type RunTaskObserver } from '../ecs/tasks';
import { clientTokenFor, slideStartedBys, startedByFor } from '../slides/identity';
import type { Progress, RunEcsTaskInput, TaskOutcome, TaskUpdate } from '../workflows/types';
import { FailureType } from '../workflows/errors';
import { readCheckpoint, readProgress } from './checkpoint';
import { judgeMissingTask, stopLiveTasks } from './live-tasks';
import { TaskUpdateGate, worthReportingCapacityWait } from './task-updates';

/** Heartbeat details: what a retried attempt needs to reattach instead of launching again. */
export interface RunEcsTaskHeartbeat {
  taskArn: string;
  launchNumber: number;
  lastStatus?: string;
  progress?: Progress;
  /** Epoch ms ECS last described the task (or launched it): MISSING is judged from here. */
  lastSeenAt?: number;
}

/** Tells the workflow about its task (a signal in production); failures are ignored. */
export type TaskUpdateReporter = (
  workflow: { workflowId: string; runId: string },
  update: TaskUpdate,
) => Promise<void>;

export interface EcsActivityDeps {
  ecs: ECSClient;
  s3: S3Client;
  poller: TaskStatusPoller;
  settings: Pick<Settings, 'ecs' | 'progressIntervalMs'>;
  report: TaskUpdateReporter;
  /** Counts RunTask answers (the worker's metrics). */
  observeRunTask?: RunTaskObserver;
  /**
   * Returns the launch's lease to the cluster budget (a signal in production). Called as soon
   * as the task is STOPPED (or was never launched), before the activity completes: the next
   * waiting launch is granted without waiting for the slide's own workflow task.
   */
  releaseLease?: LeaseReleaser;
}

export type LeaseReleaser = (
  cluster: string,
  lease: { holder: string; runId: string; launch: number },
) => Promise<void>;

const PRE_RUNNING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);
/** With a scaling capacity provider PROVISIONING is a wait for instances, not a hang. */
const PRE_RUNNING_PLACED = new Set(['PENDING', 'ACTIVATING']);

/** Reports updates of this launch to its workflow, fire-and-forget: progress is never worth failing for. */
function reporterFor(
  deps: EcsActivityDeps,
  input: RunEcsTaskInput,
): (update: Omit<TaskUpdate, 'launchNumber'>) => void {
  const { workflowId = '', runId = '' } = Context.current().info.workflowExecution ?? {};
  return (update) => {
    deps
      .report({ workflowId, runId }, { launchNumber: input.launchNumber, ...update })
      .catch(() => undefined);
  };
}

export async function runEcsTask(deps: EcsActivityDeps, input: RunEcsTaskInput): Promise<TaskOutcome> {
  const { workflowId = '', runId = '' } = Context.current().info.workflowExecution ?? {};
  let released = false;
  const releaseLease = async (): Promise<void> => {
    if (released || !deps.releaseLease) return;
    try {
      await deps.releaseLease(input.cluster, { holder: workflowId, runId, launch: input.launchNumber });
      released = true;
    } catch {
      // The workflow returns the lease itself when the outcome does not say it is back.
    }
  };
  const outcome = await launchAndSupervise(deps, input, releaseLease);
  await releaseLease();
  return released ? { ...outcome, leaseReleased: true } : outcome;
}

/** `stopped` returns the lease the moment the task is seen STOPPED, before the last checkpoint read. */
async function launchAndSupervise(
  deps: EcsActivityDeps,
  input: RunEcsTaskInput,
  stopped: () => Promise<void>,
): Promise<TaskOutcome> {
  const ctx = Context.current();
  const { workflowId = '', runId = '' } = ctx.info.workflowExecution ?? {};
  const startedBy = startedByFor(workflowId);
  const startedBys = slideStartedBys(workflowId, runId);
  const report = reporterFor(deps, input);

  // Reattach: the last heartbeat names the task; failing that (a crash between RunTask and
  // the first heartbeat), the slide's startedBy and the run and launch tags find it.
  const previous = ctx.info.heartbeatDetails as RunEcsTaskHeartbeat | undefined;
  let taskArn = previous?.launchNumber === input.launchNumber ? previous.taskArn : undefined;
  if (!taskArn && ctx.info.attempt > 1) {
    taskArn = await findLaunchedTask(deps.ecs, input.cluster, startedBys, runId, input.launchNumber);
  }
  let lastSeenAt = taskArn ? (previous?.lastSeenAt ?? Date.now()) : Date.now();
  if (!taskArn) {
    // A new launch: no other task of this slide may still be alive, whoever started it (an
    // earlier launch of this run, a terminated or reset run, an earlier submission). Each is
    // stopped and awaited. An earlier launch of this run leaves its checkpoint to this one; a
    // closed run's task wrote to that run's own checkpoint, and this run starts from its own.
    // (This run's own pre-upgrade startedBy can only name an earlier launch of this run.)
    await stopLiveTasks(
      deps,
      input.cluster,
      input.launchNumber > 1 ? startedBys : [startedBy],
      `wsi-orchestrator: replaced by launch ${input.launchNumber} of workflow run ${runId}`,
    );
    if (input.launchNumber > 1) {
      // A slide whose checkpoint says complete is done: nothing to launch.
      const checkpoint = await readCheckpoint(deps.s3, input.checkpointUri);
      if (checkpoint.complete) {
        return {
          taskArn: '',
          launchNumber: input.launchNumber,
          lastStatus: 'NOT_LAUNCHED',
          notLaunched: true,
          checkpointComplete: true,
          progress: checkpoint.progress,
        };
      }
    }
  }
  if (!taskArn) {
    // LAUNCHING is the workflow's own phase once the lease is granted: nothing to push here.
    const request = buildRunTaskInput(deps.settings.ecs, input, {
      clientToken: clientTokenFor(workflowId, runId, input.launchNumber),
      startedBy,
      workflowRunId: runId,
    });
    try {
      taskArn = await runTask(deps.ecs, request, input.capacityDeadline, deps.observeRunTask);
    } catch (err) {
      if (
        (err as { type?: string }).type === FailureType.EcsNoCapacity &&
        worthReportingCapacityWait(ctx.info.attempt)
      )
        report({ phase: 'WAITING_FOR_CAPACITY' });
      throw err;
    }
    lastSeenAt = Date.now();
  }
  ctx.heartbeat({
    taskArn,
    launchNumber: input.launchNumber,
    progress: previous?.progress,
    lastSeenAt,
  } satisfies RunEcsTaskHeartbeat);
  const resumed = previous?.launchNumber === input.launchNumber ? previous : undefined;
  return await supervise(deps, input, { taskArn, startedBys, lastSeenAt }, resumed, report, stopped);
}

async function supervise(
  deps: EcsActivityDeps,
  input: RunEcsTaskInput,
  launched: { taskArn: string; startedBys: readonly string[]; lastSeenAt: number },
  resumed: RunEcsTaskHeartbeat | undefined,
  report: ReturnType<typeof reporterFor>,
  stopped: () => Promise<void>,
): Promise<TaskOutcome> {
  const ctx = Context.current();
  const { containerName, missingGraceMs } = deps.settings.ecs;
  const { taskArn, startedBys } = launched;
  let { lastSeenAt } = launched;
  const release = deps.poller.watch(input.cluster, taskArn);
  let round = 0;
  let lastStatus: string | undefined;
  let progress = resumed?.progress;
  let progressReadAt = 0;
  let stuck = false;
  let placedAt: number | undefined;
  let lastTask: Task | undefined;
  // Fine-grained state goes to the heartbeat below; the workflow hears a bounded few changes.
  const updates = new TaskUpdateGate(resumed);

  const refreshProgress = async (): Promise<void> => {
    progressReadAt = Date.now();
    const read = await readProgress(deps.s3, input.checkpointUri);
    if (read) progress = read;
  };

  try {
    for (;;) {
      const snapshot = await deps.poller.next(taskArn, round, ctx.cancellationSignal);
      round = snapshot.round;
      if (snapshot.task && !snapshot.missing && !snapshot.error) lastSeenAt = Date.now();
      // Judged by time since the task was launched or last described, never by poll rounds:
      // with a 1 s poll interval three rounds are three seconds of ECS's eventual consistency.
      if (snapshot.missing && Date.now() - lastSeenAt >= missingGraceMs) {
        const verdict = await judgeMissingTask(deps, input.cluster, startedBys, taskArn, input.checkpointUri);
        if (verdict.kind === 'alive') {
          lastSeenAt = Date.now();
        } else {
          return {
            taskArn,
            launchNumber: input.launchNumber,
            lastStatus: 'MISSING',
            missing: true,
            ...(verdict.kind === 'finished' ? { checkpointComplete: true } : {}),
            progress: verdict.checkpoint.progress ?? progress,
          };
        }
      }
      const task = snapshot.task;
      if (task) {
        lastTask = task;
        lastStatus = task.lastStatus;
        if (lastStatus === 'STOPPED') {
          await stopped();
          await refreshProgress();
          return taskToOutcome(task, input.launchNumber, containerName, { stuck, progress });
        }
        if (lastStatus === 'RUNNING' && Date.now() - progressReadAt >= deps.settings.progressIntervalMs) {
          await refreshProgress();
        }
        const update = updates.next({ taskArn, lastStatus, progress });
        if (update) report(update);
        // The stuck clock starts at creation, or, while a capacity provider may keep the task
        // in PROVISIONING for new instances, once it has a place (first seen PENDING).
        const stuckStates = input.provisioningWaitsForCapacity ? PRE_RUNNING_PLACED : PRE_RUNNING;
        if (input.provisioningWaitsForCapacity && stuckStates.has(lastStatus ?? '')) placedAt ??= Date.now();
        const stuckSince = input.provisioningWaitsForCapacity ? placedAt : task.createdAt?.getTime();
        if (
          !stuck &&
          stuckStates.has(lastStatus ?? '') &&
          Date.now() - (stuckSince ?? Date.now()) > input.stuckAfterMs
        ) {
          stuck = true;
          await stopTask(
            deps.ecs,
            input.cluster,
            taskArn,
            `wsi-orchestrator: stuck in ${lastStatus} for more than ${Math.round(input.stuckAfterMs / 1000)} s`,
          );
        }
      }
      ctx.heartbeat({
        taskArn,
        launchNumber: input.launchNumber,
        lastStatus,
        progress,
        lastSeenAt,
      } satisfies RunEcsTaskHeartbeat);
    }
  } catch (err) {
    if (ctx.cancellationSignal.aborted) {
      const details = ctx.cancellationDetails;
      // Only a cancel of the slide stops its task. A worker shutting down or a heartbeat
      // timeout leaves the task running for the next attempt to reattach to.
      if (details?.cancelRequested && lastTask?.lastStatus !== 'STOPPED') {
        await stopTask(deps.ecs, input.cluster, taskArn, 'slide workflow cancelled').catch(() => undefined);
      }
      throw err instanceof CancelledFailure ? err : new CancelledFailure('runEcsTask cancelled');
    }
    throw err;
  } finally {
    release();
  }
}
