// The `slides` CLI: one program, one module per command under src/cli/commands/. Exit codes a
// script can rely on (src/cli/exit.ts): 0 done as asked; 1 a slide failed, was not found or
// could not be started; 2 bad usage; 3 Temporal could not be reached.
import { Command, CommanderError } from 'commander';
import { registerBridgeCommand } from './bridge';
import { registerCancelCommand } from './cli/commands/cancel';
import { registerCapacityCommand } from './cli/commands/capacity';
import { registerIdCommand } from './cli/commands/id';
import { registerListCommand } from './cli/commands/list';
import { registerStatusCommand } from './cli/commands/status';
import { registerSubmitCommand } from './cli/commands/submit';
import { registerWatchCommand } from './cli/commands/watch';
import { registerWorkerCommand } from './cli/commands/worker';
import { EXIT, exitFor } from './cli/exit';

export { EXIT };

export function buildProgram(): Command {
  const program = new Command('slides')
    .description('Process whole-slide images on ECS with Temporal')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [
    registerSubmitCommand,
    registerStatusCommand,
    registerListCommand,
    registerCancelCommand,
    registerWatchCommand,
    registerCapacityCommand,
    registerIdCommand,
    registerWorkerCommand,
    registerBridgeCommand,
  ]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // Commander has printed its own message (or the help, exit code 0).
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const { code, message } = exitFor(err);
    if (message) console.error(`error: ${message}`);
    process.exitCode = code;
  }
}

if (require.main === module) void main();
