// planSlide: resolves once, at the start of a slide, what the workflow needs: the slide's
// size (from S3 when not given), its first tier, where its checkpoint and outputs go, and
// the policy. Settings are read here, in an activity, so the workflow stays deterministic
// and a settings change applies to new slides without breaking running ones.
import { HeadObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { joinS3Uri } from '@wsi-orchestrator/task-contract';
import type { Settings } from '../settings/settings';
import { companionFolderOf, isFolderKey } from '../slides/folders';
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

interface Listing {
  objects: number;
  sizeBytes: number;
  /** Epoch ms of the newest object's last change; 0 for none. */
  newest: number;
}

/** The objects under a prefix (the console's folder marker aside): how many, their size, the newest. */
async function listFolder(s3: S3Client, bucket: string, prefix: string): Promise<Listing> {
  const listing: Listing = { objects: 0, sizeBytes: 0, newest: 0 };
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        if (o.Key === prefix) continue;
        listing.objects++;
        listing.sizeBytes += o.Size ?? 0;
        listing.newest = Math.max(listing.newest, o.LastModified?.getTime() ?? 0);
      }
    }
  } catch (err) {
    throwAccessFailure(err, bucket, prefix, 's3:ListBucket');
    throw err;
  }
  return listing;
}

async function headSlide(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ sizeBytes?: number; modified: number }> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { sizeBytes: head.ContentLength, modified: head.LastModified?.getTime() ?? 0 };
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

/** What S3 holds of a slide: its size, and how long it must still settle before a launch. */
interface SlideObjects {
  sizeBytes?: number;
  settleMs: number;
}

/**
 * A folder slide (a DICOM series) is all its objects; an MRXS slide its .mrxs plus its data
 * folder. Both are uploaded as many objects, so they settle: no launch until nothing of theirs
 * has changed for `settleAfterMs`. A plain object is its own size (the input's when given).
 */
async function slideObjects(s3: S3Client, input: SlideInput, settleAfterMs: number): Promise<SlideObjects> {
  const { bucket, key } = input;
  const settle = (newest: number): number => Math.max(0, newest + settleAfterMs - Date.now());
  if (isFolderKey(key)) {
    const folder = await listFolder(s3, bucket, key);
    if (folder.objects === 0) {
      throw ApplicationFailure.nonRetryable(
        `slide folder s3://${bucket}/${key} has no objects: upload the slide's files (a DICOM series' .dcm) under it, or submit the folder that holds them`,
        FailureType.SlideNotFound,
      );
    }
    return { sizeBytes: input.sizeBytes ?? folder.sizeBytes, settleMs: settle(folder.newest) };
  }
  const companion = companionFolderOf(key);
  if (!companion)
    return { sizeBytes: input.sizeBytes ?? (await headSlide(s3, bucket, key)).sizeBytes, settleMs: 0 };
  const [head, data] = await Promise.all([headSlide(s3, bucket, key), listFolder(s3, bucket, companion)]);
  const settleMs = settle(Math.max(head.modified, data.newest));
  if (settleMs === 0 && data.objects === 0) {
    throw ApplicationFailure.nonRetryable(
      `MRXS slide s3://${bucket}/${key} has no data folder: upload s3://${bucket}/${companion} (its Slidedat.ini and .dat files) beside it`,
      FailureType.SlideNotFound,
    );
  }
  // The whole slide's size, whatever the input says: an upload event's is the small .mrxs alone.
  return { sizeBytes: (head.sizeBytes ?? 0) + data.sizeBytes, settleMs };
}

export async function planSlide(deps: PlanDeps, input: SlideInput): Promise<SlidePlan> {
  const { settings } = deps;
  const { sizeBytes, settleMs } = await slideObjects(deps.s3, input, settings.folderSettleMs);
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
