// The queues the bridge reads, for the local stack (and a template for real AWS): the upload
// queue S3 notifies, its dead-letter queue, and the bucket notification that feeds them.
import { PutBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export const LOCAL_QUEUE_NAME = 'wsi-slide-uploads';
export const LOCAL_DLQ_NAME = 'wsi-slide-uploads-dlq';

export interface LocalQueues {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

export interface LocalQueueOptions {
  queueName?: string;
  dlqName?: string;
  /**
   * Receives after which SQS itself moves a message to the DLQ: the backstop for a message the
   * bridge could not even forward. High, because the bridge never fails a message by receiving
   * it again (Temporal outages keep messages in hand instead).
   */
  maxReceiveCount?: number;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${queueUrl} has no QueueArn`);
  return Attributes.QueueArn;
}

/**
 * Creates `wsi-slide-uploads` and `wsi-slide-uploads-dlq` (idempotent), the first with a
 * redrive policy to the second, and returns their URLs and ARNs: SQS_QUEUE_URL and SQS_DLQ_URL.
 */
export async function createLocalQueues(sqs: SQSClient, opts: LocalQueueOptions = {}): Promise<LocalQueues> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: opts.dlqName ?? LOCAL_DLQ_NAME,
      Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600) },
    }),
  );
  if (!dlq.QueueUrl) throw new Error('CreateQueue returned no URL for the dead-letter queue');
  const dlqArn = await queueArn(sqs, dlq.QueueUrl);
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: opts.queueName ?? LOCAL_QUEUE_NAME }));
  if (!queue.QueueUrl) throw new Error('CreateQueue returned no URL for the upload queue');
  // Set separately so that creating the queues again (an existing queue) still succeeds.
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.QueueUrl,
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: opts.maxReceiveCount ?? 10,
        }),
      },
    }),
  );
  return {
    queueUrl: queue.QueueUrl,
    queueArn: await queueArn(sqs, queue.QueueUrl),
    dlqUrl: dlq.QueueUrl,
    dlqArn,
  };
}

/** The queue policy that lets S3 (only for this bucket, only from this account) send to the queue. */
export function s3NotificationQueuePolicy(opts: {
  queueArn: string;
  bucket: string;
  accountId: string;
}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowS3UploadNotifications',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: opts.queueArn,
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${opts.bucket}` },
          StringEquals: { 'aws:SourceAccount': opts.accountId },
        },
      },
    ],
  });
}

/**
 * Makes S3 notify the queue of every object created in `bucket` (optionally under a prefix or
 * with a suffix). This replaces the bucket's whole notification configuration.
 */
export async function notifyQueueOfUploads(
  s3: S3Client,
  opts: { bucket: string; queueArn: string; prefix?: string; suffix?: string },
): Promise<void> {
  const rules = [
    ...(opts.prefix ? [{ Name: 'prefix' as const, Value: opts.prefix }] : []),
    ...(opts.suffix ? [{ Name: 'suffix' as const, Value: opts.suffix }] : []),
  ];
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: opts.bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'wsi-slide-uploads',
            QueueArn: opts.queueArn,
            Events: ['s3:ObjectCreated:*'],
            ...(rules.length > 0 ? { Filter: { Key: { FilterRules: rules } } } : {}),
          },
        ],
      },
    }),
  );
}
