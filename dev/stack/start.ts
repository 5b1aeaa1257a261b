// `npm start`: the whole pipeline locally, in one process, until Ctrl-C: the Temporal dev
// server with its Web UI on :8233 (history kept in .data/temporal.sqlite), moto for S3 and
// SQS on :5000 (uploads to s3://wsi-slides/incoming/ notify a queue), the local ECS on
// :5100 with the processors registered (vendor formats routed to the OpenSlide one), the
// worker, and the SQS bridge.
import { mkdirSync } from 'node:fs';
import { DefaultLogger } from '@temporalio/worker';
import path from 'node:path';
import { installRuntimeWithMetrics } from '../../src/metrics/sdk-runtime';
import { PROJECT_ROOT } from '../tools/binaries';
import { LOCAL_ROUTES } from './local-stack';
import { describeStack, settingsFromEnvironment, startStackWithWorker } from './run-stack';

export const START_PORTS = { temporal: 7233, ui: 8233, moto: 5000, localEcs: 5100, metrics: 9464 };

async function main(): Promise<void> {
  const sdkMetricsUrl = await installRuntimeWithMetrics(new DefaultLogger('WARN'));
  const dataDir = path.join(PROJECT_ROOT, '.data');
  mkdirSync(dataDir, { recursive: true });
  const stack = await startStackWithWorker({
    temporalPort: START_PORTS.temporal,
    uiPort: START_PORTS.ui,
    dbFilename: path.join(dataDir, 'temporal.sqlite'),
    motoPort: START_PORTS.moto,
    localEcs: { port: START_PORTS.localEcs },
    settings: {
      METRICS_ADDRESS: `127.0.0.1:${START_PORTS.metrics}`,
      ECS_TASK_DEFINITION_ROUTES: LOCAL_ROUTES,
      ...settingsFromEnvironment(),
    },
    sdkMetricsUrl,
    bridge: true,
  });
  const exports = [
    'SQS_QUEUE_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_SQS',
    'AWS_ENDPOINT_URL_ECS',
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ]
    .map((k) => `export ${k}=${stack.env[k]}`)
    .concat(`export AWS_DEFAULT_REGION=${stack.env.AWS_REGION}`) // the AWS CLI's name for it
    .join('\n');
  console.log(
    [
      'wsi-orchestrator local stack is up.',
      ...describeStack(stack),
      '',
      'In another shell:',
      exports,
      '# uploads under s3://wsi-slides/incoming/ notify the queue; the bridge starts their slides:',
      'npx tsx dev/scripts/make-slides.ts --count 2 --bucket wsi-slides --prefix incoming/',
      'npx slides watch',
      '# or submit any slide yourself:',
      'npx slides submit s3://wsi-slides/<key>',
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    stack.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await stack.workerDone;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
