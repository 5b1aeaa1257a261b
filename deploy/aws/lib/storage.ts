// The two buckets: slides (read by the processor and, for sizes, the workers) and work
// (checkpoints/ and outputs/). Imported by name, or created private, encrypted, TLS-only,
// with access logs, and kept when the stack is destroyed (they hold the lab's data).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from './nag';
import { Construct } from 'constructs';

export interface StorageProps {
  readonly slidesBucketName?: string;
  readonly workBucketName?: string;
  /** Created slides bucket sends its events to EventBridge. */
  readonly eventBridge: boolean;
}

export class Storage extends Construct {
  readonly slidesBucket: s3.IBucket;
  readonly workBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    let accessLogs: s3.Bucket | undefined;
    const logsBucket = (): s3.Bucket => {
      if (!accessLogs) {
        accessLogs = new s3.Bucket(this, 'AccessLogs', {
          ...secureBucket,
          objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
          lifecycleRules: [{ expiration: Duration.days(90) }],
        });
        acknowledge(accessLogs, {
          id: 'AwsSolutions-S1',
          reason:
            'This is the access-log bucket of the slides and work buckets; logging it to itself would loop.',
        });
      }
      return accessLogs;
    };

    this.slidesBucket = props.slidesBucketName
      ? s3.Bucket.fromBucketName(this, 'Slides', props.slidesBucketName)
      : new s3.Bucket(this, 'Slides', {
          ...secureBucket,
          eventBridgeEnabled: props.eventBridge,
          serverAccessLogsBucket: logsBucket(),
          serverAccessLogsPrefix: 'slides/',
        });
    this.workBucket = props.workBucketName
      ? s3.Bucket.fromBucketName(this, 'Work', props.workBucketName)
      : new s3.Bucket(this, 'Work', {
          ...secureBucket,
          serverAccessLogsBucket: logsBucket(),
          serverAccessLogsPrefix: 'work/',
        });
  }
}

const secureBucket: s3.BucketProps = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.RETAIN,
};
