// Test helpers for the ECS side: a real ECS client for the local ECS, and task definitions.
import { ECSClient, RegisterTaskDefinitionCommand, type KeyValuePair } from '@aws-sdk/client-ecs';
import { SIMULATED_LABEL } from '../../src/local-ecs';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function ecsClientFor(endpoint: string): ECSClient {
  return new ECSClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
}

/** A task definition whose container is simulated: runs no process, exits per its env. */
export async function registerSimulatedTaskDefinition(
  ecs: ECSClient,
  family: string,
  environment: KeyValuePair[] = [],
  containerName = 'processor',
): Promise<string> {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: containerName,
          image: 'wsi/processor:simulated',
          essential: true,
          dockerLabels: { [SIMULATED_LABEL]: 'true' },
          environment,
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? '';
}
