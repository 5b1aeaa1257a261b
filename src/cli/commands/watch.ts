// `slides watch`: live progress bars for the slides named, or for every running slide.
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { WORKFLOW_TYPE } from '../../workflows/definitions';
import { withClient } from '../connect';
import { parseSlideRefs } from '../slide-ref';
import { watchAndSummarise } from '../watch';

async function runningSlideIds(client: Client): Promise<string[]> {
  const ids = new Set<string>();
  for await (const wf of client.workflow.list({
    query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
  })) {
    ids.add(wf.workflowId);
  }
  return [...ids];
}

export function registerWatchCommand(program: Command): Command {
  return program
    .command('watch')
    .description('live progress bars for slides (default: every running slide), then a summary')
    .argument('[slides...]', 's3://bucket/key, keys with --bucket, or workflow IDs of processSlide runs')
    .option('--bucket <bucket>')
    .action(async (args: string[], o: { bucket?: string }) => {
      await withClient(async (client) => {
        const named = parseSlideRefs(args, o.bucket).map((r) => r.workflowId);
        const ids = named.length > 0 ? named : await runningSlideIds(client);
        if (ids.length === 0) {
          console.log('no slides in flight');
          return;
        }
        await watchAndSummarise(client, ids);
      });
    });
}
