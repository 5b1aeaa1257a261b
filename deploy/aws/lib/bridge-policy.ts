// The bridge's IAM statements (src/bridge/README.md, "The bridge's IAM permissions"): receive,
// delete and extend on the upload queue, send to the DLQ with the reason.
import * as iam from 'aws-cdk-lib/aws-iam';

export function bridgePolicyStatements(queueArn: string, dlqArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ConsumeUploads',
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: [queueArn],
    }),
    new iam.PolicyStatement({
      sid: 'RejectToDeadLetters',
      actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
      resources: [dlqArn],
    }),
  ];
}
