// `slides worker`: the Temporal worker, settings from the environment.
import type { Command } from 'commander';
import { runWorkerMain } from '../../worker';

export function registerWorkerCommand(program: Command): Command {
  return program
    .command('worker')
    .description('run the worker (settings from the environment; see README)')
    .action(async () => {
      await runWorkerMain();
    });
}
