// The whole pipeline in one stack: network and cluster, buckets, the two processors' task
// definitions (the default one, and the OpenSlide one the workers route vendor formats and
// folder slides to), the intake (queue, DLQ, notification), the workers and the bridge with their
// least-privilege policies, backlog scaling, alarms and the dashboard.
import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { bridgePolicyStatements } from './bridge-policy';
import { acknowledge } from './nag';
import {
  assertBridgeSettingNames,
  assertWorkerSettingNames,
  bridgeSettings,
  DEFAULT_OPENSLIDE_SUFFIXES,
  keyPrefixOf,
  routesTo,
  workerDefaults,
} from './contract';
import { repositoryImages, type Images } from './images';
import { Intake } from './intake';
import { Monitoring } from './monitoring';
import { Network } from './network';
import { OrchestratorService } from './orchestrator-service';
import { Processor } from './processor';
import type { WsiPipelineProps } from './props';
import { scaleOnBacklog } from './scaling';
import { Storage } from './storage';
import { temporalConnection } from './temporal-secrets';
import { workerPolicy } from './worker-policy';

export interface WsiPipelineStackProps extends StackProps {
  readonly pipeline: WsiPipelineProps;
  /** The container images; the repository's Dockerfiles as image assets unless given. */
  readonly images?: Images;
}

export class WsiPipelineStack extends Stack {
  readonly network: Network;
  readonly storage: Storage;
  /** The default processor (ECS_TASK_DEFINITION): plain TIFF and whatever no route names. */
  readonly processor: Processor;
  /** The OpenSlide processor: the slides ECS_TASK_DEFINITION_ROUTES sends it. */
  readonly openslideProcessor: Processor;
  readonly intake: Intake;
  readonly workers: OrchestratorService;
  readonly bridge: OrchestratorService;
  readonly workerScaling: ecs.ScalableTaskCount;
  readonly bridgeScaling: ecs.ScalableTaskCount;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: WsiPipelineStackProps) {
    super(scope, id, props);
    const p = props.pipeline;
    const defaults = workerDefaults();
    const logRetention = retentionOf(p.logRetentionDays ?? 30);
    const maxTasks = p.maxTasks ?? 20;
    const images = props.images ?? repositoryImages();
    const workerExtra = p.workerEnvironment ?? {};
    const bridgeExtra = p.bridgeEnvironment ?? {};
    assertWorkerSettingNames(workerExtra);
    if ('ECS_TASK_DEFINITION_ROUTES' in workerExtra)
      throw new Error(
        'workerEnvironment: ECS_TASK_DEFINITION_ROUTES is set by the stack (the workers may launch only its two processors); use openslideSuffixes',
      );
    assertBridgeSettingNames(bridgeExtra);
    // Validates the bridge's settings now (they are literals), and gives the queue its timings.
    const bridge = bridgeSettings(bridgeExtra);

    this.network = new Network(this, 'Network', {
      vpc: p.vpc,
      vpcId: p.vpcId,
      natGateways: p.natGateways ?? 1,
      clusterName: p.clusterName,
      logRetention,
    });
    const intakeMode = p.intake ?? 'notification';
    this.storage = new Storage(this, 'Storage', {
      slidesBucketName: p.slidesBucketName,
      workBucketName: p.workBucketName,
      eventBridge: intakeMode === 'eventbridge',
    });
    const { slidesBucket, workBucket } = this.storage;
    const checkpointPrefix = keyPrefixOf(defaults.checkpointUriPrefix);
    const outputPrefix = keyPrefixOf(defaults.outputUriPrefix);
    const smallest = defaults.tiers[0]!;

    // Both processors: the same container name (the worker's one ECS_CONTAINER_NAME is what
    // RunTask overrides in any family), work prefixes, sizes and stop timeout.
    const processorProps = {
      containerName: defaults.ecs.containerName,
      slidesBucket,
      workBucket,
      checkpointPrefix,
      outputPrefix,
      stopTimeoutSeconds: p.processorStopTimeoutSeconds ?? 120,
      ephemeralStorageGiB: p.processorEphemeralStorageGiB ?? 100,
      cpu: smallest.cpu,
      memoryMiB: smallest.memory,
      logRetention,
    };
    this.processor = new Processor(this, 'Processor', {
      ...processorProps,
      image: images.processor,
      family: defaults.ecs.taskDefinition,
    });
    this.openslideProcessor = new Processor(this, 'OpenSlideProcessor', {
      ...processorProps,
      image: images.openslideProcessor,
      family: `${defaults.ecs.taskDefinition}-openslide`,
      // A folder slide (DICOM) and an MRXS slide's data folder are every object under a prefix.
      listSlides: true,
    });
    const routes = routesTo(
      this.openslideProcessor.family,
      p.openslideSuffixes ?? DEFAULT_OPENSLIDE_SUFFIXES,
    );

    this.intake = new Intake(this, 'Intake', {
      slidesBucket,
      prefix: p.uploadPrefix ?? 'incoming/',
      suffixes: p.uploadSuffixes ?? [],
      mode: intakeMode,
      visibilityTimeoutSeconds: bridge.visibilityTimeoutSeconds,
      receiveWaitSeconds: bridge.waitTimeSeconds,
      maxReceiveCount: p.maxReceiveCount ?? 10,
    });

    const temporal = temporalConnection(this, p.temporal);
    const cluster = this.network.cluster;
    const subnetIds = this.network.vpc.selectSubnets(this.network.taskSubnets).subnetIds;
    const workerEnvironment: Record<string, string> = {
      ...workerExtra,
      ...temporal.environment,
      AWS_REGION: this.region,
      ECS_CLUSTER: cluster.clusterName,
      ECS_TASK_DEFINITION: this.processor.family,
      ...(routes ? { ECS_TASK_DEFINITION_ROUTES: routes } : {}),
      ECS_CONTAINER_NAME: defaults.ecs.containerName,
      ECS_LAUNCH_TYPE: 'FARGATE',
      ECS_SUBNETS: Fn.join(',', subnetIds),
      ECS_SECURITY_GROUPS: this.network.processorSecurityGroup.securityGroupId,
      ECS_ASSIGN_PUBLIC_IP: this.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
      ECS_MAX_TASKS: String(maxTasks),
      CHECKPOINT_URI_PREFIX: `s3://${workBucket.bucketName}/${checkpointPrefix}`,
      OUTPUT_URI_PREFIX: `s3://${workBucket.bucketName}/${outputPrefix}`,
    };
    const policy = workerPolicy(this, {
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      processorFamilyArns: [this.processor.familyArn(), this.openslideProcessor.familyArn()],
      processorRoleArns: [this.processor, this.openslideProcessor].flatMap((proc) => [
        proc.taskRole.roleArn,
        proc.executionRole.roleArn,
      ]),
      slidesObjectsArn: slidesBucket.arnForObjects('*'),
      slidesBucketArn: slidesBucket.bucketArn,
      checkpointObjectsArn: workBucket.arnForObjects(`${checkpointPrefix}*`),
    });
    this.workers = new OrchestratorService(this, 'Workers', {
      cluster,
      image: images.orchestrator,
      command: 'worker',
      environment: workerEnvironment,
      secrets: temporal.secrets,
      statements: policy.statements,
      wildcards: policy.wildcards,
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: p.minWorkers ?? 2,
      subnets: this.network.taskSubnets,
      assignPublicIp: this.network.assignPublicIp,
      securityGroup: this.network.serviceSecurityGroup,
      logRetention,
      stopTimeoutSeconds: 60,
    });

    this.bridge = new OrchestratorService(this, 'Bridge', {
      cluster,
      image: images.orchestrator,
      command: 'bridge',
      environment: {
        ...bridgeExtra,
        ...temporal.environment,
        AWS_REGION: this.region,
        SQS_QUEUE_URL: this.intake.queue.queueUrl,
        SQS_DLQ_URL: this.intake.deadLetterQueue.queueUrl,
        BRIDGE_VISIBILITY_TIMEOUT: String(bridge.visibilityTimeoutSeconds),
        BRIDGE_WAIT_TIME: String(bridge.waitTimeSeconds),
      },
      secrets: temporal.secrets,
      statements: bridgePolicyStatements(this.intake.queue.queueArn, this.intake.deadLetterQueue.queueArn),
      cpu: 256,
      memoryMiB: 512,
      desiredCount: p.minBridges ?? 1,
      subnets: this.network.taskSubnets,
      assignPublicIp: this.network.assignPublicIp,
      securityGroup: this.network.serviceSecurityGroup,
      logRetention,
      // src/bridge/README.md: above BRIDGE_START_TIMEOUT plus a few seconds.
      stopTimeoutSeconds: Math.max(30, Math.ceil(bridge.startTimeoutMs / 1000) + 10),
    });

    const scaleOutBacklog = p.scaleOutBacklog ?? 100;
    const waiting = p.waitingSlidesMetric
      ? new cloudwatch.Metric({
          namespace: p.waitingSlidesMetric.namespace,
          metricName: p.waitingSlidesMetric.metricName,
          dimensionsMap: p.waitingSlidesMetric.dimensions,
          statistic: 'Maximum',
        })
      : undefined;
    this.workerScaling = scaleOnBacklog({
      service: this.workers.service,
      queue: this.intake.queue,
      min: p.minWorkers ?? 2,
      max: p.maxWorkers ?? 4,
      scaleOutBacklog,
      waitingSlides: waiting,
    });
    this.bridgeScaling = scaleOnBacklog({
      service: this.bridge.service,
      queue: this.intake.queue,
      min: p.minBridges ?? 1,
      max: p.maxBridges ?? 2,
      scaleOutBacklog,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      cluster,
      processors: [
        { id: '', family: this.processor.family, label: 'processor' },
        { id: 'OpenSlide', family: this.openslideProcessor.family, label: 'OpenSlide processor' },
      ],
      processorContainerName: defaults.ecs.containerName,
      workers: this.workers.service,
      bridge: this.bridge.service,
      queue: this.intake.queue,
      deadLetterQueue: this.intake.deadLetterQueue,
      maxTasks,
      budgetAlarmShare: p.budgetAlarmShare ?? 0.9,
      oldestUploadMinutes: p.oldestUploadAlarmMinutes ?? 60,
      alarmEmail: p.alarmEmail,
      logRetention,
    });

    // CDK writes bucket notifications (to SQS, or "send to EventBridge") with its own singleton
    // Lambda at the stack's root, made only when a notification exists.
    for (const child of this.node.children) {
      if (child.node.id.startsWith('BucketNotificationsHandler'))
        acknowledge(child, {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason:
            "CDK's own bucket-notification handler (runs only during deployment) logs with the AWS-managed basic execution policy; CDK offers no other role for it.",
        });
    }
  }
}

function retentionOf(days: number): logs.RetentionDays {
  const known = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!known.includes(days))
    throw new Error(`logRetentionDays: CloudWatch Logs keeps ${known.join(', ')} days, not ${days}`);
  return days as logs.RetentionDays;
}
