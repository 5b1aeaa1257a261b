// S3 reads and writes of the processor other than the checkpoint: finding and downloading the
// slide, uploading tiles and the .dzi descriptor.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { formatS3Uri, type S3Location } from '@wsi-orchestrator/task-contract';
import { errorMessage, SlideNotFoundError } from './errors';

export interface SlideObject {
  etag?: string;
  size?: number;
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function name(err: unknown): string | undefined {
  return (err as { name?: string } | null)?.name;
}

function notFound(slide: S3Location, err: unknown): SlideNotFoundError {
  // HEAD responses have no body, so a missing bucket and a missing key both arrive as a bare 404.
  const what =
    name(err) === 'NoSuchBucket' ? `bucket ${JSON.stringify(slide.bucket)} does not exist` : 'no such object';
  return new SlideNotFoundError(
    `slide not found: bucket ${JSON.stringify(slide.bucket)}, key ${JSON.stringify(slide.key)} (${formatS3Uri(slide)}): ${what}`,
    { cause: err },
  );
}

function isMissing(err: unknown): boolean {
  const n = name(err);
  return n === 'NotFound' || n === 'NoSuchKey' || n === 'NoSuchBucket' || status(err) === 404;
}

/** HEAD the slide: a cheap existence check (exit 2 at once) and the identity the checkpoint records. */
export async function headSlide(s3: S3Client, slide: S3Location): Promise<SlideObject> {
  try {
    const res = await s3.send(new HeadObjectCommand({ Bucket: slide.bucket, Key: slide.key }));
    return { etag: res.ETag, size: res.ContentLength };
  } catch (err) {
    if (isMissing(err)) throw notFound(slide, err);
    throw new Error(`reading slide ${formatS3Uri(slide)}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Streams the slide to a local file: slides can be many GB, so it never sits in one JS buffer. */
export async function downloadSlide(
  s3: S3Client,
  slide: S3Location,
  file: string,
  signal?: AbortSignal,
): Promise<SlideObject> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: slide.bucket, Key: slide.key }), {
      abortSignal: signal,
    });
    if (!res.Body) throw new Error('empty response body');
    await pipeline(res.Body as Readable, createWriteStream(file), { signal });
    return { etag: res.ETag, size: res.ContentLength };
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isMissing(err)) throw notFound(slide, err);
    throw new Error(`downloading slide ${formatS3Uri(slide)}: ${errorMessage(err)}`, { cause: err });
  }
}

export async function putObject(
  s3: S3Client,
  loc: S3Location,
  body: Buffer | string,
  contentType: string,
): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: body, ContentType: contentType }),
    );
  } catch (err) {
    throw new Error(`uploading ${formatS3Uri(loc)}: ${errorMessage(err)}`, { cause: err });
  }
}

/** Key of an object below the output prefix; the prefix is stored without a trailing slash. */
export function outputKey(output: S3Location, relative: string): S3Location {
  return { bucket: output.bucket, key: output.key === '' ? relative : `${output.key}/${relative}` };
}
