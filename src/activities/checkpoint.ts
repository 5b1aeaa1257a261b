// Reads the processor's checkpoint ({done, total, complete?, ...} JSON in S3): progress to
// report, and whether the slide is finished (the processor writes `complete: true` only after
// every tile and the descriptor are uploaded). Best effort: a missing or half-written
// checkpoint is "no progress yet, not complete", never an error.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, readCheckpointBody, type CheckpointReading } from '@wsi-orchestrator/task-contract';
import type { Progress } from '../workflows/types';

export async function readCheckpoint(s3: S3Client, checkpointUri: string): Promise<CheckpointReading> {
  try {
    const { bucket, key } = parseS3Uri(checkpointUri);
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return readCheckpointBody(JSON.parse((await out.Body?.transformToString()) ?? ''));
  } catch {
    return { complete: false };
  }
}

export async function readProgress(s3: S3Client, checkpointUri: string): Promise<Progress | undefined> {
  return (await readCheckpoint(s3, checkpointUri)).progress;
}
