// stopEcsTask: the cleanup of a cancelled slide. Stops its task (and any other live task
// of the slide, in case the workflow had not heard of it yet) and waits until
// ECS reports them STOPPED, so a cancelled slide leaves nothing running.
import type { ECSClient } from '@aws-sdk/client-ecs';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Settings } from '../settings/settings';
import type { TaskStatusPoller } from '../ecs/poller';
import { listLiveTasks, stopTask } from '../ecs/tasks';
import { slideStartedBys } from '../slides/identity';
import { FailureType } from '../workflows/errors';
import type { StopEcsTaskInput } from './api';
import { waitUntilStopped } from './live-tasks';

export interface StopDeps {
  ecs: ECSClient;
  poller: TaskStatusPoller;
  settings: Pick<Settings, 'ecs'>;
}

/** The cleanup's retry policy allows 5 attempts (src/workflows/process-slide.ts). */
const NOT_FOUND_ATTEMPTS = 5;

export async function stopEcsTask(deps: StopDeps, input: StopEcsTaskInput): Promise<void> {
  const { workflowId = '', runId = '' } = Context.current().info.workflowExecution ?? {};
  const live = await listLiveTasks(deps.ecs, input.cluster, slideStartedBys(workflowId, runId));
  const arns = [...new Set([...(input.taskArn ? [input.taskArn] : []), ...live])];
  const answers = await Promise.all(arns.map((arn) => stopTask(deps.ecs, input.cluster, arn, input.reason)));
  const unseen = arns.filter((_, i) => answers[i] === 'not-found');
  // A task launched a moment ago is not visible to StopTask yet: try again (the retry policy
  // backs off) rather than leave it running. On the last attempt "not found" means long gone.
  if (unseen.length > 0 && Context.current().info.attempt < NOT_FOUND_ATTEMPTS) {
    throw ApplicationFailure.retryable(
      `ECS does not see ${unseen.join(', ')} yet (eventual consistency); stopping again`,
      FailureType.EcsTransient,
    );
  }

  await waitUntilStopped(deps, input.cluster, arns, Date.now() + deps.settings.ecs.stopWaitMs);
}
