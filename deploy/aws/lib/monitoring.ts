// The alarms and the one-page dashboard:
// - processor tasks running near the budget: Container Insights RunningTaskCount of the cluster
//   less the workers' and the bridge's own tasks, against ECS_MAX_TASKS;
// - task failure rate over 10%, one alarm per processor (the default one and the OpenSlide
//   one, so that a broken image of the processor with fewer slides is not diluted by the
//   other's successes): EventBridge "ECS Task State Change" rules on that processor's family,
//   every STOPPED task and the failed ones (exit code other than 0 and 143, or failed to
//   start), counted by AWS/Events Invocations per rule; rate = failed / stopped over an hour,
//   only once at least 5 tasks stopped;
// - the DLQ is not empty; the oldest upload is older than a threshold;
// - a service (workers, bridge) runs fewer tasks than it wants, for 15 minutes.
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { acknowledge } from './nag';
import { Construct } from 'constructs';

/** Exit codes that are not failures: success, and 143 (SIGTERM: checkpointed, relaunched). */
export const NOT_FAILED_EXIT_CODES = [0, 143];
/** The failure-rate alarm's threshold, percent. */
export const FAILURE_RATE_PERCENT = 10;
const INSIGHTS = 'ECS/ContainerInsights';

/** A processor whose stopped tasks are counted, by its task definition family. */
export interface MonitoredProcessor {
  /**
   * Prefix of its rules' and alarm's construct IDs: '' for the default processor (the IDs it
   * always had: ProcessorTaskStopped, TaskFailureRate, ...), e.g. 'OpenSlide'.
   */
  readonly id: string;
  readonly family: string;
  /** In descriptions and titles: 'processor', 'OpenSlide processor'. */
  readonly label: string;
}

export interface MonitoringProps {
  readonly cluster: ecs.ICluster;
  /** The default processor first; its graphs sit next to the budget's. */
  readonly processors: MonitoredProcessor[];
  /** The container every processor family runs (the worker's ECS_CONTAINER_NAME). */
  readonly processorContainerName: string;
  readonly workers: ecs.FargateService;
  readonly bridge: ecs.FargateService;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly maxTasks: number;
  readonly budgetAlarmShare: number;
  readonly oldestUploadMinutes: number;
  readonly alarmEmail?: string;
  readonly logRetention: logs.RetentionDays;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const clusterName = props.cluster.clusterName;
    this.topic = new sns.Topic(this, 'Alarms', { enforceSSL: true, displayName: 'wsi-orchestrator alarms' });
    acknowledge(this.topic, {
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry only alarm names and states; the AWS-managed SNS key cannot be used by CloudWatch alarms, and a customer key would cost more than the data is worth.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const insights = (
      metricName: string,
      dimensions: Record<string, string>,
      label: string,
    ): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: INSIGHTS,
        metricName,
        dimensionsMap: dimensions,
        statistic: 'Average',
        period: Duration.minutes(5),
        label,
      });
    const serviceDims = (s: ecs.FargateService) => ({ ClusterName: clusterName, ServiceName: s.serviceName });

    // Processor tasks in flight: the cluster's running tasks less the services' own.
    const processorTasks = new cloudwatch.MathExpression({
      expression: 'cluster - workers - bridges',
      usingMetrics: {
        cluster: insights('RunningTaskCount', { ClusterName: clusterName }, 'cluster'),
        workers: insights('RunningTaskCount', serviceDims(props.workers), 'workers'),
        bridges: insights('RunningTaskCount', serviceDims(props.bridge), 'bridges'),
      },
      label: 'processor tasks running',
      period: Duration.minutes(5),
    });
    this.add('BudgetNearlyFull', processorTasks, {
      threshold: Math.ceil(props.maxTasks * props.budgetAlarmShare),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `Processor tasks running reached ${Math.round(props.budgetAlarmShare * 100)}% of the budget (ECS_MAX_TASKS=${props.maxTasks}) for 15 minutes: slides wait for capacity. Raise ECS_MAX_TASKS (and the Fargate quota) if that is not intended.`,
    });

    // Task failure rate per processor, from ECS task state change events of its family.
    const taskEvents = new logs.LogGroup(this, 'ProcessorTaskEvents', { retention: props.logRetention });
    const toTaskEvents = logGroupTarget(this, taskEvents);
    const invocations = (rule: events.Rule, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'Invocations',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: 'Sum',
        period: Duration.hours(1),
        label,
      });
    const taskGraphs = props.processors.map((processor) => {
      const { id, label } = processor;
      const stoppedPattern = {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [props.cluster.clusterArn],
          group: [`family:${processor.family}`],
          lastStatus: ['STOPPED'],
        },
      };
      const stopped = new events.Rule(this, `${id}ProcessorTaskStopped`, {
        description: `every stopped ${label} task (the failure rate denominator)`,
        eventPattern: stoppedPattern,
        targets: [toTaskEvents],
      });
      const failed = new events.Rule(this, `${id}ProcessorTaskFailed`, {
        description: `stopped ${label} tasks whose container exited other than ${NOT_FAILED_EXIT_CODES.join(' or ')}`,
        eventPattern: {
          ...stoppedPattern,
          detail: {
            ...stoppedPattern.detail,
            containers: {
              name: [props.processorContainerName],
              exitCode: [{ 'anything-but': NOT_FAILED_EXIT_CODES }],
            },
          },
        },
        targets: [toTaskEvents],
      });
      const failedToStart = new events.Rule(this, `${id}ProcessorTaskFailedToStart`, {
        description: `${label} tasks that never started (image pull, ENI, secrets)`,
        eventPattern: {
          ...stoppedPattern,
          detail: { ...stoppedPattern.detail, stopCode: ['TaskFailedToStart'] },
        },
        targets: [toTaskEvents],
      });
      const failureRate = new cloudwatch.MathExpression({
        expression: 'IF(stopped >= 5, 100 * (FILL(failed, 0) + FILL(nostart, 0)) / stopped, 0)',
        usingMetrics: {
          stopped: invocations(stopped, 'stopped'),
          failed: invocations(failed, 'failed'),
          nostart: invocations(failedToStart, 'failed to start'),
        },
        label: `${label} task failure rate (%)`,
        period: Duration.hours(1),
      });
      this.add(`${id}TaskFailureRate`, failureRate, {
        threshold: FAILURE_RATE_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `More than ${FAILURE_RATE_PERCENT}% of the ${label} tasks (family ${processor.family}) that stopped in the last hour failed (exit code other than 0/143, or failed to start). The events are in the ProcessorTaskEvents log group.`,
      });
      const title = label.charAt(0).toUpperCase() + label.slice(1);
      return {
        rate: (width: number) =>
          new cloudwatch.GraphWidget({
            title: `${title} task failure rate (%)`,
            left: [failureRate],
            leftAnnotations: [{ value: FAILURE_RATE_PERCENT, label: 'alarm' }],
            width,
          }),
        counts: (width: number) =>
          new cloudwatch.GraphWidget({
            title: `Stopped / failed ${label} tasks (per hour)`,
            left: [
              invocations(stopped, 'stopped'),
              invocations(failed, 'failed'),
              invocations(failedToStart, 'failed to start'),
            ],
            width,
          }),
      };
    });

    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    this.add('DeadLettersNotEmpty', dlqDepth, {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription:
        'The upload DLQ holds messages: each carries wsi-reject-reason (src/bridge/README.md, "Dead letters").',
    });

    const oldest = props.queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    });
    this.add('OldestUploadTooOld', oldest, {
      threshold: props.oldestUploadMinutes * 60,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: `An upload has waited more than ${props.oldestUploadMinutes} minutes in the queue: the bridge is down, or BRIDGE_MAX_IN_FLIGHT slides are running and the budget is full.`,
    });

    for (const [name, service] of [
      ['Workers', props.workers],
      ['Bridge', props.bridge],
    ] as const) {
      const missing = new cloudwatch.MathExpression({
        expression: 'desired - running',
        usingMetrics: {
          desired: insights('DesiredTaskCount', serviceDims(service), 'desired'),
          running: insights('RunningTaskCount', serviceDims(service), 'running'),
        },
        label: `${name.toLowerCase()} tasks missing`,
        period: Duration.minutes(5),
      });
      this.add(`${name}Unhealthy`, missing, {
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: `The ${name.toLowerCase()} service has run fewer tasks than desired for 15 minutes (or reports nothing): see its events and logs.`,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-wsi`,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: Object.values(this.alarms),
        width: 24,
        height: 3,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: `Processor tasks vs budget (${props.maxTasks})`,
        left: [processorTasks],
        leftAnnotations: [{ value: props.maxTasks, label: 'ECS_MAX_TASKS' }],
        width: 8,
      }),
      ...(taskGraphs[0] ? [taskGraphs[0].rate(8), taskGraphs[0].counts(8)] : []),
    );
    // Every other processor: its own row.
    for (const graphs of taskGraphs.slice(1)) this.dashboard.addWidgets(graphs.rate(12), graphs.counts(12));
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Upload backlog',
        left: [
          props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
          dlqDepth,
        ],
        right: [oldest],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Workers and bridge (running / desired)',
        left: [
          insights('RunningTaskCount', serviceDims(props.workers), 'workers running'),
          insights('DesiredTaskCount', serviceDims(props.workers), 'workers desired'),
          insights('RunningTaskCount', serviceDims(props.bridge), 'bridge running'),
          insights('DesiredTaskCount', serviceDims(props.bridge), 'bridge desired'),
        ],
        width: 12,
      }),
    );
  }

  private add(id: string, metric: cloudwatch.IMetric, props: Omit<cloudwatch.AlarmProps, 'metric'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms[id] = alarm;
  }
}

/**
 * EventBridge -> CloudWatch Logs without the custom resource (a Lambda) that the stock target
 * uses to write the log group's resource policy: a native AWS::Logs::ResourcePolicy instead.
 */
function logGroupTarget(scope: Construct, logGroup: logs.LogGroup): events.IRuleTarget {
  new logs.ResourcePolicy(scope, 'EventsToTaskEventLogs', {
    policyStatements: [
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
        ],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });
  const arn = Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: logGroup.logGroupName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { bind: () => ({ arn }) };
}
