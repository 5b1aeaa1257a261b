// The workers', both processors' and the bridge's IAM statements, exactly.
import { Stack } from 'aws-cdk-lib';
import { bridgeSettings, keyPrefixOf, workerDefaults } from '../lib/contract';
import { build, idOf, statementsOfRole, type Built } from './fixture';

let built: Built;
beforeAll(() => {
  built = build();
});

const arn = (built: Built, resource: string, resourceName: string) =>
  built.stack.resolve(Stack.of(built.stack).formatArn({ service: 'ecs', resource, resourceName }));

describe('worker task role', () => {
  let statements: Record<string, unknown>[];
  let clusterArn: unknown;
  let clusterRef: unknown;
  beforeAll(() => {
    statements = statementsOfRole(built.template, idOf(built, built.stack.workers.taskDefinition.taskRole));
    clusterArn = built.stack.resolve(built.stack.network.cluster.clusterArn);
    clusterRef = built.stack.resolve(built.stack.network.cluster.clusterName);
  });

  it('has exactly the statements of its jobs, no wildcard action, "*" only where ECS allows nothing narrower', () => {
    const defaults = workerDefaults();
    const onCluster = { ArnEquals: { 'ecs:cluster': clusterArn } };
    const tasksOfCluster = built.stack.resolve(
      Stack.of(built.stack).formatArn({
        service: 'ecs',
        resource: 'task',
        resourceName: `${built.stack.network.cluster.clusterName}/*`,
      }),
    );
    const instances = built.stack.resolve(
      Stack.of(built.stack).formatArn({
        service: 'ecs',
        resource: 'container-instance',
        resourceName: `${built.stack.network.cluster.clusterName}/*`,
      }),
    );
    const { processor, openslideProcessor } = built.stack;
    const slidesBucket = built.stack.resolve(built.stack.storage.slidesBucket.bucketArn);
    const slides = built.stack.resolve(built.stack.storage.slidesBucket.arnForObjects('*'));
    const checkpoints = built.stack.resolve(
      built.stack.storage.workBucket.arnForObjects(`${keyPrefixOf(defaults.checkpointUriPrefix)}*`),
    );
    expect(statements).toEqual([
      {
        Sid: 'RunProcessorTasks',
        Effect: 'Allow',
        Action: 'ecs:RunTask',
        Resource: [
          arn(built, 'task-definition', `${defaults.ecs.taskDefinition}:*`),
          arn(built, 'task-definition', `${defaults.ecs.taskDefinition}-openslide:*`),
        ],
        Condition: onCluster,
      },
      {
        Sid: 'TagProcessorTasksAtLaunch',
        Effect: 'Allow',
        Action: 'ecs:TagResource',
        Resource: tasksOfCluster,
        Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      },
      {
        Sid: 'SuperviseTasks',
        Effect: 'Allow',
        Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
        Resource: tasksOfCluster,
        Condition: onCluster,
      },
      {
        Sid: 'ListTasksOfCluster',
        Effect: 'Allow',
        Action: 'ecs:ListTasks',
        Resource: '*',
        Condition: onCluster,
      },
      {
        Sid: 'ListClusterCapacity',
        Effect: 'Allow',
        Action: 'ecs:ListContainerInstances',
        Resource: clusterArn,
      },
      {
        Sid: 'ReadClusterCapacity',
        Effect: 'Allow',
        Action: 'ecs:DescribeContainerInstances',
        Resource: instances,
        Condition: onCluster,
      },
      {
        Sid: 'PassProcessorRoles',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: [
          { 'Fn::GetAtt': [idOf(built, processor.taskRole), 'Arn'] },
          { 'Fn::GetAtt': [idOf(built, processor.executionRole), 'Arn'] },
          { 'Fn::GetAtt': [idOf(built, openslideProcessor.taskRole), 'Arn'] },
          { 'Fn::GetAtt': [idOf(built, openslideProcessor.executionRole), 'Arn'] },
        ],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        Sid: 'ReadSlideSizesAndCheckpoints',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [slides, checkpoints],
      },
      {
        Sid: 'ListSlideFolders',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: slidesBucket,
      },
    ]);
    expect(slidesBucket).toEqual({ 'Fn::GetAtt': [idOf(built, built.stack.storage.slidesBucket), 'Arn'] });
    expect(clusterRef).toBeDefined();
  });

  it('never allows a wildcard action, and "*" only for ListTasks (conditioned on the cluster)', () => {
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action as string | string[]);
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      const resources = ([] as unknown[]).concat(s.Resource);
      if (resources.includes('*')) {
        expect(actions).toEqual(['ecs:ListTasks']);
        expect(s.Condition).toEqual({ ArnEquals: { 'ecs:cluster': clusterArn } });
      }
    }
  });

  it("passes only the two processors' task roles and execution roles", () => {
    const pass = statements.filter((s) =>
      ([] as string[]).concat(s.Action as string).includes('iam:PassRole'),
    );
    expect(pass).toHaveLength(1);
    expect(pass[0]!.Resource).toHaveLength(4);
  });

  it('lists only the slides bucket, and nothing else of S3 but reads', () => {
    const s3 = statements.filter((s) =>
      ([] as string[]).concat(s.Action as string).some((a) => a.startsWith('s3:')),
    );
    expect(s3.flatMap((s) => ([] as string[]).concat(s.Action as string)).sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
    ]);
  });
});

describe('processor task roles', () => {
  const readSlides = () => ({
    Sid: 'ReadSlides',
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: built.stack.resolve(built.stack.storage.slidesBucket.arnForObjects('*')),
  });
  const workPrefixes = () => {
    const defaults = workerDefaults();
    const { workBucket } = built.stack.storage;
    return {
      Sid: 'ReadWriteWorkPrefixes',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [
        built.stack.resolve(workBucket.arnForObjects(`${keyPrefixOf(defaults.checkpointUriPrefix)}*`)),
        built.stack.resolve(workBucket.arnForObjects(`${keyPrefixOf(defaults.outputUriPrefix)}*`)),
      ],
    };
  };

  it('default processor: reads the slides and reads/writes only checkpoints/ and outputs/ of the work bucket', () => {
    const defaults = workerDefaults();
    const statements = statementsOfRole(built.template, idOf(built, built.stack.processor.taskRole));
    expect(statements).toEqual([readSlides(), workPrefixes()]);
    expect(keyPrefixOf(defaults.checkpointUriPrefix)).toBe('checkpoints/');
    expect(keyPrefixOf(defaults.outputUriPrefix)).toBe('outputs/');
  });

  it('OpenSlide processor: also lists the slides bucket (folder slides, MRXS data folders), writes only the work prefixes', () => {
    const { openslideProcessor, processor, storage } = built.stack;
    const statements = statementsOfRole(built.template, idOf(built, openslideProcessor.taskRole));
    expect(statements).toEqual([
      readSlides(),
      {
        Sid: 'ListSlideFolders',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: built.stack.resolve(storage.slidesBucket.bucketArn),
      },
      workPrefixes(),
    ]);
    // Its own roles, not the default processor's.
    expect(idOf(built, openslideProcessor.taskRole)).not.toBe(idOf(built, processor.taskRole));
    expect(idOf(built, openslideProcessor.executionRole)).not.toBe(idOf(built, processor.executionRole));
  });

  it('imported buckets: the same statements on their ARNs', () => {
    const other = build({ slidesBucketName: 'lab-slides', workBucketName: 'lab-work' });
    const statements = statementsOfRole(other.template, idOf(other, other.stack.openslideProcessor.taskRole));
    expect(JSON.stringify(statements)).toContain(':s3:::lab-slides/*');
    expect(statements.find((s) => s.Sid === 'ListSlideFolders')!.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::lab-slides']],
    });
  });
});

describe('bridge task role', () => {
  it('consumes the upload queue and sends only to the DLQ', () => {
    const { queue, deadLetterQueue } = built.stack.intake;
    const statements = statementsOfRole(
      built.template,
      idOf(built, built.stack.bridge.taskDefinition.taskRole),
    );
    expect(statements).toEqual([
      {
        Sid: 'ConsumeUploads',
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        Resource: built.stack.resolve(queue.queueArn),
      },
      {
        Sid: 'RejectToDeadLetters',
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
        Resource: built.stack.resolve(deadLetterQueue.queueArn),
      },
    ]);
    expect(bridgeSettings().visibilityTimeoutSeconds).toBeGreaterThan(0);
  });
});
