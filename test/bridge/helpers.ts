// Shared pieces of the bridge's integration tests: moto's SQS, queues, sending and reading
// messages, and reading back what Temporal holds.
import { waitFor } from '../support/wait';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { MotoServer } from '../../dev/aws/moto-server';
import { loadBridgeSettings, type BridgeSettings } from '../../src/bridge/settings';

export function awsEnv(moto: MotoServer): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SQS: moto.endpoint,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
  };
}

/** Settings tuned for tests: short polls, quick counts, quick retries. */
export function testSettings(env: Record<string, string>): BridgeSettings {
  return loadBridgeSettings({
    BRIDGE_WAIT_TIME: '1',
    BRIDGE_COUNT_INTERVAL: '200ms',
    BRIDGE_VISIBILITY_LAG: '300ms',
    BRIDGE_VISIBILITY_TIMEOUT: '30',
    BRIDGE_START_TIMEOUT: '3s',
    BRIDGE_BACKOFF_MAX: '1s',
    ...env,
  });
}

/** Sends bodies in batches of ten; returns the SQS message IDs in the order of `bodies`. */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<string[]> {
  const ids: string[] = new Array<string>(bodies.length);
  for (let i = 0; i < bodies.length; i += 10) {
    const chunk = bodies.slice(i, i + 10);
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((MessageBody, n) => ({ Id: String(i + n), MessageBody })),
      }),
    );
    if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
    for (const s of out.Successful ?? []) ids[Number(s.Id)] = s.MessageId as string;
  }
  return ids;
}

/** Messages waiting (visible) and in someone's hand (not visible). */
export async function queueDepth(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inHand: number }> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inHand: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export async function queueEmpty(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const d = await queueDepth(sqs, queueUrl);
  return d.visible === 0 && d.inHand === 0;
}

/** Receives (and keeps hidden) `count` messages with their attributes. */
export async function receiveAll(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const got = new Map<string, Message>();
  const deadline = Date.now() + 20_000;
  while (got.size < count && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 120,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of out.Messages ?? []) got.set(m.MessageId as string, m);
  }
  return [...got.values()];
}

export interface Execution {
  workflowId: string;
  runId: string;
  status: string;
}

/** Every execution (all runs) of processSlide on a task queue. */
export async function executions(client: Client, taskQueue: string): Promise<Execution[]> {
  const out: Execution[] = [];
  for await (const wf of client.workflow.list({
    query: `WorkflowType = 'processSlide' AND TaskQueue = '${taskQueue}'`,
  })) {
    out.push({ workflowId: wf.workflowId, runId: wf.runId, status: wf.status.name });
  }
  return out;
}

/**
 * The executions on a task queue once Temporal's visibility store has caught up: list
 * queries are eventually consistent, so a read right after the starts can miss some. Waits
 * until at least `atLeast` are listed and two reads in a row agree, so an extra run (the
 * bug an exact-count assertion looks for) has had time to show too.
 */
export async function caughtUpExecutions(
  client: Client,
  taskQueue: string,
  atLeast: number,
  timeoutMs = 30_000,
): Promise<Execution[]> {
  let previous = -1;
  let latest: Execution[] = [];
  await waitFor(
    `visibility to list at least ${atLeast} executions on ${taskQueue}`,
    async () => {
      latest = await executions(client, taskQueue);
      const settled = latest.length >= atLeast && latest.length === previous;
      previous = latest.length;
      return settled;
    },
    timeoutMs,
    500,
  );
  return latest;
}

export { waitFor };

export async function countWorkflows(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

export function collectLog(echo = false): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => {
      lines.push(line);
      if (echo) console.log(line);
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The stand-in processSlide workflow, bundled once per test file. */
export function fixtureBundle(): Promise<WorkflowBundleWithSourceMap> {
  const quiet = () => undefined;
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/workflows'),
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: quiet,
      error: (m) => console.error(m),
    },
  });
  return bundle;
}
