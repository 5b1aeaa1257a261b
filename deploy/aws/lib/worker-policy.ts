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
// - iam:PassRole: each processor's two roles, and only to ECS tasks (iam:PassedToService).
// And for Amazon S3:
// - GetObject (HeadObject, the checkpoints): resource object; slide keys can be anything.
// - ListBucket (ListObjectsV2 with a Prefix: a folder slide's objects and their sizes):
//   resource bucket, the slides bucket's own ARN (no wildcard). Its s3:prefix condition key
//   could narrow it, but a slide can be any key of the bucket, as for GetObject.
// There are two processors: the default one (ECS_TASK_DEFINITION) and the OpenSlide one that
// ECS_TASK_DEFINITION_ROUTES sends vendor formats and folder slides to; RunTask may launch
// every revision of both families and of nothing else.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface WorkerPolicyProps {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** arn:...:task-definition/FAMILY:* of each processor (the default one first). */
  readonly processorFamilyArns: string[];
  /** Each processor's task role and execution role: what RunTask passes. */
  readonly processorRoleArns: string[];
  /** s3 object ARNs the worker reads: the slides (HeadObject for sizes) and the checkpoints (progress). */
  readonly slidesObjectsArn: string;
  /** The slides bucket (ListObjectsV2 of a folder slide's prefix, for its objects and size). */
  readonly slidesBucketArn: string;
  readonly checkpointObjectsArn: string;
}

export interface WorkerPolicy {
  statements: iam.PolicyStatement[];
  /** The wildcard resources among them (each as narrow as ECS allows), for cdk-nag. */
  wildcards: { resources: string[]; reason: string };
}

export const WORKER_WILDCARDS_REASON =
  'Each wildcard is as narrow as IAM allows: every revision of the two processor families, the default and the OpenSlide one (RunTask, on this cluster only); ' +
  'the tasks and container instances of this cluster (their IDs are not known in advance); ListTasks, whose container-instance ' +
  'resource does not exist on Fargate, on "*" with the ecs:cluster condition; slide objects (any key) and checkpoint objects (one per slide run). ' +
  's3:ListBucket (folder slides) is on the slides bucket ARN itself, no wildcard.';

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
      resources: p.processorFamilyArns,
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
      resources: p.processorRoleArns,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadSlideSizesAndCheckpoints',
      actions: ['s3:GetObject'],
      resources: [p.slidesObjectsArn, p.checkpointObjectsArn],
    }),
    new iam.PolicyStatement({
      sid: 'ListSlideFolders',
      actions: ['s3:ListBucket'],
      resources: [p.slidesBucketArn],
    }),
  ];
  return {
    statements,
    wildcards: {
      resources: [
        ...p.processorFamilyArns,
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
