// A processor's Fargate task definition: the container the workers launch with RunTask, one
// task per slide. Two of them: the default (TypeScript) processor and the OpenSlide one, each
// with its own family, roles and log group. Its task role reads the slides (and, with
// listSlides, lists the slides bucket: a folder slide or an MRXS data folder is every object
// under a prefix) and writes only the work prefixes; its execution role pulls the image and
// writes the log group. The task-level CPU and memory here are only the smallest size; RunTask
// overrides them with the slide's tier.
import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeWildcardResources } from './nag';
import { Construct } from 'constructs';

/** Why an execution role's policy has Resource "*" (CDK adds it for every image pulled from ECR). */
export const ECR_TOKEN_REASON =
  'ecr:GetAuthorizationToken supports no resource-level permission; the image pull itself (ecr:BatchGetImage, GetDownloadUrlForLayer) is limited to the asset repository.';

/** ECS allows a container stop timeout of at most 120 s on Fargate. */
export const FARGATE_MAX_STOP_TIMEOUT = 120;

export interface ProcessorProps {
  readonly image: ecs.ContainerImage;
  readonly family: string;
  /** The worker's one ECS_CONTAINER_NAME: RunTask overrides this container in every family. */
  readonly containerName: string;
  readonly slidesBucket: s3.IBucket;
  readonly workBucket: s3.IBucket;
  readonly checkpointPrefix: string;
  readonly outputPrefix: string;
  readonly stopTimeoutSeconds: number;
  readonly ephemeralStorageGiB: number;
  /** Task-level size of the definition itself (RunTask overrides it per slide). */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly logRetention: logs.RetentionDays;
  /**
   * Also s3:ListBucket on the slides bucket: for a processor that reads a slide as every object
   * under a prefix (a folder slide, an MRXS data folder). Default false.
   */
  readonly listSlides?: boolean;
}

export class Processor extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly family: string;

  constructor(scope: Construct, id: string, props: ProcessorProps) {
    super(scope, id);
    const stop = props.stopTimeoutSeconds;
    if (!Number.isInteger(stop) || stop < 30 || stop > FARGATE_MAX_STOP_TIMEOUT)
      throw new Error(
        `processorStopTimeoutSeconds: expected 30-${FARGATE_MAX_STOP_TIMEOUT} (Fargate's maximum), got ${stop}`,
      );
    const storage = props.ephemeralStorageGiB;
    if (!Number.isInteger(storage) || storage < 21 || storage > 200)
      throw new Error(`processorEphemeralStorageGiB: expected 21-200, got ${storage}`);
    this.family = props.family;

    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: props.listSlides
        ? 'wsi processor: reads and lists slides, writes checkpoints and outputs'
        : 'wsi processor: reads slides, writes checkpoints and outputs',
    });
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSlides',
        actions: ['s3:GetObject'],
        resources: [props.slidesBucket.arnForObjects('*')],
      }),
    );
    if (props.listSlides)
      this.taskRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ListSlideFolders',
          actions: ['s3:ListBucket'],
          resources: [props.slidesBucket.bucketArn],
        }),
      );
    this.taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWriteWorkPrefixes',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [
          props.workBucket.arnForObjects(`${props.checkpointPrefix}*`),
          props.workBucket.arnForObjects(`${props.outputPrefix}*`),
        ],
      }),
    );
    acknowledgeWildcardResources(
      this.taskRole,
      [
        props.slidesBucket.arnForObjects('*'),
        props.workBucket.arnForObjects(`${props.checkpointPrefix}*`),
        props.workBucket.arnForObjects(`${props.outputPrefix}*`),
      ],
      'Object ARNs: a slide can be any key of the slides bucket; each slide writes its own checkpoint and output keys under the two work prefixes, and nowhere else.',
    );

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'wsi processor: pulls the image, writes the log group',
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: props.family,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      ephemeralStorageGiB: storage,
      taskRole: this.taskRole,
      executionRole: this.executionRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.taskDefinition.addContainer('Processor', {
      containerName: props.containerName,
      image: props.image,
      essential: true,
      // No container memory limit: the task size that RunTask sets per tier is the only limit.
      stopTimeout: Duration.seconds(stop),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'processor' }),
      readonlyRootFilesystem: false,
    });
    acknowledgeWildcardResources(this.executionRole, ['*'], ECR_TOKEN_REASON);
  }

  /** The family's ARN pattern, every revision: what RunTask may launch. */
  familyArn(): string {
    return Stack.of(this).formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${this.family}:*`,
    });
  }
}
