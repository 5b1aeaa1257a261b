// Message bodies in the shapes AWS sends, for the bridge tests.

/** S3 form-encodes keys in notifications: `+` for a space, %XX for the rest (not `/`). */
export function s3EncodeKey(key: string): string {
  return key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
}

export interface S3RecordSpec {
  bucket: string;
  /** Already encoded as S3 would (see s3EncodeKey), or raw for bad-input tests. */
  encodedKey: string;
  eventName?: string;
  size?: unknown;
}

export function s3Record(r: S3RecordSpec): Record<string, unknown> {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-01-01T00:00:00.000Z',
    eventName: r.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:EXAMPLE' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'wsi-slide-uploads',
      bucket: { name: r.bucket, arn: `arn:aws:s3:::${r.bucket}` },
      object: {
        key: r.encodedKey,
        ...(r.size !== undefined ? { size: r.size } : {}),
        eTag: '0123456789abcdef',
        sequencer: '0055AED6DCD90281E5',
      },
    },
  };
}

/** An S3 event notification as S3 sends it to SQS (or SNS raw delivery does). */
export function s3Event(...records: S3RecordSpec[]): string {
  return JSON.stringify({ Records: records.map(s3Record) });
}

export function s3TestEvent(bucket: string): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: '2026-01-01T00:00:00.000Z',
    Bucket: bucket,
    RequestId: 'EXAMPLE',
    HostId: 'EXAMPLE',
  });
}

/** What SNS puts on an SQS queue without raw message delivery. */
export function snsEnvelope(message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:wsi-uploads',
    Subject: 'Amazon S3 Notification',
    Message: message,
    Timestamp: '2026-01-01T00:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
  });
}

/** An S3 event through EventBridge: the key is NOT URL-encoded there. */
export function eventBridgeEvent(
  bucket: string,
  key: string,
  size?: number,
  detailType = 'Object Created',
): string {
  return JSON.stringify({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': detailType,
    source: 'aws.s3',
    account: '123456789012',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key,
        ...(size !== undefined ? { size } : {}),
        etag: 'b1946ac9',
        sequencer: '617f08299329d189',
      },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  });
}

export function plain(bucket: string, key: string, sizeBytes?: number): string {
  return JSON.stringify({ bucket, key, ...(sizeBytes !== undefined ? { sizeBytes } : {}) });
}
