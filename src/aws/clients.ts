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

export function createEcsClient(env: Env = process.env): ECSClient {
  return new ECSClient({ endpoint: endpointFor('ECS', env), region: regionFrom(env) });
}

export function createSqsClient(env: Env = process.env): SQSClient {
  return new SQSClient({ endpoint: endpointFor('SQS', env), region: regionFrom(env) });
}

/** Path-style addressing when an endpoint is set: local emulators serve no bucket subdomains. */
export function createS3Client(env: Env = process.env): S3Client {
  const endpoint = endpointFor('S3', env);
  return new S3Client({ endpoint, region: regionFrom(env), forcePathStyle: endpoint !== undefined });
}
