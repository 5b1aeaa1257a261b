// Where the tasks run: a VPC (created or imported), the ECS cluster (created or imported) and
// the security groups. No security group has an inbound rule: nothing connects to the
// processor, the workers or the bridge; they only call out (ECR, S3, SQS, ECS, Temporal).
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  readonly vpc?: ec2.IVpc;
  readonly vpcId?: string;
  readonly natGateways: number;
  readonly clusterName?: string;
  readonly logRetention: logs.RetentionDays;
}

export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  /** Subnets every task (processor, workers, bridge) runs in. */
  readonly taskSubnets: ec2.SubnetSelection;
  /** Whether tasks need a public IP to reach AWS and Temporal (no NAT). */
  readonly assignPublicIp: boolean;
  readonly processorSecurityGroup: ec2.SecurityGroup;
  readonly serviceSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.vpc || props.vpcId) {
      this.vpc = props.vpc ?? ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: props.vpcId });
      this.taskSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
      this.assignPublicIp = false;
    } else {
      const natless = props.natGateways === 0;
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: props.natGateways,
        subnetConfiguration: natless
          ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }]
          : [
              { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
              { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            ],
      });
      // AwsSolutions-VPC7: rejected traffic is logged (nothing should ever be rejected inbound).
      vpc.addFlowLog('RejectedTraffic', {
        trafficType: ec2.FlowLogTrafficType.REJECT,
        destination: ec2.FlowLogDestination.toCloudWatchLogs(
          new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention }),
        ),
      });
      this.vpc = vpc;
      this.taskSubnets = { subnetType: natless ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS };
      this.assignPublicIp = natless;
    }

    this.cluster = props.clusterName
      ? ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
          clusterName: props.clusterName,
          clusterArn: Stack.of(this).formatArn({
            service: 'ecs',
            resource: 'cluster',
            resourceName: props.clusterName,
          }),
          vpc: this.vpc,
          securityGroups: [],
        })
      : new ecs.Cluster(this, 'Cluster', {
          vpc: this.vpc,
          // The alarms read RunningTaskCount and DesiredTaskCount from Container Insights.
          containerInsightsV2: ecs.ContainerInsights.ENABLED,
        });

    this.processorSecurityGroup = new ec2.SecurityGroup(this, 'ProcessorSecurityGroup', {
      vpc: this.vpc,
      description: 'wsi processor tasks: no inbound, all outbound (ECR, S3)',
      allowAllOutbound: true,
    });
    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: this.vpc,
      description: 'wsi workers and bridge: no inbound, all outbound (ECS, S3, SQS, Temporal)',
      allowAllOutbound: true,
    });
  }
}
