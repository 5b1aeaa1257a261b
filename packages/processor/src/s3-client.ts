// The processor's S3 client. The SDK itself reads AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) and
// the credentials from the environment; an endpoint means a local emulator, which serves no
// bucket subdomains, hence path-style addressing.
import { S3Client } from '@aws-sdk/client-s3';

// The SDK's notice that its 2027 releases need Node 22 would be the only stderr line of a
// healthy run; the image pins its Node (Dockerfile), and stderr is kept for real problems.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL),
  });
}
