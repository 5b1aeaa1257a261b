// SIGTERM while the bridge (a child process, as `slides bridge` runs) is starting a batch:
// the batch in hand finishes, the process exits 0, and a second run does the rest. In the end
// every slide has exactly one workflow run (a worker completes them, so a start repeated after
// completion would show as a second run) and the queue is empty.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createSqsClient } from '../../src/aws/clients';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { createLocalQueues } from '../../src/bridge';
import { slideWorkflowId } from '../../src/slides/identity';
import { startDevServer } from '../../dev/temporal/environment';
import { awsEnv, executions, fixtureBundle, queueDepth, queueEmpty, sendBodies, waitFor } from './helpers';
import { plain } from './messages';

const B = 'wsi-slides';
const TASK_QUEUE = 'bridge-sigterm';
const ENTRY = require.resolve('./fixtures/run-bridge');
const CLI = require.resolve('./fixtures/cli');

interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  stderr(): string;
}

function runChild(env: Record<string, string>, args = [ENTRY]): Child {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (l) => lines.push(l));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && !env.EXPECT_FAILURE)
        console.error(`bridge child exited ${code}:\n${lines.join('\n')}\n${stderr}`);
      resolve(code);
    }),
  );
  return { process: child, lines, exited, stderr: () => stderr };
}

const accepted = (c: Child) => c.lines.filter((l) => l.includes(' accepted (run ')).length;

describe('SIGTERM mid-batch', () => {
  let moto: MotoServer;
  let temporal: TestWorkflowEnvironment;
  let sqs: SQSClient;
  let worker: Worker | undefined;
  let workerDone: Promise<void> | undefined;
  const children: Child[] = [];

  beforeAll(async () => {
    [moto, temporal] = await Promise.all([startMotoServer(), startDevServer()]);
    sqs = createSqsClient(awsEnv(moto));
    worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await fixtureBundle(),
    });
    workerDone = worker.run();
  });

  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    worker?.shutdown();
    await workerDone;
    await temporal?.teardown();
    await moto?.close();
    sqs?.destroy();
  });

  test('nothing lost, nothing doubled', async () => {
    const queues = await createLocalQueues(sqs, { queueName: 'sigterm', dlqName: 'sigterm-dlq' });
    const keys = Array.from({ length: 30 }, (_, i) => `term/slide-${i}.svs`);
    await sendBodies(
      sqs,
      queues.queueUrl,
      keys.map((k) => plain(B, k)),
    );
    const env = {
      ...awsEnv(moto),
      TEMPORAL_ADDRESS: temporal.connection.options.address,
      TEMPORAL_NAMESPACE: 'default',
      SQS_QUEUE_URL: queues.queueUrl,
      SQS_DLQ_URL: queues.dlqUrl,
      SLIDES_TASK_QUEUE: TASK_QUEUE,
      BRIDGE_BATCH_SIZE: '10',
      BRIDGE_WAIT_TIME: '1',
      BRIDGE_COUNT_INTERVAL: '200ms',
      BRIDGE_VISIBILITY_LAG: '300ms',
      START_DELAY_MS: '150',
    };

    // First run: SIGTERM as soon as the first start of the first batch is accepted.
    const first = runChild(env);
    children.push(first);
    await waitFor('the first start', () => accepted(first) > 0, 30_000, 10);
    first.process.kill('SIGTERM');
    const atSignal = accepted(first);
    expect(await first.exited).toBe(0);
    expect(first.lines).toContain('bridge: SIGTERM: finishing the batch in hand');
    expect(first.lines.at(-1)).toBe('bridge: stopped');
    const firstRun = accepted(first);
    // The batch in hand went on after the signal, and nothing more was received.
    expect(firstRun).toBeGreaterThan(atSignal);
    expect(firstRun).toBeLessThanOrEqual(10);
    // Nothing lost: every message not started is still on the queue.
    const depth = await queueDepth(sqs, queues.queueUrl);
    expect(depth.visible + depth.inHand).toBe(30 - firstRun);

    // Second run: the rest.
    const second = runChild(env);
    children.push(second);
    await waitFor('the queue to be empty', () => queueEmpty(sqs, queues.queueUrl), 45_000, 200);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const ours = new Set(keys.map((k) => slideWorkflowId(B, k)));
    await waitFor(
      'all 30 slides completed',
      async () =>
        (await executions(temporal.client, TASK_QUEUE)).filter((e) => e.status === 'COMPLETED').length >= 30,
      30_000,
      200,
    );
    const runs = await executions(temporal.client, TASK_QUEUE);
    // Exactly one run per slide: a repeated start after completion would have made a second.
    expect(runs).toHaveLength(30);
    expect(new Set(runs.map((r) => r.workflowId))).toEqual(ours);
    expect(firstRun + accepted(second)).toBe(30);
    expect(await queueEmpty(sqs, queues.queueUrl)).toBe(true);
  });

  test('`slides bridge`: a bad setting stops it naming the setting; idle in a long poll, SIGTERM stops it at once', async () => {
    const bad = runChild({ SQS_QUEUE_URL: 'not-a-url', BRIDGE_BATCH_SIZE: '20', EXPECT_FAILURE: '1' }, [
      CLI,
      'bridge',
    ]);
    children.push(bad);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toMatch(
      /SQS_QUEUE_URL: expected the URL[\s\S]*BRIDGE_BATCH_SIZE: must be at most 10/,
    );

    const queues = await createLocalQueues(sqs, { queueName: 'cli', dlqName: 'cli-dlq' });
    const cli = runChild(
      {
        ...awsEnv(moto),
        TEMPORAL_ADDRESS: temporal.connection.options.address,
        SQS_QUEUE_URL: queues.queueUrl,
        SLIDES_TASK_QUEUE: TASK_QUEUE,
        BRIDGE_WAIT_TIME: '20',
      },
      [CLI, 'bridge'],
    );
    children.push(cli);
    await waitFor(
      'the bridge to consume',
      () => cli.lines.some((l) => l.startsWith('bridge: consuming')),
      30_000,
      20,
    );
    // The redrive policy's DLQ was found without SQS_DLQ_URL.
    expect(cli.lines.find((l) => l.startsWith('bridge: consuming'))).toContain(`rejects to ${queues.dlqUrl}`);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    cli.process.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // The 20 s long poll (begun 1.5 s before) was cut short, and the process ended by itself
    // (nothing left open). Waiting out the poll would take 18.5 s; the bound leaves a loaded
    // machine room to shut down.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(cli.lines.at(-1)).toBe('bridge: stopped');
  });
});
