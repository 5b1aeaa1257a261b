// The ECS calls around one slide's tasks: launch, find again after a crash, stop.
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type DesiredStatus,
  type ECSClient,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/errors';
import { classifyRunTaskFailure, toActivityFailure } from './errors';
import { allPages, inChunks, MAX_ARNS_PER_CALL } from './paging';
import { TAG_LAUNCH } from './requests';

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

async function listByStartedBy(
  ecs: ECSClient,
  cluster: string,
  startedBy: string,
  desiredStatus: DesiredStatus,
) {
  return allPages(async (nextToken) => {
    const out = await ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus, nextToken }));
    return { items: out.taskArns, nextToken: out.nextToken };
  });
}

/**
 * The task this workflow run launched as launch number `launchNumber`, if any: found by
 * `startedBy` and the launch tag. Covers a crash between RunTask and the first heartbeat.
 */
export async function findLaunchedTask(
  ecs: ECSClient,
  cluster: string,
  startedBy: string,
  launchNumber: number,
): Promise<string | undefined> {
  try {
    const arns = [
      ...(await listByStartedBy(ecs, cluster, startedBy, 'RUNNING')),
      ...(await listByStartedBy(ecs, cluster, startedBy, 'STOPPED')),
    ];
    const tasks = await inChunks(arns, MAX_ARNS_PER_CALL, async (chunk) => {
      const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk, include: ['TAGS'] }));
      return out.tasks ?? [];
    });
    const found = tasks.find((t) =>
      (t.tags ?? []).some((tag) => tag.key === TAG_LAUNCH && tag.value === String(launchNumber)),
    );
    return found?.taskArn;
  } catch (err) {
    throw toActivityFailure(err, 'ListTasks/DescribeTasks');
  }
}

/** Tasks of this workflow run that are not yet stopped. */
export async function listLiveTasks(ecs: ECSClient, cluster: string, startedBy: string): Promise<string[]> {
  try {
    return await listByStartedBy(ecs, cluster, startedBy, 'RUNNING');
  } catch (err) {
    throw toActivityFailure(err, 'ListTasks');
  }
}

export async function stopTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
): Promise<void> {
  try {
    // ECS limits the reason to 255 characters.
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
  } catch (err) {
    throw toActivityFailure(err, 'StopTask');
  }
}
