// `slides id`: the workflow ID every route in gives a slide, for `temporal workflow start`.
import type { Command } from 'commander';
import { parseSlideRef, slideLocation } from '../slide-ref';

export function registerIdCommand(program: Command): Command {
  return program
    .command('id')
    .description('the workflow ID of a slide (for `temporal workflow start --workflow-id`)')
    .argument('<slide>', 's3://bucket/key, or a key with --bucket')
    .option('--bucket <bucket>')
    .action((arg: string, o: { bucket?: string }) => {
      const ref = parseSlideRef(arg, o.bucket);
      slideLocation(ref, 'id');
      console.log(ref.workflowId);
    });
}
