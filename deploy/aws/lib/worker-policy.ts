// The workers' least-privilege IAM statements, one per job, built from the ARNs they concern.
// Resource-level permissions and condition keys as the Service Authorization Reference for
// Amazon ECS lists them:
// - RunTask: resource task-definition; condition key ecs:cluster.
// - DescribeTasks, StopTask: resource task (arn:...:task/CLUSTER/ID); condition key ecs:cluster.
// - TagResource (RunTask carries tags): resource task; condition key ecs:CreateAction.
// - ListTasks: its resource is a container-instance, which a Fargate cluster does not have,
//   so the statement is Resource "*" narrowed by the ecs:cluster condition.
// - ListContainerInstances: resource cluster. DescribeContainerInstances: resource
//   container-instance (arn:...:container-instance/CLUSTER/ID); condition key ecs:cluster.
// - iam:PassRole: the processor's two roles, and only to ECS tasks (iam:PassedToService).
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface WorkerPolicyProps {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** arn:...:task-definition/FAMILY:* */
  readonly processorFamilyArn: string;
  readonly processorTaskRoleArn: string;
  readonly processorExecutionRoleArn: string;
  /** s3 object ARNs the worker reads: the slides (HeadObject for sizes) and the checkpoints (progress). */
  readonly slidesObjectsArn: string;
  readonly checkpointObjectsArn: string;
}

export interface WorkerPolicy {
  statements: iam.PolicyStatement[];
  /** The wildcard resources among them (each as narrow as ECS allows), for cdk-nag. */
  wildcards: { resources: string[]; reason: string };
}

export const WORKER_WILDCARDS_REASON =
  'Each wildcard is as narrow as IAM allows: every revision of the processor family (RunTask, on this cluster only); ' +
  'the tasks and container instances of this cluster (their IDs are not known in advance); ListTasks, whose container-instance ' +
  'resource does not exist on Fargate, on "*" with the ecs:cluster condition; slide objects (any key) and checkpoint objects (one per slide run).';

export function workerPolicy(scope: IConstruct, p: WorkerPolicyProps): WorkerPolicy {
  const stack = Stack.of(scope);
  const onCluster = { ArnEquals: { 'ecs:cluster': p.clusterArn } };
  const tasksOfCluster = stack.formatArn({
    service: 'ecs',
    resource: 'task',
    resourceName: `${p.clusterName}/*`,
  });
  const instancesOfCluster = stack.formatArn({
    service: 'ecs',
    resource: 'container-instance',
    resourceName: `${p.clusterName}/*`,
  });
  const statements = [
    new iam.PolicyStatement({
      sid: 'RunProcessorTasks',
      actions: ['ecs:RunTask'],
      resources: [p.processorFamilyArn],
      conditions: onCluster,
    }),
    new iam.PolicyStatement({
      sid: 'TagProcessorTasksAtLaunch',
      actions: ['ecs:TagResource'],
      resources: [tasksOfCluster],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    }),
    new iam.PolicyStatement({
      sid: 'SuperviseTasks',
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [tasksOfCluster],
      conditions: onCluster,
    }),
    new iam.PolicyStatement({
      sid: 'ListTasksOfCluster',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: onCluster,
    }),
    new iam.PolicyStatement({
      sid: 'ListClusterCapacity',
      actions: ['ecs:ListContainerInstances'],
      resources: [p.clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReadClusterCapacity',
      actions: ['ecs:DescribeContainerInstances'],
      resources: [instancesOfCluster],
      conditions: onCluster,
    }),
    new iam.PolicyStatement({
      sid: 'PassProcessorRoles',
      actions: ['iam:PassRole'],
      resources: [p.processorTaskRoleArn, p.processorExecutionRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadSlideSizesAndCheckpoints',
      actions: ['s3:GetObject'],
      resources: [p.slidesObjectsArn, p.checkpointObjectsArn],
    }),
  ];
  return {
    statements,
    wildcards: {
      resources: [
        p.processorFamilyArn,
        tasksOfCluster,
        instancesOfCluster,
        '*',
        p.slidesObjectsArn,
        p.checkpointObjectsArn,
      ],
      reason: WORKER_WILDCARDS_REASON,
    },
  };
}
