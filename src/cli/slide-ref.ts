// How the CLI names slides: `s3://bucket/key`, or a workflow ID as shown in the UI.
import { parseS3Uri } from '../aws/s3-uri';
import { slideWorkflowId } from '../slides/identity';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface SlideRef {
  workflowId: string;
  bucket?: string;
  key?: string;
}

/** `s3://bucket/key` (or `key` with --bucket) to its slide; a `slide:`/`slide-sha256:` ID as is. */
export function parseSlideRef(arg: string, bucket?: string): SlideRef {
  if (arg.startsWith('s3://')) {
    const location = parseS3Uri(arg);
    if (!location.key) throw new UsageError(`no key in ${JSON.stringify(arg)}: expected s3://bucket/key`);
    return { workflowId: slideWorkflowId(location.bucket, location.key), ...location };
  }
  if (bucket) return { workflowId: slideWorkflowId(bucket, arg), bucket, key: arg };
  if (/^slide(-sha256)?:/.test(arg)) return { workflowId: arg };
  throw new UsageError(
    `cannot tell which slide ${JSON.stringify(arg)} is: give s3://bucket/key, a key with --bucket, or a workflow ID`,
  );
}
