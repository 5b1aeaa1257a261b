// `slides status`: one slide's phase, task, tier, attempts and progress.
import type { Command } from 'commander';
import { withClient } from '../connect';
import { EXIT, ExitError } from '../exit';
import { parseSlideRef } from '../slide-ref';
import { describeSlideState, FAILED_EXECUTIONS, readSlideState } from '../status';

export function registerStatusCommand(program: Command): Command {
  return program
    .command('status')
    .description("a slide's phase, task, tier, attempts and progress")
    .argument('<slide>', 's3://bucket/key, a key with --bucket, or the workflow ID of a processSlide run')
    .option('--bucket <bucket>')
    .option('--json', 'print JSON')
    .action(async (arg: string, o: { bucket?: string; json?: boolean }) => {
      const { workflowId } = parseSlideRef(arg, o.bucket);
      await withClient(async (client) => {
        const state = await readSlideState(client, workflowId);
        if (!state) throw new ExitError(`no slide workflow ${workflowId}`, EXIT.failed);
        console.log(o.json ? JSON.stringify(state, null, 2) : describeSlideState(state));
        if (FAILED_EXECUTIONS.includes(state.execution)) process.exitCode = EXIT.failed;
      });
    });
}
