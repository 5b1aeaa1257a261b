// The processor's S3 client. The SDK itself reads AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) and
// the credentials from the environment; an endpoint means a local emulator, which serves no
// bucket subdomains, hence path-style addressing.
import { S3Client } from '@aws-sdk/client-s3';

export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
  });
}
