// One long-running Fargate service of the project image: `slides worker` or `slides bridge`.
// Its settings are plain environment (none of them secret), its Temporal credentials ECS
// secrets, its permissions the statements given, its logs a group with retention.
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { acknowledge, acknowledgeWildcardResources } from './nag';
import { ECR_TOKEN_REASON } from './processor';
import { Construct } from 'constructs';

export interface OrchestratorServiceProps {
  readonly cluster: ecs.ICluster;
  readonly image: ecs.ContainerImage;
  /** `worker` or `bridge`: the `slides` subcommand. */
  readonly command: 'worker' | 'bridge';
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
  readonly statements: iam.PolicyStatement[];
  /** Wildcard resources of those statements that cannot be narrower, and why. */
  readonly wildcards?: { resources: string[]; reason: string };
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly subnets: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logRetention: logs.RetentionDays;
  /** Seconds between SIGTERM and SIGKILL: the worker drains, the bridge hands messages back. */
  readonly stopTimeoutSeconds: number;
}

export class OrchestratorService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: OrchestratorServiceProps) {
    super(scope, id);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    for (const statement of props.statements) this.taskDefinition.addToTaskRolePolicy(statement);

    this.container = this.taskDefinition.addContainer(props.command, {
      containerName: props.command,
      image: props.image,
      command: [props.command],
      essential: true,
      environment: props.environment,
      secrets: props.secrets,
      stopTimeout: Duration.seconds(props.stopTimeoutSeconds),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: props.command,
        logGroup: new logs.LogGroup(this, 'Logs', { retention: props.logRetention }),
      }),
    });
    acknowledge(this.taskDefinition, {
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds only non-secret settings (cluster, family, subnets, URLs, limits); the Temporal credentials are ECS secrets from Secrets Manager.',
    });

    acknowledgeWildcardResources(this.taskDefinition.obtainExecutionRole(), ['*'], ECR_TOKEN_REASON);
    if (props.wildcards) {
      acknowledgeWildcardResources(
        this.taskDefinition.taskRole,
        props.wildcards.resources,
        props.wildcards.reason,
      );
    }

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount,
      vpcSubnets: props.subnets,
      assignPublicIp: props.assignPublicIp,
      securityGroups: [props.securityGroup],
      circuitBreaker: { rollback: true },
      // A rolling deploy starts the new task before stopping the old: workers share the budget.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
  }
}
