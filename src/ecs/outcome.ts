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
  const container = task.containers?.find((c) => c.name === containerName) ?? task.containers?.[0];
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
    ...(extra.stuck ? { stuck: true } : {}),
    ...(extra.progress ? { progress: extra.progress } : {}),
  };
}
