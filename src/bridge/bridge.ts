// The SQS bridge: S3 upload events in, processSlide workflows out.
//
// sqs-consumer runs the long-poll loop, one batch at a time, and keeps the batch in hand
// invisible with visibility heartbeats. Around it:
//   - before each receive, the in-flight gate waits until fewer slides run than the bound (and
//     Temporal answers), so a backlog stays in SQS;
//   - each record of a message takes a slot of the gate and is started with its deterministic
//     workflow ID (a duplicate joins the running workflow); a message is deleted only after
//     every record in it was accepted, as soon as that is so;
//   - a message that cannot be parsed goes to the DLQ with its reason, then is deleted;
//   - when Temporal fails, the records wait (the messages stay undeleted and hidden) under one
//     shared backoff, and go on when it answers again;
//   - stop() lets the batch in hand finish, hands back what cannot finish, and receives no more.
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import { Consumer } from 'sqs-consumer';
import { createSqsClient } from '../aws/clients';
import { slideWorkflowId } from '../slides/identity';
import { temporalTarget } from '../temporal/connection';
import { Acknowledger } from './acknowledge';
import { Backoff, sleep } from './backoff';
import { InFlightGate } from './backpressure';
import { readQueueFacts, sendToDeadLetter } from './dead-letter';
import { formatRejection, parseMessage, type SlideRecord } from './parse-message';
import { loadBridgeSettings, SettingsError, type BridgeSettings } from './settings';
import { inFlightQuery, startSlideWorkflow } from './starter';

export interface BridgeOptions {
  /** Settings, SQS endpoint and Temporal connection come from here; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Settings to use instead of reading them from `env`. */
  settings?: BridgeSettings;
  /** A Temporal client to use (left open by stop()); default: one from TEMPORAL_* in `env`. */
  client?: Client;
  /** An SQS client to use (left open by stop()); default: createSqsClient(env). */
  sqs?: SQSClient;
  /** One line per event worth telling: starts, rejections, ignored events, outages. */
  log?: (line: string) => void;
}

export interface BridgeStats {
  messagesReceived: number;
  /** Deleted after all their records were accepted, or ignored, or dead-lettered. */
  messagesDeleted: number;
  /** Sent to the dead-letter queue with a reason. */
  messagesRejected: number;
  /** Nothing to start: s3:TestEvent, ObjectRemoved and other events. */
  messagesIgnored: number;
  /** Handed back unfinished at shutdown; their slides start on the next delivery. */
  messagesReleased: number;
  /** Starts Temporal accepted (a start that joined a running workflow included). */
  workflowsStarted: number;
  startErrors: number;
  deadLetterErrors: number;
  /** Slides believed in flight on the task queue (an estimate that errs high). */
  inFlight: number;
  maxInFlight: number;
  /** Not receiving: at the bound, or waiting for Temporal. */
  paused: boolean;
  temporalReachable: boolean;
  stopping: boolean;
}

export interface BridgeHandle {
  readonly settings: BridgeSettings;
  /** Where rejected messages go: SQS_DLQ_URL, or the queue's redrive DLQ. */
  readonly deadLetterQueueUrl: string;
  /** Finishes the batch in hand, receives no more, and closes what the bridge opened. */
  stop(): Promise<void>;
  stats(): BridgeStats;
}

class BridgeStopping extends Error {
  override readonly name = 'BridgeStopping';
}

/** A Temporal client for the bridge: connects lazily, so the bridge starts while Temporal is down. */
export function createBridgeClient(env: NodeJS.ProcessEnv = process.env): Client {
  const target = temporalTarget(env);
  const connection = Connection.lazy({
    ...target.connectionOptions,
    // Reconnect within seconds after an outage; gRPC's own backoff grows to two minutes.
    channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 },
  });
  return new Client({ connection, namespace: target.namespace });
}

/** One line about an error, with its cause (the SDKs wrap gRPC and HTTP errors). */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = err.message.split('\n')[0] || err.name;
  return err.cause instanceof Error ? `${text}: ${errorText(err.cause)}` : text;
}

class Bridge implements BridgeHandle {
  private readonly counters = {
    messagesReceived: 0,
    messagesDeleted: 0,
    messagesRejected: 0,
    messagesIgnored: 0,
    messagesReleased: 0,
    workflowsStarted: 0,
    startErrors: 0,
    deadLetterErrors: 0,
  };
  private readonly stopController = new AbortController();
  private readonly temporal: Backoff;
  private readonly sqsBackoff: Backoff;
  private readonly gate: InFlightGate;
  private readonly acks: Acknowledger;
  private readonly consumer: Consumer;
  private handling = false;
  private pausedLogged = false;
  private stopped?: Promise<void>;

  constructor(
    readonly settings: BridgeSettings,
    readonly deadLetterQueueUrl: string,
    private readonly client: Client,
    private readonly sqs: SQSClient,
    private readonly owns: { client: boolean; sqs: boolean },
    private readonly log: (line: string) => void,
  ) {
    this.temporal = new Backoff(500, settings.backoffMaxMs);
    this.sqsBackoff = new Backoff(500, settings.backoffMaxMs);
    const query = inFlightQuery(settings.taskQueue);
    this.gate = new InFlightGate({
      max: settings.maxInFlight,
      countRunning: async () =>
        (await client.withDeadline(Date.now() + settings.startTimeoutMs, () => client.workflow.count(query)))
          .count,
      countIntervalMs: settings.countIntervalMs,
      visibilityLagMs: settings.visibilityLagMs,
      temporal: this.temporal,
      onCountError: (err) =>
        this.log(
          `bridge: cannot count slides in flight (${errorText(err)}); not receiving, retrying in ${this.temporal.remainingMs()} ms`,
        ),
      onRecovered: () => this.log('bridge: Temporal is reachable again'),
    });
    this.acks = new Acknowledger(sqs, settings.queueUrl, log);
    this.consumer = Consumer.create({
      queueUrl: settings.queueUrl,
      sqs,
      batchSize: settings.batchSize,
      waitTimeSeconds: settings.waitTimeSeconds,
      visibilityTimeout: settings.visibilityTimeoutSeconds,
      heartbeatInterval: settings.heartbeatIntervalSeconds,
      // Deletes are ours (acknowledge.ts): message by message, as soon as each is done, and
      // never through the consumer's abort signal, which stop() may fire.
      shouldDeleteMessages: false,
      handleMessageBatch: (messages) => this.handleBatch(messages),
      preReceiveMessageCallback: () => this.beforeReceive(),
    });
    this.consumer.on('error', (err, messages) => {
      if (this.stopController.signal.aborted) return;
      if (messages === undefined) {
        const delay = this.sqsBackoff.failed();
        this.log(`bridge: SQS receive failed (${errorText(err)}); retrying in ${delay} ms`);
      } else {
        const ids = (Array.isArray(messages) ? messages : [messages]).map((m) => m.MessageId).join(', ');
        this.log(`bridge: SQS error for message(s) ${ids}: ${errorText(err)}`);
      }
    });
    this.consumer.on('empty', () => this.sqsReachable());
  }

  start(): void {
    this.consumer.start();
  }

  private sqsReachable(): void {
    if (this.sqsBackoff.succeeded()) this.log('bridge: SQS is reachable again');
  }

  /** Runs before every ReceiveMessage: the backpressure. Throwing cancels the receive. */
  private async beforeReceive(): Promise<void> {
    const signal = this.stopController.signal;
    await this.sqsBackoff.wait(signal);
    if (!this.pausedLogged && this.gate.room() === 0 && !signal.aborted) {
      this.pausedLogged = true;
      this.log(
        `bridge: ${this.gate.estimate()} slides in flight (bound ${this.settings.maxInFlight}): not receiving until one finishes`,
      );
    }
    const room = await this.gate.waitForRoom(signal);
    if (signal.aborted) throw new BridgeStopping('the bridge is stopping');
    if (this.pausedLogged) {
      this.pausedLogged = false;
      this.log(`bridge: below the bound again (${this.gate.estimate()} in flight): receiving`);
    }
    // sqs-consumer builds each request before this hook runs, so this sizes the next receive;
    // the per-record slots keep the bound exact whatever a receive brings.
    this.consumer.updateOption('batchSize', Math.min(this.settings.batchSize, Math.max(1, room)));
  }

  private async handleBatch(messages: Message[]): Promise<Message[]> {
    this.handling = true;
    try {
      this.sqsReachable();
      this.counters.messagesReceived += messages.length;
      const finished = await Promise.all(messages.map((m) => this.handleMessage(m)));
      // Only when stopping: hand back at once what could not finish, in one call at the end of
      // the batch (a visibility heartbeat during the batch would hide them again).
      const unfinished = messages.filter((_, i) => !finished[i]);
      if (unfinished.length > 0) {
        await this.acks.release(unfinished);
        this.counters.messagesReleased += unfinished.length;
        this.log(
          `bridge: handed back ${unfinished.length} unfinished message(s) (${unfinished.map((m) => m.MessageId).join(', ')}); a redelivery starts what is missing and joins what runs`,
        );
      }
    } finally {
      this.handling = false;
    }
    return [];
  }

  /** Handles one message; false when it must go back to the queue unfinished (stopping). */
  private async handleMessage(message: Message): Promise<boolean> {
    const id = message.MessageId ?? '(no id)';
    try {
      const parsed = parseMessage(message.Body);
      if (!parsed.ok) {
        await this.reject(message, formatRejection(parsed.rejection));
        return true;
      }
      for (const why of parsed.ignored) this.log(`bridge: message ${id}: ignored: ${why}`);
      if (parsed.records.length === 0) {
        this.counters.messagesIgnored++;
        await this.acknowledge(message);
        return true;
      }
      const accepted = await Promise.all(parsed.records.map((r) => this.startRecord(r, id)));
      if (!accepted.every(Boolean)) return false;
      await this.acknowledge(message);
    } catch (err) {
      // A bug here, not the message's fault: leave it to be delivered again rather than lose it.
      this.log(`bridge: message ${id}: unexpected error, left on the queue: ${(err as Error).stack ?? err}`);
    }
    return true;
  }

  /** Starts one record's workflow, waiting for room and through Temporal outages; false when stopped. */
  private async startRecord(record: SlideRecord, messageId: string): Promise<boolean> {
    const signal = this.stopController.signal;
    for (;;) {
      const slot = await this.gate.acquire(signal);
      if (!slot) return false;
      try {
        const started = await startSlideWorkflow(
          this.client,
          this.settings.taskQueue,
          record,
          this.settings.startTimeoutMs,
        );
        slot.started();
        this.counters.workflowsStarted++;
        if (this.temporal.succeeded()) this.log('bridge: Temporal is reachable again');
        this.log(`bridge: message ${messageId}: ${started.workflowId} accepted (run ${started.runId})`);
        return true;
      } catch (err) {
        slot.release();
        this.counters.startErrors++;
        const delay = this.temporal.failed();
        this.log(
          `bridge: message ${messageId}: could not start ${slideWorkflowId(record.bucket, record.key)} (${errorText(err)}); message kept, retrying in ${delay} ms`,
        );
        if (signal.aborted) return false;
      }
    }
  }

  private async acknowledge(message: Message): Promise<void> {
    if (await this.acks.delete(message)) this.counters.messagesDeleted++;
  }

  private async reject(message: Message, reason: string): Promise<void> {
    const id = message.MessageId ?? '(no id)';
    this.log(`bridge: message ${id} rejected: ${reason}`);
    try {
      await sendToDeadLetter(this.sqs, this.deadLetterQueueUrl, this.settings.queueUrl, message, reason);
    } catch (err) {
      this.counters.deadLetterErrors++;
      this.log(
        `bridge: message ${id}: could not send it to the dead-letter queue (${errorText(err)}); left on the queue for the redrive policy`,
      );
      return;
    }
    this.counters.messagesRejected++;
    await this.acknowledge(message);
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopController.abort();
    // The consumer's abort signal also cancels its visibility heartbeats: fire it only when no
    // batch is in hand (then it just ends the long poll early).
    this.consumer.stop({ abort: !this.handling });
    while (this.consumer.status.isPolling || this.handling) await sleep(20);
    await this.acks.drain();
    this.consumer.removeAllListeners();
    if (this.owns.client) await this.client.connection.close().catch(() => undefined);
    if (this.owns.sqs) this.sqs.destroy();
    this.log('bridge: stopped');
  }

  stats(): BridgeStats {
    return {
      ...this.counters,
      inFlight: this.gate.estimate(),
      maxInFlight: this.settings.maxInFlight,
      paused: this.gate.paused,
      temporalReachable: !this.temporal.failing,
      stopping: this.stopController.signal.aborted,
    };
  }
}

/**
 * Starts the bridge: checks the queue (and finds its DLQ when SQS_DLQ_URL is not set), then
 * consumes until stop(). Throws at once on bad settings or an unreadable queue.
 */
export async function startBridge(options: BridgeOptions = {}): Promise<BridgeHandle> {
  const env = options.env ?? process.env;
  const settings = options.settings ?? loadBridgeSettings(env);
  const log = options.log ?? ((line: string) => console.log(line));
  const sqs = options.sqs ?? createSqsClient(env);
  let deadLetterQueueUrl: string;
  try {
    const facts = await readQueueFacts(sqs, settings.queueUrl).catch((err: unknown) => {
      throw new SettingsError(`SQS_QUEUE_URL: cannot read queue ${settings.queueUrl}: ${errorText(err)}`);
    });
    const dlq = settings.deadLetterQueueUrl ?? facts.redriveDeadLetterQueueUrl;
    if (!dlq)
      throw new SettingsError(
        `SQS_DLQ_URL: not set, and queue ${settings.queueUrl} has no redrive policy naming a dead-letter queue`,
      );
    deadLetterQueueUrl = dlq;
    if (!facts.redriveDeadLetterQueueUrl)
      log(
        `bridge: warning: queue ${settings.queueUrl} has no redrive policy; a message the bridge cannot forward to the DLQ stays on it until it expires`,
      );
  } catch (err) {
    if (!options.sqs) sqs.destroy();
    throw err;
  }
  const client = options.client ?? createBridgeClient(env);
  const bridge = new Bridge(
    settings,
    deadLetterQueueUrl,
    client,
    sqs,
    { client: !options.client, sqs: !options.sqs },
    log,
  );
  bridge.start();
  log(
    `bridge: consuming ${settings.queueUrl} -> processSlide on task queue ${settings.taskQueue} (at most ${settings.maxInFlight} in flight; rejects to ${deadLetterQueueUrl})`,
  );
  return bridge;
}
