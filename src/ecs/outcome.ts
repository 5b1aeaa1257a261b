// Turns ECS's Task into the plain TaskOutcome the workflow decides on.
import type { Task } from '@aws-sdk/client-ecs';
import type { Progress, TaskOutcome } from '../workflows/types';

const ms = (d: Date | undefined): number | undefined => (d ? d.getTime() : undefined);

export function taskToOutcome(
  task: Task,
  launchNumber: number,
  containerName: string,
  extra: { stuck?: boolean; progress?: Progress } = {},
): TaskOutcome {
  // The processor's container only: a sidecar's exit 0 must not pass for the slide's. A lone
  // container under another name is still the task's; no container at all means no exit code.
  const containers = task.containers ?? [];
  const container =
    containers.find((c) => c.name === containerName) ?? (containers.length === 1 ? containers[0] : undefined);
  return {
    taskArn: task.taskArn ?? '',
    launchNumber,
    lastStatus: task.lastStatus ?? 'UNKNOWN',
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    exitCode: container?.exitCode ?? undefined,
    containerReason: container?.reason,
    createdAt: ms(task.createdAt),
    startedAt: ms(task.startedAt),
    stoppedAt: ms(task.stoppedAt ?? task.executionStoppedAt),
    ...(task.capacityProviderName ? { capacityProviderName: task.capacityProviderName } : {}),
    ...(extra.stuck ? { stuck: true } : {}),
    ...(extra.progress ? { progress: extra.progress } : {}),
  };
}
