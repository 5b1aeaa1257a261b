// `s3://bucket/key` parsing and formatting, shared by the orchestrator and the task.

export interface S3Location {
  bucket: string;
  key: string;
}

export class InvalidS3UriError extends Error {
  override readonly name = 'InvalidS3UriError';
}

/** Parses `s3://bucket/key`; the key may be empty (a bucket root or a prefix ending in `/`). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(uri);
  if (!match || !match[1]) {
    throw new InvalidS3UriError(`not an S3 URI (expected s3://bucket/key): ${JSON.stringify(uri)}`);
  }
  return { bucket: match[1], key: match[2] ?? '' };
}

export function formatS3Uri({ bucket, key }: S3Location): string {
  return `s3://${bucket}/${key}`;
}

/** Joins a prefix URI and a relative key with exactly one `/` between them. */
export function joinS3Uri(prefix: string, ...parts: string[]): string {
  const { bucket, key } = parseS3Uri(prefix);
  const joined = [key.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))]
    .filter((p) => p !== '')
    .join('/');
  return formatS3Uri({ bucket, key: joined });
}
