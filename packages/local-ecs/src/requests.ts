// Shapes of the request bodies the local ECS reads. These check JSON types only, as ECS's
// deserialiser does (a wrong type is a SerializationException); required members and value
// rules are checked by each action, with the exception ECS raises for them. Unknown members
// are kept, as ECS ignores members it does not know.
import { z } from 'zod';
import { EcsError, type JsonObject } from './protocol';

const str = z.string();
const int = z.number().int();
const strings = z.array(str);

const tagInput = z.looseObject({ key: str.optional(), value: str.optional() });
const keyValueInput = z.looseObject({ name: str.optional(), value: str.optional() });

const containerDefinitionInput = z.looseObject({
  name: str.optional(),
  image: str.optional(),
  cpu: int.optional(),
  memory: int.optional(),
  memoryReservation: int.optional(),
  essential: z.boolean().optional(),
  entryPoint: strings.optional(),
  command: strings.optional(),
  environment: z.array(keyValueInput).optional(),
  dockerLabels: z.record(str, str).optional(),
  stopTimeout: int.optional(),
  startTimeout: int.optional(),
  workingDirectory: str.optional(),
});

export const registerTaskDefinitionInput = z.looseObject({
  family: str.optional(),
  containerDefinitions: z.array(containerDefinitionInput).optional(),
  cpu: str.optional(),
  memory: str.optional(),
  networkMode: str.optional(),
  requiresCompatibilities: strings.optional(),
  taskRoleArn: str.optional(),
  executionRoleArn: str.optional(),
  tags: z.array(tagInput).optional(),
});

export const describeTaskDefinitionInput = z.looseObject({
  taskDefinition: str.optional(),
  include: strings.optional(),
});

export const createClusterInput = z.looseObject({
  clusterName: str.optional(),
  tags: z.array(tagInput).optional(),
});

export const describeClustersInput = z.looseObject({
  clusters: strings.optional(),
  include: strings.optional(),
});

const containerOverrideInput = z.looseObject({
  name: str.optional(),
  command: strings.optional(),
  environment: z.array(keyValueInput).optional(),
  cpu: int.optional(),
  memory: int.optional(),
  memoryReservation: int.optional(),
});

const taskOverrideInput = z.looseObject({
  containerOverrides: z.array(containerOverrideInput).optional(),
  cpu: str.optional(),
  memory: str.optional(),
  executionRoleArn: str.optional(),
  taskRoleArn: str.optional(),
});

const capacityProviderStrategyItemInput = z.looseObject({
  capacityProvider: str.optional(),
  weight: int.optional(),
  base: int.optional(),
});

export const runTaskInput = z.looseObject({
  cluster: str.optional(),
  taskDefinition: str.optional(),
  count: int.optional(),
  startedBy: str.optional(),
  clientToken: str.optional(),
  launchType: str.optional(),
  capacityProviderStrategy: z.array(capacityProviderStrategyItemInput).optional(),
  overrides: taskOverrideInput.optional(),
  networkConfiguration: z
    .looseObject({
      awsvpcConfiguration: z
        .looseObject({
          subnets: strings.optional(),
          securityGroups: strings.optional(),
          assignPublicIp: str.optional(),
        })
        .optional(),
    })
    .optional(),
  tags: z.array(tagInput).optional(),
  group: str.optional(),
  platformVersion: str.optional(),
  propagateTags: str.optional(),
  enableECSManagedTags: z.boolean().optional(),
  enableExecuteCommand: z.boolean().optional(),
  referenceId: str.optional(),
});

export const describeTasksInput = z.looseObject({
  cluster: str.optional(),
  tasks: strings.optional(),
  include: strings.optional(),
});

export const stopTaskInput = z.looseObject({
  cluster: str.optional(),
  task: str.optional(),
  reason: str.optional(),
});

export const listTasksInput = z.looseObject({
  cluster: str.optional(),
  containerInstance: str.optional(),
  family: str.optional(),
  startedBy: str.optional(),
  serviceName: str.optional(),
  desiredStatus: str.optional(),
  launchType: str.optional(),
  nextToken: str.optional(),
  maxResults: int.optional(),
});

export const listContainerInstancesInput = z.looseObject({
  cluster: str.optional(),
  filter: str.optional(),
  status: str.optional(),
  nextToken: str.optional(),
  maxResults: int.optional(),
});

export const describeContainerInstancesInput = z.looseObject({
  cluster: str.optional(),
  containerInstances: strings.optional(),
  include: strings.optional(),
});

export type RegisterTaskDefinitionInput = z.infer<typeof registerTaskDefinitionInput>;
export type ContainerDefinitionInput = z.infer<typeof containerDefinitionInput>;
export type RunTaskInput = z.infer<typeof runTaskInput>;
export type ContainerOverrideInput = z.infer<typeof containerOverrideInput>;
export type TagInput = z.infer<typeof tagInput>;
export type ListTasksInput = z.infer<typeof listTasksInput>;

/** Checks a body against a request shape; a type mismatch is ECS's SerializationException. */
export function parseRequest<T extends z.ZodType>(schema: T, body: JsonObject): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'request';
  throw new EcsError('SerializationException', `${field}: ${issue?.message ?? 'invalid value'}`);
}
