// stopEcsTask: the cleanup of a cancelled slide. Stops its task (and any other live task
// of the slide, in case the workflow had not heard of it yet) and waits until
// ECS reports them STOPPED, so a cancelled slide leaves nothing running.
import type { ECSClient } from '@aws-sdk/client-ecs';
import { Context } from '@temporalio/activity';
import type { Settings } from '../settings/settings';
import type { TaskStatusPoller } from '../ecs/poller';
import { listLiveTasks, stopTask } from '../ecs/tasks';
import { slideStartedBys } from '../slides/identity';
import type { StopEcsTaskInput } from './api';
import { waitUntilStopped } from './live-tasks';

export interface StopDeps {
  ecs: ECSClient;
  poller: TaskStatusPoller;
  settings: Pick<Settings, 'ecs'>;
}

export async function stopEcsTask(deps: StopDeps, input: StopEcsTaskInput): Promise<void> {
  const { workflowId = '', runId = '' } = Context.current().info.workflowExecution ?? {};
  const live = await listLiveTasks(deps.ecs, input.cluster, slideStartedBys(workflowId, runId));
  const arns = [...new Set([...(input.taskArn ? [input.taskArn] : []), ...live])];
  await Promise.all(arns.map((arn) => stopTask(deps.ecs, input.cluster, arn, input.reason)));

  await waitUntilStopped(deps, input.cluster, arns, Date.now() + deps.settings.ecs.stopWaitMs);
}
