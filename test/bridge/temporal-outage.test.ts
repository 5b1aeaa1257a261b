// Temporal stopped for a while, then started again on the same port with the same database:
// messages sent meanwhile stay in SQS and all become workflows afterwards, each exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSqsClient } from '../../src/aws/clients';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { createLocalQueues, startBridge, type BridgeHandle } from '../../src/bridge';
import { slideWorkflowId } from '../../src/slides/identity';
import { startDevServer } from '../../dev/temporal/environment';
import { freePort } from '../../src/util/net';
import { awsEnv, collectLog, executions, queueDepth, queueEmpty, sendBodies, waitFor } from './helpers';
import { plain, s3EncodeKey, s3Event } from './messages';

const B = 'wsi-slides';
const TASK_QUEUE = 'bridge-outage';

describe('Temporal unreachable', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let temporal: TestWorkflowEnvironment | undefined;
  let bridge: BridgeHandle | undefined;
  let dir: string;
  let port: number;
  let dbFilename: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bridge-outage-'));
    dbFilename = path.join(dir, 'temporal.sqlite');
    // moto first, then Temporal's port: picked together, the two could land on one port.
    moto = await startMotoServer();
    port = await freePort();
    temporal = await startDevServer({ port, dbFilename });
    sqs = createSqsClient(awsEnv(moto));
  });

  afterAll(async () => {
    await bridge?.stop();
    await temporal?.teardown();
    await moto?.close();
    sqs?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  test('messages sent while Temporal is down stay in SQS and all become workflows once it is back', async () => {
    const queues = await createLocalQueues(sqs, { queueName: 'outage', dlqName: 'outage-dlq' });
    const { lines, log } = collectLog();
    // The bridge makes its own Temporal connection from the environment, as `slides bridge` does.
    bridge = await startBridge({
      env: {
        ...awsEnv(moto),
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_NAMESPACE: 'default',
        SQS_QUEUE_URL: queues.queueUrl,
        SQS_DLQ_URL: queues.dlqUrl,
        SLIDES_TASK_QUEUE: TASK_QUEUE,
        BRIDGE_WAIT_TIME: '1',
        BRIDGE_COUNT_INTERVAL: '200ms',
        BRIDGE_VISIBILITY_LAG: '300ms',
        BRIDGE_START_TIMEOUT: '2s',
        BRIDGE_BACKOFF_MAX: '1s',
        BRIDGE_VISIBILITY_TIMEOUT: '20',
      },
      log,
    });
    const before = Array.from({ length: 5 }, (_, i) => `outage/before ${i}.svs`);
    const during = Array.from({ length: 10 }, (_, i) => `outage/during ${i}.svs`);
    const ids = async () =>
      (await executions((temporal as TestWorkflowEnvironment).client, TASK_QUEUE)).map((e) => e.workflowId);

    await sendBodies(
      sqs,
      queues.queueUrl,
      before.map((k) => plain(B, k)),
    );
    await waitFor('the first five workflows', async () => (await ids()).length === 5);

    await temporal?.teardown();
    temporal = undefined;
    await sendBodies(
      sqs,
      queues.queueUrl,
      during.map((k) => s3Event({ bucket: B, encodedKey: s3EncodeKey(k) })),
    );
    await waitFor('the bridge to notice', () => !bridge?.stats().temporalReachable, 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    // Nothing deleted, nothing dead-lettered: all ten are still in SQS, waiting or in hand.
    const depth = await queueDepth(sqs, queues.queueUrl);
    expect(depth.visible + depth.inHand).toBe(10);
    expect(bridge.stats()).toMatchObject({ messagesDeleted: 5, messagesRejected: 0, paused: true });
    expect(lines.some((l) => /cannot count slides in flight|could not start/.test(l))).toBe(true);

    temporal = await startDevServer({ port, dbFilename });
    await waitFor('all fifteen workflows', async () => (await ids()).length === 15, 45_000, 250);
    await waitFor('the queue to be empty', () => queueEmpty(sqs, queues.queueUrl));
    expect((await ids()).sort()).toEqual([...before, ...during].map((k) => slideWorkflowId(B, k)).sort());
    expect(bridge.stats()).toMatchObject({ messagesDeleted: 15, temporalReachable: true });
    expect(lines.some((l) => l.includes('Temporal is reachable again'))).toBe(true);
  });
});
