// `slides list`: slides known to Temporal's visibility store, newest first.
import type { Command } from 'commander';
import { WORKFLOW_TYPE } from '../../workflows/definitions';
import { wholeNumber } from '../arguments';
import { withClient } from '../connect';

export function registerListCommand(program: Command): Command {
  return program
    .command('list')
    .description('slides known to Temporal, newest first')
    .option('--all', 'include finished slides (default: running only)')
    .option('--phase <phase>', 'only slides in this phase, e.g. RUNNING or WAITING_FOR_CAPACITY')
    .option('--limit <n>', 'at most this many', wholeNumber, 100)
    .action(async (o: { all?: boolean; phase?: string; limit: number }) => {
      const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
      if (!o.all) clauses.push(`ExecutionStatus = 'Running'`);
      if (o.phase) clauses.push(`SlidePhase = '${o.phase.replace(/'/g, '')}'`);
      await withClient(async (client) => {
        let n = 0;
        for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
          const phase = wf.searchAttributes?.SlidePhase?.[0] ?? '-';
          console.log(`${wf.status.name.padEnd(10)} ${String(phase).padEnd(20)} ${wf.workflowId}`);
          if (++n >= o.limit) break;
        }
      });
    });
}
