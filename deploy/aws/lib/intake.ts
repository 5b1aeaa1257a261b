// Uploads in: the upload queue (long-polled by the bridge, hidden for the bridge's visibility
// timeout, redriven to the DLQ after maxReceiveCount receives as a backstop), the DLQ (14 days),
// and what tells the queue about uploads: an S3 notification per suffix, or an EventBridge rule.
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { acknowledge } from './nag';
import { Construct } from 'constructs';

export interface IntakeProps {
  readonly slidesBucket: s3.IBucket;
  readonly prefix: string;
  readonly suffixes: string[];
  readonly mode: 'notification' | 'eventbridge';
  /** The bridge's BRIDGE_VISIBILITY_TIMEOUT and BRIDGE_WAIT_TIME, in seconds. */
  readonly visibilityTimeoutSeconds: number;
  readonly receiveWaitSeconds: number;
  readonly maxReceiveCount: number;
}

const FOURTEEN_DAYS = Duration.days(14);

export class Intake extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule?: events.Rule;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: FOURTEEN_DAYS,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledge(this.deadLetterQueue, {
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the upload queue.',
    });
    this.queue = new sqs.Queue(this, 'Uploads', {
      visibilityTimeout: Duration.seconds(props.visibilityTimeoutSeconds),
      receiveMessageWaitTime: Duration.seconds(props.receiveWaitSeconds),
      retentionPeriod: FOURTEEN_DAYS,
      // SQS-managed encryption: S3 and EventBridge may send to it without a key policy.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    if (props.mode === 'eventbridge') {
      // The bucket must send its events to EventBridge (a created bucket does; turn it on for an imported one).
      const keys =
        props.suffixes.length > 0
          ? props.suffixes.map((suffix) => ({ wildcard: `${props.prefix}*${suffix}` }))
          : [{ prefix: props.prefix }];
      this.rule = new events.Rule(this, 'Uploaded', {
        description: 'slides uploaded under the intake prefix -> upload queue',
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [props.slidesBucket.bucketName] },
            object: { key: keys },
          },
        },
        targets: [new targets.SqsQueue(this.queue)],
      });
    } else {
      const filters: s3.NotificationKeyFilter[] =
        props.suffixes.length > 0
          ? props.suffixes.map((suffix) => ({ prefix: props.prefix, suffix }))
          : [{ prefix: props.prefix }];
      for (const filter of filters) {
        props.slidesBucket.addEventNotification(
          s3.EventType.OBJECT_CREATED,
          new s3n.SqsDestination(this.queue),
          filter,
        );
      }
    }
  }
}
