// The workers and the bridge follow the upload backlog (SQS ApproximateNumberOfMessagesVisible):
// step scaling, one more task at `scaleOutBacklog` visible messages, two more at ten times that,
// one fewer when the queue is empty. The workers can also follow a metric of slides waiting for
// capacity. More workers never mean more processor tasks: the cluster's budget is one for all.
import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

export interface BacklogScalingProps {
  readonly service: ecs.FargateService;
  readonly queue: sqs.IQueue;
  readonly min: number;
  readonly max: number;
  readonly scaleOutBacklog: number;
  readonly waitingSlides?: cloudwatch.IMetric;
}

export function backlogSteps(scaleOutBacklog: number): appscaling.ScalingInterval[] {
  return [
    { upper: 0, change: -1 },
    { lower: scaleOutBacklog, change: +1 },
    { lower: scaleOutBacklog * 10, change: +2 },
  ];
}

export function scaleOnBacklog(props: BacklogScalingProps): ecs.ScalableTaskCount {
  if (!(props.min >= 1 && props.max >= props.min))
    throw new Error(`scaling: expected 1 <= min <= max, got min ${props.min}, max ${props.max}`);
  const count = props.service.autoScaleTaskCount({ minCapacity: props.min, maxCapacity: props.max });
  count.scaleOnMetric('UploadBacklog', {
    metric: props.queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    scalingSteps: backlogSteps(props.scaleOutBacklog),
    adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    cooldown: Duration.minutes(5),
    evaluationPeriods: 3,
  });
  if (props.waitingSlides) {
    count.scaleOnMetric('SlidesWaitingForCapacity', {
      metric: props.waitingSlides,
      scalingSteps: backlogSteps(props.scaleOutBacklog),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(5),
      evaluationPeriods: 3,
    });
  }
  return count;
}
