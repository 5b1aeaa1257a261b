// The failures[] entry RunTask answers for a task it could not place. EC2 names the container
// instance and the short resource; Fargate has no instances to name and, when its pool is
// dry, says "Capacity is unavailable..." (AWS knowledge center, ecs-fargate-runtask-capacity).
import type { PlacementFailure } from './capacity';
import type { JsonObject } from './protocol';

export const FARGATE_CAPACITY_UNAVAILABLE =
  'Capacity is unavailable at this time. Please try again later or in a different availability zone';

export function placementFailure(
  short: PlacementFailure,
  launchType: string,
  instanceArn: string,
  fargateCapacityMessage: boolean,
): JsonObject {
  if (launchType === 'FARGATE' && fargateCapacityMessage) return { reason: FARGATE_CAPACITY_UNAVAILABLE };
  return { arn: instanceArn, reason: short };
}
