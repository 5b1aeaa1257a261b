// AWS SDK clients built one way everywhere. Endpoints follow the SDK's own convention
// (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), so the same code talks to AWS or to
// the local stack; region and credentials come from the SDK's default chain.
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

type Env = NodeJS.ProcessEnv;

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

/**
 * ECS calls retry in ONE place with real backoff: Temporal's activity retry policy for
 * RunTask/StopTask/ListTasks, the poller's doubling interval for DescribeTasks. The SDK's
 * own retry is kept to a single immediate second try ('standard' mode, whose retry-token
 * bucket also stops retrying when most calls fail), which absorbs a dropped connection
 * without multiplying into a storm: the SDK default of 3 attempts times unbounded activity
 * attempts would send up to 3x the calls into a throttled account. A repeated RunTask is
 * safe either way: it carries the same clientToken.
 */
export const ECS_SDK_RETRY = { retryMode: 'standard', maxAttempts: 2 } as const;

export function createEcsClient(env: Env = process.env): ECSClient {
  return new ECSClient({ ...configFor('ECS', env), ...ECS_SDK_RETRY });
}

export function createSqsClient(env: Env = process.env): SQSClient {
  return new SQSClient(configFor('SQS', env));
}

/** Path-style addressing when an endpoint is set: local emulators serve no bucket subdomains. */
export function createS3Client(env: Env = process.env): S3Client {
  const config = configFor('S3', env);
  return new S3Client({ ...config, forcePathStyle: config.endpoint !== undefined });
}
