// `slides local-setup`: buckets and task definitions on local AWS endpoints (Compose's set-up).
import type { Command } from 'commander';
import { prepareLocalAws } from '../../stack/local-stack';

export function registerLocalSetupCommand(program: Command): Command {
  return program
    .command('local-setup')
    .description(
      'create the buckets and register the processor task definitions on local endpoints (AWS_ENDPOINT_URL_*)',
    )
    .action(async () => {
      await prepareLocalAws(process.env);
      console.log(
        'buckets wsi-slides, wsi-work and task definitions wsi-processor, wsi-processor-sim are ready',
      );
    });
}
