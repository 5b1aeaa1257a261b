// Test helpers for the AWS side: real ECS and S3 clients for the local ECS and moto, and task
// definitions.
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { registerTaskDefinition, simulatedContainer } from '../../dev/stack/local-stack';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function ecsClientFor(endpoint: string): ECSClient {
  return new ECSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

/** An S3 client for moto (path-style: an emulator serves no bucket subdomains). */
export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: TEST_CREDENTIALS });
}

/** A task definition whose container is simulated: runs no process, exits per its env. */
export async function registerSimulatedTaskDefinition(
  ecs: ECSClient,
  family: string,
  env: Record<string, string> = {},
): Promise<string> {
  return registerTaskDefinition(ecs, family, simulatedContainer(env));
}
