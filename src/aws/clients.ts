// AWS SDK clients built one way everywhere. Endpoints follow the SDK's own convention
// (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), so the same code talks to AWS or to
// the local stack; region and credentials come from the SDK's default chain.
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

type Env = NodeJS.ProcessEnv;

// The SDK warns on every start that its releases from 2027 need Node 22. The project pins its
// own Node (package.json engines, the images), and the notice would otherwise be the only
// stderr line of a healthy worker, CLI or processor run; stderr is kept for real problems.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function endpointFor(service: 'ECS' | 'S3' | 'SQS', env: Env): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

function regionFrom(env: Env): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/** Keys given in `env` (which need not be process.env); otherwise the SDK's default chain. */
function credentialsFrom(env: Env) {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  };
}

function configFor(service: 'ECS' | 'S3' | 'SQS', env: Env) {
  return { endpoint: endpointFor(service, env), region: regionFrom(env), credentials: credentialsFrom(env) };
}

export function createEcsClient(env: Env = process.env): ECSClient {
  return new ECSClient(configFor('ECS', env));
}

export function createSqsClient(env: Env = process.env): SQSClient {
  return new SQSClient(configFor('SQS', env));
}

/** Path-style addressing when an endpoint is set: local emulators serve no bucket subdomains. */
export function createS3Client(env: Env = process.env): S3Client {
  const config = configFor('S3', env);
  return new S3Client({ ...config, forcePathStyle: config.endpoint !== undefined });
}
