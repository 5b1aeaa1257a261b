// planSlide: resolves once, at the start of a slide, what the workflow needs: the slide's
// size (from S3 when not given), its first tier, where its checkpoint and outputs go, and
// the policy. Settings are read here, in an activity, so the workflow stays deterministic
// and a settings change applies to new slides without breaking running ones.
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { joinS3Uri } from '@wsi-orchestrator/task-contract';
import type { Settings } from '../settings/settings';
import { isFolderKey } from '../slides/folders';
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
    | 'folderSettleMs'
    | 'policy'
    | 'prices'
  >;
}

function throwAccessFailure(err: unknown, bucket: string, key: string, action: string): void {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 403) {
    throw ApplicationFailure.nonRetryable(
      `access denied reading s3://${bucket}/${key}: grant the worker ${action} on it`,
      FailureType.EcsConfiguration,
    );
  }
}

interface FolderSlide {
  sizeBytes: number;
  /** Epoch ms of the newest object's last change. */
  newest: number;
}

/** A folder slide's objects: their total size and the newest one's time; none is not found. */
async function folderSlide(s3: S3Client, bucket: string, prefix: string): Promise<FolderSlide> {
  let sizeBytes = 0;
  let newest = 0;
  let objects = 0;
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === prefix) continue; // the console's folder marker
        objects++;
        sizeBytes += o.Size ?? 0;
        newest = Math.max(newest, o.LastModified?.getTime() ?? 0);
      }
      token = page.NextContinuationToken;
    } while (token);
  } catch (err) {
    throwAccessFailure(err, bucket, prefix, 's3:ListBucket');
    throw err;
  }
  if (objects === 0) {
    throw ApplicationFailure.nonRetryable(
      `slide folder s3://${bucket}/${prefix} has no objects`,
      FailureType.SlideNotFound,
    );
  }
  return { sizeBytes, newest };
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
    throwAccessFailure(err, bucket, key, 's3:GetObject');
    throw err;
  }
}

export async function planSlide(deps: PlanDeps, input: SlideInput): Promise<SlidePlan> {
  const { settings } = deps;
  // A folder slide (a DICOM series) is read whole: its size is its objects', and it waits
  // until nothing under it has changed for a while, since its upload takes many objects.
  const folder = isFolderKey(input.key) ? await folderSlide(deps.s3, input.bucket, input.key) : undefined;
  const sizeBytes =
    input.sizeBytes ?? folder?.sizeBytes ?? (await slideSize(deps.s3, input.bucket, input.key));
  const settleMs = folder ? Math.max(0, folder.newest + settings.folderSettleMs - Date.now()) : 0;
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
    ...(settleMs > 0 ? { settleMs } : {}),
  };
}
