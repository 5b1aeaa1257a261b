// How the CLI names slides: `s3://bucket/key`, a key with --bucket, or the workflow ID of
// any processSlide run, whatever started it (`temporal workflow start` without
// --workflow-id gives a UUID, the bridge and the CLI give `slide:bucket/key`).
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import { slideWorkflowId } from '../slides/identity';
import { UsageError } from './exit';

export interface SlideRef {
  workflowId: string;
  /** Known when the slide was named by its S3 location. */
  bucket?: string;
  key?: string;
}

/** `s3://bucket/key` (or `key` with `bucket`) to its slide's workflow ID; anything else is a workflow ID. */
export function parseSlideRef(arg: string, bucket?: string): SlideRef {
  if (arg.startsWith('s3://')) {
    const location = parseS3Uri(arg);
    if (!location.key) throw new UsageError(`no key in ${JSON.stringify(arg)}: expected s3://bucket/key`);
    return { workflowId: slideWorkflowId(location.bucket, location.key), ...location };
  }
  if (bucket) return { workflowId: slideWorkflowId(bucket, arg), bucket, key: arg };
  if (arg.trim() === '') throw new UsageError('an empty slide name: give s3://bucket/key or a workflow ID');
  return { workflowId: arg };
}

export function parseSlideRefs(args: string[], bucket?: string): SlideRef[] {
  return args.map((a) => parseSlideRef(a, bucket));
}

/** `command` needs the slide's location (to start it, to derive its ID), not a workflow ID. */
export function slideLocation(ref: SlideRef, command: string): { bucket: string; key: string } {
  if (ref.bucket === undefined || ref.key === undefined)
    throw new UsageError(
      `${command} needs s3://bucket/key (or a key with --bucket), not a workflow ID: ${ref.workflowId}`,
    );
  return { bucket: ref.bucket, key: ref.key };
}
