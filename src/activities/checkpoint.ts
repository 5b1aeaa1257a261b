// Reads the processor's checkpoint ({done, total, ...} JSON in S3) to report progress.
// Best effort: a missing or half-written checkpoint is "no progress yet", never an error.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../aws/s3-uri';
import type { Progress } from '../workflows/types';

export async function readProgress(s3: S3Client, checkpointUri: string): Promise<Progress | undefined> {
  try {
    const { bucket, key } = parseS3Uri(checkpointUri);
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = JSON.parse((await out.Body?.transformToString()) ?? '') as Record<string, unknown>;
    const { done, total } = body;
    if (typeof done !== 'number' || typeof total !== 'number') return undefined;
    return { done, total };
  } catch {
    return undefined;
  }
}
