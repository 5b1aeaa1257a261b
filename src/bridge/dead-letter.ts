// Rejected messages go to the dead-letter queue by an explicit SendMessage, with the reason and
// the original message ID as message attributes, and only then are deleted from the source
// queue. A redrive policy alone would carry no reason and would need several failed receives.
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export const REJECT_REASON_ATTRIBUTE = 'wsi-reject-reason';
export const ORIGINAL_MESSAGE_ID_ATTRIBUTE = 'wsi-original-message-id';
export const SOURCE_QUEUE_ATTRIBUTE = 'wsi-source-queue';
export const REJECTED_AT_ATTRIBUTE = 'wsi-rejected-at';

/** SQS accepts only these characters in bodies and attribute values. */
const NOT_SQS_TEXT = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text safe for an SQS attribute value: allowed characters only, at most `max` characters. */
export function sqsSafeText(text: string, max = 1024): string {
  const clean = text.replace(NOT_SQS_TEXT, '?');
  return clean.length <= max ? clean : `${clean.slice(0, max - 3)}...`;
}

/** Copies `message` to the DLQ with the reason attached; throws when SQS refuses it. */
export async function sendToDeadLetter(
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  sourceQueueUrl: string,
  message: Message,
  reason: string,
): Promise<void> {
  const text = (value: string) => ({ DataType: 'String', StringValue: sqsSafeText(value) });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      // The body unchanged, so a fixed message can be sent back as it was.
      MessageBody: message.Body || '(empty body)',
      MessageAttributes: {
        [REJECT_REASON_ATTRIBUTE]: text(reason),
        [ORIGINAL_MESSAGE_ID_ATTRIBUTE]: text(message.MessageId ?? 'unknown'),
        [SOURCE_QUEUE_ATTRIBUTE]: text(sourceQueueUrl),
        [REJECTED_AT_ATTRIBUTE]: text(new Date().toISOString()),
      },
    }),
  );
}

export interface QueueFacts {
  queueArn?: string;
  /** The URL of the queue's redrive dead-letter queue, when it has one. */
  redriveDeadLetterQueueUrl?: string;
  maxReceiveCount?: number;
}

/** Reads the queue's ARN and redrive policy (also proves the queue exists and is readable). */
export async function readQueueFacts(sqs: SQSClient, queueUrl: string): Promise<QueueFacts> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy'] }),
  );
  const facts: QueueFacts = { queueArn: a.QueueArn };
  if (!a.RedrivePolicy) return facts;
  const policy = JSON.parse(a.RedrivePolicy) as {
    deadLetterTargetArn?: string;
    maxReceiveCount?: number | string;
  };
  facts.maxReceiveCount = policy.maxReceiveCount !== undefined ? Number(policy.maxReceiveCount) : undefined;
  // arn:aws:sqs:<region>:<account>:<name>
  const parts = policy.deadLetterTargetArn?.split(':') ?? [];
  const [account, name] = [parts[4], parts[5]];
  if (account && name) {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    facts.redriveDeadLetterQueueUrl = QueueUrl;
  }
  return facts;
}
