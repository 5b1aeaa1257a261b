// `slides capacity`: the cluster's budget, what is in flight and what waits.
import type { Command } from 'commander';
import { describeCapacity, readCapacity } from '../capacity';
import { withClient } from '../connect';
import { EXIT, ExitError } from '../exit';

export function registerCapacityCommand(program: Command): Command {
  return program
    .command('capacity')
    .description("the cluster's budget: what it allows, what is in flight, what waits")
    .option('--cluster <name>', 'ECS cluster', process.env.ECS_CLUSTER ?? 'default')
    .option(
      '--admission-task-queue <name>',
      'task queue of the waiting launches',
      process.env.ECS_ADMISSION_TASK_QUEUE ?? 'ecs-admission',
    )
    .option('--json', 'print JSON')
    .action(async (o: { cluster: string; admissionTaskQueue: string; json?: boolean }) => {
      await withClient(async (client) => {
        const capacity = await readCapacity(client, o.cluster, o.admissionTaskQueue).catch((err: unknown) => {
          throw new ExitError(
            `no budget for cluster ${o.cluster} (no worker has served it yet?): ${(err as Error).message}`,
            EXIT.failed,
          );
        });
        console.log(o.json ? JSON.stringify(capacity, null, 2) : describeCapacity(capacity));
      });
    });
}
