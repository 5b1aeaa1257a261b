// The ECS actions the local ECS answers: each parses its request shape, calls the service,
// and (for the calls tests count) records calls, throttles and rejections.
import { EcsError, type JsonObject } from './protocol';
import {
  createClusterInput,
  describeClustersInput,
  describeContainerInstancesInput,
  describeTaskDefinitionInput,
  describeTasksInput,
  listContainerInstancesInput,
  listTasksInput,
  parseRequest,
  registerTaskDefinitionInput,
  runTaskInput,
  stopTaskInput,
} from './requests';
import type { LocalEcsService } from './service';
import type { CallCounts } from './stats';

export type ActionHandler = (body: JsonObject) => JsonObject;

function counted(counts: () => CallCounts, handler: ActionHandler): ActionHandler {
  return (body) => {
    counts().calls += 1;
    try {
      return handler(body);
    } catch (err) {
      if (err instanceof EcsError && err.type === 'ThrottlingException') counts().throttled += 1;
      else counts().rejected += 1;
      throw err;
    }
  };
}

export function ecsActions(service: LocalEcsService): ReadonlyMap<string, ActionHandler> {
  const stats = service.stats;
  return new Map<string, ActionHandler>([
    ['CreateCluster', (b) => service.createCluster(parseRequest(createClusterInput, b))],
    ['DescribeClusters', (b) => service.describeClusters(parseRequest(describeClustersInput, b))],
    [
      'ListContainerInstances',
      (b) => service.listContainerInstances(parseRequest(listContainerInstancesInput, b)),
    ],
    [
      'DescribeContainerInstances',
      (b) => service.describeContainerInstances(parseRequest(describeContainerInstancesInput, b)),
    ],
    [
      'RegisterTaskDefinition',
      (b) => service.registerTaskDefinition(parseRequest(registerTaskDefinitionInput, b)),
    ],
    [
      'DescribeTaskDefinition',
      (b) => service.describeTaskDefinition(parseRequest(describeTaskDefinitionInput, b)),
    ],
    [
      'RunTask',
      counted(
        () => stats.runTask,
        (b) => service.runTask(parseRequest(runTaskInput, b)),
      ),
    ],
    [
      'DescribeTasks',
      counted(
        () => stats.describeTasks,
        (b) => service.describeTasks(parseRequest(describeTasksInput, b)),
      ),
    ],
    [
      'StopTask',
      counted(
        () => stats.stopTask,
        (b) => service.stopTask(parseRequest(stopTaskInput, b)),
      ),
    ],
    ['ListTasks', (b) => service.listTasks(parseRequest(listTasksInput, b))],
  ]);
}
