// planSlide: resolves once, at the start of a slide, what the workflow needs: the slide's
// size (from S3 when not given), its first tier, where its checkpoint and outputs go, and
// the policy. Settings are read here, in an activity, so the workflow stays deterministic
// and a settings change applies to new slides without breaking running ones.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { joinS3Uri } from '@wsi-orchestrator/task-contract';
import type { Settings } from '../settings/settings';
import { slideId as slideIdOf, slideWorkflowId } from '../slides/identity';
import { routeTaskDefinition } from '../slides/routing';
import { chooseFirstTier } from '../workflows/decide';
import { FailureType } from '../workflows/errors';
import type { SlideInput, SlidePlan } from '../workflows/types';

export interface PlanDeps {
  s3: S3Client;
  settings: Pick<
    Settings,
    | 'ecs'
    | 'ecsTaskQueue'
    | 'budget'
    | 'tiers'
    | 'checkpointUriPrefix'
    | 'outputUriPrefix'
    | 'policy'
    | 'prices'
  >;
}

async function slideSize(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) {
      throw ApplicationFailure.nonRetryable(
        `slide s3://${bucket}/${key} does not exist`,
        FailureType.SlideNotFound,
      );
    }
    if (status === 403) {
      throw ApplicationFailure.nonRetryable(
        `access denied reading s3://${bucket}/${key}: grant the worker s3:GetObject on it`,
        FailureType.EcsConfiguration,
      );
    }
    throw err;
  }
}

export async function planSlide(deps: PlanDeps, input: SlideInput): Promise<SlidePlan> {
  const { settings } = deps;
  const sizeBytes = input.sizeBytes ?? (await slideSize(deps.s3, input.bucket, input.key));
  let firstTier: number;
  try {
    firstTier = chooseFirstTier(settings.tiers, sizeBytes, input.tier);
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, FailureType.InvalidSlideInput);
  }
  const id = slideIdOf(input.bucket, input.key);
  // The input's own choice, else the processor its key's suffix is routed to, else the default.
  const taskDefinition =
    input.taskDefinition ?? routeTaskDefinition(settings.ecs.taskDefinitionRoutes, input.key);
  // Checkpoints belong to one workflow run: relaunches resume it, a later run starts fresh.
  const runId = Context.current().info.workflowExecution?.runId ?? 'run';
  return {
    slideId: id,
    sizeBytes,
    cluster: input.cluster ?? settings.ecs.cluster,
    ...(taskDefinition ? { taskDefinition } : {}),
    tiers: settings.tiers,
    firstTier,
    workflowId: slideWorkflowId(input.bucket, input.key),
    checkpointUri: joinS3Uri(settings.checkpointUriPrefix, id, `${runId}.json`),
    outputUri: `${joinS3Uri(settings.outputUriPrefix, id)}/`,
    ecsTaskQueue: settings.ecsTaskQueue,
    admissionTaskQueue: settings.budget.admissionTaskQueue,
    policy: {
      ...settings.policy,
      // An EC2 capacity provider (not Fargate's) waits in PROVISIONING for new instances.
      ...((settings.ecs.capacityProviderStrategy ?? []).some((p) => !p.capacityProvider.startsWith('FARGATE'))
        ? { provisioningWaitsForCapacity: true }
        : {}),
    },
    prices: settings.prices,
  };
}
