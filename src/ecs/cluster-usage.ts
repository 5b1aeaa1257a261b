// What runs on a cluster: every live task with its startedBy, run tag and size, read with as
// few calls as ECS allows (ListTasks pages of 100, DescribeTasks of 100 ARNs). The cluster
// budget uses it to count other tenants' tasks, and ours that hold no lease, against what is
// left, and to find orphans.
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { allPages, inChunks, MAX_ARNS_PER_CALL } from './paging';
import { TAG_WORKFLOW_RUN } from './requests';

export interface LiveTask {
  taskArn: string;
  startedBy?: string;
  /** The workflow run that launched it, for tasks of ours (tag wsi:workflow-run). */
  runId?: string;
  cpu: number;
  memory: number;
}

function sizeOf(task: Task, field: 'cpu' | 'memory'): number {
  const taskLevel = Number(task[field]);
  if (Number.isFinite(taskLevel) && taskLevel > 0) return taskLevel;
  // EC2 task definitions may size only their containers.
  return (task.containers ?? []).reduce((sum, c) => sum + (Number(c[field]) || 0), 0);
}

export async function liveTasks(ecs: ECSClient, cluster: string): Promise<LiveTask[]> {
  const arns = await allPages(async (nextToken) => {
    const out = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', nextToken }));
    return { items: out.taskArns, nextToken: out.nextToken };
  });
  return inChunks(arns, MAX_ARNS_PER_CALL, async (chunk) => {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunk, include: ['TAGS'] }));
    return (out.tasks ?? [])
      .filter((t) => t.lastStatus !== 'STOPPED')
      .map((t) => ({
        taskArn: t.taskArn ?? '',
        startedBy: t.startedBy,
        runId: t.tags?.find((tag) => tag.key === TAG_WORKFLOW_RUN)?.value,
        cpu: sizeOf(t, 'cpu'),
        memory: sizeOf(t, 'memory'),
      }));
  });
}
