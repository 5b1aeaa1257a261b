// The project's ECS requests, built in one place: what the activities send, and what the
// contract test sends to moto to prove real ECS's shapes are respected.
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import type { Settings } from '../settings/settings';
import type { RunEcsTaskInput } from '../workflows/types';
import { TASK_ENV } from '@wsi-orchestrator/task-contract';

/** Tag keys on every task the orchestrator launches. */
export const TAG_SLIDE_ID = 'wsi:slide-id';
export const TAG_LAUNCH = 'wsi:launch';
export const TAG_WORKFLOW_RUN = 'wsi:workflow-run';

export interface LaunchIdentity {
  clientToken: string;
  startedBy: string;
  workflowRunId: string;
}

export function buildRunTaskInput(
  ecs: Settings['ecs'],
  input: RunEcsTaskInput,
  identity: LaunchIdentity,
): RunTaskCommandInput {
  const awsvpc = ecs.subnets.length > 0;
  return {
    cluster: input.cluster,
    taskDefinition: input.taskDefinition ?? ecs.taskDefinition,
    count: 1,
    clientToken: identity.clientToken,
    startedBy: identity.startedBy,
    ...(ecs.capacityProviderStrategy
      ? { capacityProviderStrategy: ecs.capacityProviderStrategy }
      : { launchType: ecs.launchType }),
    ...(ecs.platformVersion ? { platformVersion: ecs.platformVersion } : {}),
    ...(awsvpc
      ? {
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: ecs.subnets,
              securityGroups: ecs.securityGroups.length > 0 ? ecs.securityGroups : undefined,
              assignPublicIp: ecs.assignPublicIp,
            },
          },
        }
      : {}),
    overrides: {
      cpu: String(input.tier.cpu),
      memory: String(input.tier.memory),
      containerOverrides: [
        {
          name: ecs.containerName,
          environment: [
            { name: TASK_ENV.slideBucket, value: input.bucket },
            { name: TASK_ENV.slideKey, value: input.key },
            { name: TASK_ENV.slideId, value: input.slideId },
            { name: TASK_ENV.checkpointUri, value: input.checkpointUri },
            { name: TASK_ENV.outputUri, value: input.outputUri },
          ],
        },
      ],
    },
    tags: [
      { key: TAG_SLIDE_ID, value: input.slideId },
      { key: TAG_LAUNCH, value: String(input.launchNumber) },
      { key: TAG_WORKFLOW_RUN, value: identity.workflowRunId },
    ],
  };
}
