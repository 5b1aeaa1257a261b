// A standalone `slides bridge` serves its own /metrics, /healthz and /readyz on METRICS_ADDRESS,
// as the worker does: run as the command runs it (runBridge), against moto's SQS and the dev
// server; its counters move with the messages it takes.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { startDevServer } from '../../dev/temporal/environment';
import { createSqsClient } from '../../src/aws/clients';
import { createLocalQueues } from '../../src/bridge';
import { runBridge } from '../../src/bridge/cli';
import { loadBridgeSettings } from '../../src/bridge/settings';
import { awsEnv, collectLog, sendBodies, waitFor } from './helpers';
import { plain } from './messages';

const SIGNAL = 'SIGUSR2';

describe('slides bridge serves its own metrics and health', () => {
  let moto: MotoServer;
  let temporal: TestWorkflowEnvironment;
  let sqs: SQSClient;

  beforeAll(async () => {
    moto = await startMotoServer();
    temporal = await startDevServer();
    sqs = createSqsClient(awsEnv(moto));
  });

  afterAll(async () => {
    sqs?.destroy();
    await temporal?.teardown();
    await moto?.close();
  });

  test('/metrics counts intake and rejections, /healthz and /readyz answer, and it all stops with the bridge', async () => {
    const queues = await createLocalQueues(sqs, { queueName: 'metrics', dlqName: 'metrics-dlq' });
    const { lines, log } = collectLog();
    const running = runBridge(
      {
        env: {
          ...awsEnv(moto),
          TEMPORAL_ADDRESS: temporal.connection.options.address,
          TEMPORAL_NAMESPACE: 'default',
          SQS_QUEUE_URL: queues.queueUrl,
          SQS_DLQ_URL: queues.dlqUrl,
          SLIDES_TASK_QUEUE: 'bridge-metrics',
          BRIDGE_WAIT_TIME: '1',
          BRIDGE_COUNT_INTERVAL: '200ms',
          BRIDGE_VISIBILITY_LAG: '300ms',
          METRICS_ADDRESS: '127.0.0.1:0',
        },
        log,
      },
      [SIGNAL],
    );
    let url = '';
    await waitFor('the bridge to serve its metrics', () => {
      url = /metrics on (http:\/\/\S+)\/metrics/.exec(lines.join('\n'))?.[1] ?? '';
      return url !== '';
    });
    const scrape = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
    const sample = (text: string, name: string): number =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await waitFor('the bridge to be ready', async () => (await fetch(`${url}/readyz`)).status === 200);

    await sendBodies(sqs, queues.queueUrl, [plain('wsi-slides', 'metrics/a.svs'), 'not a slide message']);
    await waitFor(
      'both messages to be counted',
      async () => {
        const text = await scrape();
        return (
          sample(text, 'wsi_bridge_workflows_started_total') === 1 &&
          sample(text, 'wsi_bridge_messages_rejected_total') === 1
        );
      },
      30_000,
      200,
    );
    const text = await scrape();
    expect(sample(text, 'wsi_bridge_messages_received_total')).toBe(2);
    expect(sample(text, 'wsi_bridge_start_errors_total')).toBe(0);
    // Its own process's health, not the worker's metrics.
    expect(text).toMatch(/^wsi_process_process_resident_memory_bytes \d+/m);
    expect(text).not.toMatch(/wsi_runtask_calls_total/);

    process.emit(SIGNAL, SIGNAL);
    await running;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  test('METRICS_ADDRESS is validated like the worker’s', () => {
    const base = { SQS_QUEUE_URL: 'http://localhost:4566/000000000000/q' };
    expect(loadBridgeSettings({ ...base, METRICS_ADDRESS: '0.0.0.0:9465' }).metricsAddress).toEqual({
      host: '0.0.0.0',
      port: 9465,
    });
    expect(loadBridgeSettings(base).metricsAddress).toBeUndefined();
    expect(() => loadBridgeSettings({ ...base, METRICS_ADDRESS: 'nine' })).toThrow(/METRICS_ADDRESS/);
  });
});
