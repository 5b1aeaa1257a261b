// What a running slide's task is doing now, read from its pending runEcsTask activity's
// heartbeat details (describe, no history): the workflow itself hears only RUNNING and the
// half-way mark, so fine progress and ECS's own status come from here.
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunEcsTaskHeartbeat } from '../activities/run-ecs-task';

type Description = Awaited<ReturnType<WorkflowHandle['describe']>>;

export function liveTaskOf(description: Description): RunEcsTaskHeartbeat | undefined {
  const pending = description.raw.pendingActivities ?? [];
  const task = pending.find((a) => a.activityType?.name === 'runEcsTask');
  const payload = task?.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<RunEcsTaskHeartbeat>(payload);
  } catch {
    return undefined; // Details in a shape this CLI does not know: show what the workflow says.
  }
}
