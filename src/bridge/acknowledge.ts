// Deleting messages as soon as each is done, coalesced into DeleteMessageBatch calls; and
// handing unfinished messages back to the queue at shutdown.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

const SQS_BATCH_MAX = 10;

interface Pending {
  message: Message;
  resolve: (deleted: boolean) => void;
}

export class Acknowledger {
  private pending: Pending[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Deletes the message; resolves true when SQS confirmed it. A message is deleted as soon as
   * it is done (not at the end of its batch), so a crash leaves as few started-but-undeleted
   * messages as possible. One DeleteMessageBatch is in flight at a time and the deletes asked
   * for meanwhile go into the next one: fewer requests, and no overlapping deletes (which
   * moto, the local SQS, does not survive: it can bring a deleted message back).
   */
  delete(message: Message): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ message, resolve });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = (async () => {
      // Let the other messages of the batch that finish in this tick join the request.
      await new Promise((r) => setImmediate(r));
      while (this.pending.length > 0) await this.send(this.pending.splice(0, SQS_BATCH_MAX));
    })().finally(() => {
      this.running = undefined;
      if (this.pending.length > 0) this.kick();
    });
  }

  private async send(chunk: Pending[]): Promise<void> {
    const ids = new Map(chunk.map((p, n) => [String(n), p]));
    try {
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: [...ids].map(([Id, p]) => ({ Id, ReceiptHandle: p.message.ReceiptHandle })),
        }),
      );
      for (const f of out.Failed ?? []) {
        const p = f.Id !== undefined ? ids.get(f.Id) : undefined;
        this.log(
          `bridge: could not delete message ${p?.message.MessageId}: ${f.Code} ${f.Message ?? ''}; SQS will deliver it again (a no-op while its slide runs)`,
        );
        p?.resolve(false);
        if (f.Id !== undefined) ids.delete(f.Id);
      }
      for (const p of ids.values()) p.resolve(true);
    } catch (err) {
      this.log(
        `bridge: could not delete ${chunk.length} message(s) (${chunk.map((p) => p.message.MessageId).join(', ')}): ${(err as Error).message}; SQS will deliver them again`,
      );
      for (const p of chunk) p.resolve(false);
    }
  }

  /** Waits for every delete asked for so far. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Makes messages visible again at once (shutdown): the next receiver gets them right away. */
  async release(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += SQS_BATCH_MAX) {
      const chunk = messages.slice(i, i + SQS_BATCH_MAX);
      try {
        await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((m, n) => ({
              Id: String(n),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      } catch (err) {
        // Not fatal: they come back by themselves when their visibility timeout ends.
        this.log(`bridge: could not hand back ${chunk.length} message(s) early: ${(err as Error).message}`);
      }
    }
  }
}
