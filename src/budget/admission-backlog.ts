// How many launches wait in the admission task queue: the part of the backlog that the
// budget never sees (it waits in Temporal's matching until a worker's slots take it).
import type { Client } from '@temporalio/client';

/** temporal.api.enums.v1 values (the proto package is not a runtime dependency of ours). */
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** The approximate backlog of the admission task queue, or undefined when the server does not say. */
export async function admissionBacklog(client: Client, taskQueue: string): Promise<number | undefined> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  const count = res.stats?.approximateBacklogCount;
  return count === undefined || count === null ? undefined : Number(count);
}
