// `slides cancel`: cancel slides; each workflow stops its ECS task before it ends. A run that
// handed its slide over is cancelled with the slide's own workflow, which has the task.
import type { Command } from 'commander';
import { withClient } from '../connect';
import { EXIT } from '../exit';
import { findSlideRun } from '../slide-handle';
import { parseSlideRefs } from '../slide-ref';

export function registerCancelCommand(program: Command): Command {
  return program
    .command('cancel')
    .description('cancel slides: their ECS tasks are stopped')
    .argument('<slides...>', 's3://bucket/key, keys with --bucket, or workflow IDs of processSlide runs')
    .option('--bucket <bucket>')
    .action(async (args: string[], o: { bucket?: string }) => {
      const slides = parseSlideRefs(args, o.bucket);
      await withClient(async (client) => {
        for (const { workflowId } of slides) {
          try {
            const run = await findSlideRun(client, workflowId);
            if (!run) throw new Error('no such slide workflow');
            // A run that handed over only waits: cancelling it alone would leave the task running.
            // It goes first, so it ends cancelled rather than as a failed wait.
            await run.handle.cancel();
            console.log(`cancel requested ${workflowId}`);
            if (run.handedOverTo && run.execution === 'RUNNING') {
              await client.workflow.getHandle(run.handedOverTo).cancel();
              console.log(`cancel requested ${run.handedOverTo} (the slide's own workflow)`);
            }
          } catch (err) {
            console.error(`cannot cancel ${workflowId}: ${(err as Error).message}`);
            process.exitCode = EXIT.failed;
          }
        }
      });
    });
}
