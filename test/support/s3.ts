// Test helpers for what a processor wrote to S3.
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';

/** Every object key under an `s3://bucket/prefix` URI, with the bucket and prefix. */
export async function keysUnder(
  s3: S3Client,
  uri: string,
): Promise<{ bucket: string; prefix: string; keys: string[] }> {
  const { bucket, key: prefix } = parseS3Uri(uri);
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
  }
  return { bucket, prefix, keys };
}
