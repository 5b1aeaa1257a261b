// Test helpers for the ECS side: a real ECS client for the local ECS, and task definitions.
import { ECSClient } from '@aws-sdk/client-ecs';
import { registerTaskDefinition, simulatedContainer } from '../../dev/stack/local-stack';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function ecsClientFor(endpoint: string): ECSClient {
  return new ECSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

/** A task definition whose container is simulated: runs no process, exits per its env. */
export async function registerSimulatedTaskDefinition(
  ecs: ECSClient,
  family: string,
  env: Record<string, string> = {},
): Promise<string> {
  return registerTaskDefinition(ecs, family, simulatedContainer(env));
}
