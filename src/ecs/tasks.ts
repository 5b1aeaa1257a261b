// The ECS calls around one slide's tasks: launch, find again after a crash, stop.
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/errors';
import { classifyRunTaskFailure, toActivityFailure } from './errors';
import { allPages, inChunks, MAX_ARNS_PER_CALL } from './paging';
import { TAG_LAUNCH, TAG_WORKFLOW_RUN } from './requests';

/** How one RunTask call was answered, for the worker's metrics. */
export type RunTaskResult = 'placed' | 'failures' | 'throttled' | 'error';
export type RunTaskObserver = (answer: { result: RunTaskResult; reasons: string[] }) => void;

/**
 * RunTask. Returns the task's ARN; throws a retryable EcsNoCapacity failure when ECS
 * answers only failures[] (after `capacityDeadline`, a non-retryable timeout), and the
 * classified AWS error otherwise. A task in the answer always wins over failures[]: ECS
 * documents that failures[] is not always reliable, so treating both as "no task" could
 * start a duplicate.
 */
export async function runTask(
  ecs: ECSClient,
  request: RunTaskCommandInput,
  capacityDeadline: number,
  observe: RunTaskObserver = () => undefined,
): Promise<string> {
  let out;
  try {
    out = await ecs.send(new RunTaskCommand(request));
  } catch (err) {
    const failure = toActivityFailure(err, 'RunTask');
    observe({ result: failure.type === FailureType.EcsTransient ? 'throttled' : 'error', reasons: [] });
    throw failure;
  }
  const arn = out.tasks?.find((t) => t.taskArn)?.taskArn;
  if (arn) {
    observe({ result: 'placed', reasons: [] });
    return arn;
  }

  const failures = (out.failures ?? []).map(
    (f) => `${f.reason ?? 'UNKNOWN'}${f.detail ? ` (${f.detail})` : ''}`,
  );
  const summary = failures.join(', ') || 'no task and no failure in the answer';
  const verdicts = (out.failures ?? []).map((f) => classifyRunTaskFailure(f.reason, f.detail));
  const throttled =
    verdicts.length > 0 && verdicts.every((v) => v !== 'configuration') && verdicts.includes('transient');
  // The reason's kind only (RESOURCE:MEMORY, AGENT, ...): details would explode the labels.
  const reasons = (out.failures ?? []).map((f) => (f.reason ?? 'UNKNOWN').slice(0, 40));
  observe({ result: throttled ? 'throttled' : 'failures', reasons });
  if (throttled) {
    throw ApplicationFailure.retryable(`RunTask was throttled: ${summary}`, FailureType.EcsTransient);
  }
  if (verdicts.every((v) => v === 'no-capacity')) {
    if (Date.now() > capacityDeadline) {
      throw ApplicationFailure.nonRetryable(
        `no ECS capacity until the wait bound passed (${new Date(capacityDeadline).toISOString()}): ${summary}`,
        FailureType.EcsNoCapacityTimeout,
      );
    }
    throw ApplicationFailure.retryable(`RunTask found no capacity: ${summary}`, FailureType.EcsNoCapacity);
  }
  throw ApplicationFailure.nonRetryable(`RunTask failed: ${summary}`, FailureType.EcsConfiguration);
}

/**
 * Live tasks started with `startedBy`. ECS documents `startedBy` as a filter that must be
 * the only one, so no `desiredStatus`: the default (RUNNING) lists the tasks not yet told
 * to stop. STOPPED tasks are found by the ARNs the workflow knows (DescribeTasks), and a
 * retried RunTask's clientToken returns a task launched before a crash, stopped or not.
 */
async function listByStartedBy(ecs: ECSClient, cluster: string, startedBy: string): Promise<string[]> {
  return allPages(async (nextToken) => {
    const out = await ecs.send(new ListTasksCommand({ cluster, startedBy, nextToken }));
    return { items: out.taskArns, nextToken: out.nextToken };
  });
}

/** A live task of one slide, with the run and launch its tags name. */
export interface SlideTask {
  taskArn: string;
  lastStatus?: string;
  /** The workflow run that launched it (tag wsi:workflow-run). */
  runId?: string;
  /** Its launch number within that run (tag wsi:launch). */
  launch?: number;
}

/** Live tasks started with any of `startedBys` (a slide's, and its legacy per-run one), with their tags. */
export async function listSlideTasks(
  ecs: ECSClient,
  cluster: string,
  startedBys: readonly string[],
): Promise<SlideTask[]> {
  try {
    const arns = [
      ...new Set((await Promise.all(startedBys.map((sb) => listByStartedBy(ecs, cluster, sb)))).flat()),
    ];
    return await inChunks(arns, MAX_ARNS_PER_CALL, async (chunk) => {
      const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk, include: ['TAGS'] }));
      return (out.tasks ?? []).map((t) => {
        const tag = (key: string) => t.tags?.find((x) => x.key === key)?.value;
        const launch = Number(tag(TAG_LAUNCH));
        return {
          taskArn: t.taskArn ?? '',
          lastStatus: t.lastStatus,
          runId: tag(TAG_WORKFLOW_RUN),
          launch: Number.isInteger(launch) ? launch : undefined,
        };
      });
    });
  } catch (err) {
    throw toActivityFailure(err, 'ListTasks/DescribeTasks');
  }
}

/**
 * The live task run `runId` launched as launch number `launchNumber`, if any: found by the
 * slide's `startedBy` and the run and launch tags. Covers a crash between RunTask and the
 * first heartbeat. A task that already stopped is not listed; the retried RunTask's
 * clientToken then answers with it.
 */
export async function findLaunchedTask(
  ecs: ECSClient,
  cluster: string,
  startedBys: readonly string[],
  runId: string,
  launchNumber: number,
): Promise<string | undefined> {
  const tasks = await listSlideTasks(ecs, cluster, startedBys);
  return tasks.find((t) => t.runId === runId && t.launch === launchNumber)?.taskArn;
}

/** ARNs of the live tasks started with any of `startedBys`. */
export async function listLiveTasks(
  ecs: ECSClient,
  cluster: string,
  startedBys: readonly string[],
): Promise<string[]> {
  try {
    const lists = await Promise.all(startedBys.map((sb) => listByStartedBy(ecs, cluster, sb)));
    return [...new Set(lists.flat())];
  } catch (err) {
    throw toActivityFailure(err, 'ListTasks');
  }
}

/**
 * StopTask. `not-found` when ECS does not see the task: launched a moment ago (StopTask reads
 * the same eventually consistent side as DescribeTasks), or stopped and forgotten long ago.
 */
export async function stopTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
): Promise<'stopping' | 'not-found'> {
  try {
    // ECS limits the reason to 255 characters.
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
    return 'stopping';
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'InvalidParameterException' && /referenced task was not found/i.test(e.message ?? ''))
      return 'not-found';
    throw toActivityFailure(err, 'StopTask');
  }
}
