// The intake, the processor's task definition against what runEcsTask sends, the services,
// scaling, alarms and cdk-nag, on the synthesized template.
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadProcessorSettings } from '../../../packages/processor/src/settings';
import { SETTING_NAMES } from '../../../src/settings/settings';
import { bridgeSettings, runTaskContainerOverride, workerDefaults } from '../lib/contract';
import { FAILURE_RATE_PERCENT } from '../lib/monitoring';
import { build, idOf, resourcesOf, type Built } from './fixture';

let built: Built;
beforeAll(() => {
  built = build();
});

const containerNamed = (built: Built, name: string): Record<string, unknown> => {
  for (const props of Object.values(resourcesOf(built.template, 'AWS::ECS::TaskDefinition'))) {
    const c = (props.ContainerDefinitions as Record<string, unknown>[]).find((d) => d.Name === name);
    if (c) return c;
  }
  throw new Error(`no container ${name}`);
};
const envOf = (c: Record<string, unknown>) =>
  Object.fromEntries(
    ((c.Environment ?? []) as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
  );

describe('intake', () => {
  it('hides a message for the bridge visibility timeout, long-polls as the bridge does, and redrives to the DLQ after 10 receives', () => {
    const bridge = bridgeSettings();
    built.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: bridge.visibilityTimeoutSeconds,
      ReceiveMessageWaitTimeSeconds: bridge.waitTimeSeconds,
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(built, built.stack.intake.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 10,
      },
    });
    built.template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: Match.absent(),
    });
  });

  it('takes the visibility timeout from the bridge settings given', () => {
    const other = build({ bridgeEnvironment: { BRIDGE_VISIBILITY_TIMEOUT: '120' } });
    other.template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120 });
    expect(envOf(containerNamed(other, 'bridge')).BRIDGE_VISIBILITY_TIMEOUT).toBe('120');
    expect(() => build({ bridgeEnvironment: { BRIDGE_VISIBILITY_TIMEOUT: '5' } })).toThrow(
      /BRIDGE_VISIBILITY_TIMEOUT/,
    );
    expect(() => build({ bridgeEnvironment: { BRIDGE_TYPO: '1' } })).toThrow(/BRIDGE_TYPO/);
  });

  it('notifies the queue of uploads under the prefix, one configuration per suffix', () => {
    const other = build({ uploadSuffixes: ['.svs', '.ndpi'] });
    other.template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: '.svs' },
                  { Name: 'prefix', Value: 'incoming/' },
                ],
              },
            },
          }),
          Match.objectLike({
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'suffix', Value: '.ndpi' },
                  { Name: 'prefix', Value: 'incoming/' },
                ],
              },
            },
          }),
        ],
      },
    });
  });

  it('can use an EventBridge rule instead', () => {
    const other = build({ intake: 'eventbridge' });
    // A created bucket is switched to EventBridge by CDK's notification resource, without queue configurations.
    other.template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { EventBridgeConfiguration: {}, QueueConfigurations: Match.absent() },
    });
    other.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: Match.objectLike({ object: { key: [{ prefix: 'incoming/' }] } }),
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(other, other.stack.intake.queue), 'Arn'] } })],
    });
  });
});

describe('the processor task definition and what runEcsTask sends', () => {
  it('is the family and container the worker launches, with the overrides it sends', () => {
    const defaults = workerDefaults();
    const override = runTaskContainerOverride(defaults);
    built.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: defaults.ecs.taskDefinition,
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      ContainerDefinitions: [Match.objectLike({ Name: override.containerName, Essential: true })],
    });
    const container = containerNamed(built, override.containerName);
    // RunTask sets these per slide; the definition must not fix them.
    expect(Object.keys(envOf(container)).filter((n) => override.environmentNames.includes(n))).toEqual([]);
    // No container-level memory: the tier's task size (a RunTask override) is the only limit.
    expect(container.Memory).toBeUndefined();
    // The processor accepts exactly what RunTask sends.
    const sent = Object.fromEntries(override.environmentNames.map((n) => [n, '']));
    Object.assign(sent, {
      SLIDE_BUCKET: 'slides',
      SLIDE_KEY: 'a.svs',
      SLIDE_ID: 'id',
      CHECKPOINT_URI: 's3://work/checkpoints/id/run.json',
      OUTPUT_URI: 's3://work/outputs/id/',
    });
    expect(Object.keys(sent).sort()).toEqual([...override.environmentNames].sort());
    expect(() => loadProcessorSettings({ ...envOf(container), ...sent } as NodeJS.ProcessEnv)).not.toThrow();
  });

  it('gives the SIGTERM checkpoint 120 s (Fargate at most), well over the processor grace', () => {
    const container = containerNamed(built, workerDefaults().ecs.containerName);
    expect(container.StopTimeout).toBe(120);
    const grace = loadProcessorSettings({
      SLIDE_BUCKET: 'b',
      SLIDE_KEY: 'k',
      CHECKPOINT_URI: 's3://w/c.json',
      OUTPUT_URI: 's3://w/o/',
    }).stopGraceMs;
    expect((container.StopTimeout as number) * 1000).toBeGreaterThan(grace + 10_000);
    expect(() => build({ processorStopTimeoutSeconds: 121 })).toThrow(/30-120/);
    expect(() => build({ processorStopTimeoutSeconds: 10 })).toThrow(/30-120/);
  });

  it('logs to a group with retention', () => {
    const container = containerNamed(built, workerDefaults().ecs.containerName);
    expect((container.LogConfiguration as { LogDriver: string }).LogDriver).toBe('awslogs');
    built.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('the workers and the bridge', () => {
  it('run `slides worker` with the settings that point it at the processor, the cluster and the work bucket', () => {
    const worker = containerNamed(built, 'worker');
    expect(worker.Command).toEqual(['worker']);
    const env = envOf(worker);
    const defaults = workerDefaults();
    expect(env.ECS_TASK_DEFINITION).toBe(defaults.ecs.taskDefinition);
    expect(env.ECS_CONTAINER_NAME).toBe(runTaskContainerOverride().containerName);
    expect(env.ECS_CLUSTER).toEqual({ Ref: idOf(built, built.stack.network.cluster) });
    expect(env.ECS_MAX_TASKS).toBe('20');
    expect(env.ECS_LAUNCH_TYPE).toBe('FARGATE');
    expect(env.ECS_SUBNETS).toMatchObject({ 'Fn::Join': [',', expect.any(Array)] });
    expect(env.ECS_SECURITY_GROUPS).toEqual({
      'Fn::GetAtt': [idOf(built, built.stack.network.processorSecurityGroup), 'GroupId'],
    });
    expect(JSON.stringify(env.CHECKPOINT_URI_PREFIX)).toContain('/checkpoints/');
    expect(JSON.stringify(env.OUTPUT_URI_PREFIX)).toContain('/outputs/');
    expect(env.TEMPORAL_ADDRESS).toBe('ns.acct.tmprl.cloud:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe('ns.acct');
    // Every setting given is one the worker reads (or Temporal's / the SDK's own).
    const own = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TLS', 'AWS_REGION'];
    expect(
      Object.keys(env).filter((k) => !(SETTING_NAMES as string[]).includes(k) && !own.includes(k)),
    ).toEqual([]);
    const bridge = containerNamed(built, 'bridge');
    expect(bridge.Command).toEqual(['bridge']);
    expect(envOf(bridge).SQS_QUEUE_URL).toEqual({ Ref: idOf(built, built.stack.intake.queue) });
    expect(envOf(bridge).SQS_DLQ_URL).toEqual({ Ref: idOf(built, built.stack.intake.deadLetterQueue) });
    expect(() => build({ workerEnvironment: { ECS_TYPO: '1' } })).toThrow(/ECS_TYPO/);
  });

  it('take Temporal credentials only as ECS secrets', () => {
    const key = build({
      temporal: { address: 'a:7233', namespace: 'n', apiKeySecret: 'wsi/temporal-api-key' },
    });
    const worker = containerNamed(key, 'worker');
    expect(envOf(worker).TEMPORAL_API_KEY).toBeUndefined();
    expect(worker.Secrets).toEqual([{ Name: 'TEMPORAL_API_KEY', ValueFrom: expect.anything() }]);
    expect(containerNamed(key, 'bridge').Secrets).toEqual([
      { Name: 'TEMPORAL_API_KEY', ValueFrom: expect.anything() },
    ]);
    const tls = build({
      temporal: { address: 'a:7233', namespace: 'n', tlsClientSecret: 'wsi/temporal-mtls' },
    });
    const names = (containerNamed(tls, 'worker').Secrets as { Name: string }[]).map((s) => s.Name).sort();
    expect(names).toEqual(['TEMPORAL_TLS_CLIENT_CERT_DATA', 'TEMPORAL_TLS_CLIENT_KEY_DATA']);
    expect(JSON.stringify(containerNamed(tls, 'worker').Environment)).not.toContain('BEGIN');
  });

  it('scale on the upload backlog between min and max', () => {
    built.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 4,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    built.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 2,
    });
    const steps = Object.values(
      resourcesOf(built.template, 'AWS::ApplicationAutoScaling::ScalingPolicy'),
    ).filter((p) => p.PolicyType === 'StepScaling');
    // Each service: one scale-out and one scale-in policy on the backlog.
    expect(steps).toHaveLength(4);
    const alarms = Object.values(resourcesOf(built.template, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Namespace === 'AWS/SQS',
    );
    // One upper and one lower alarm per scaled service (the DLQ alarm uses the same metric on the DLQ).
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    const waiting = build({
      waitingSlidesMetric: { namespace: 'WSI/Orchestrator', metricName: 'SlidesWaitingForCapacity' },
    });
    waiting.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'WSI/Orchestrator',
      MetricName: 'SlidesWaitingForCapacity',
    });
    expect(() => build({ minWorkers: 3, maxWorkers: 2 })).toThrow(/min <= max/);
  });
});

describe('alarms and dashboard', () => {
  const alarm = (id: string) => built.stack.monitoring.alarms[id]!;
  it('has one alarm per condition, each notifying the topic', () => {
    expect(Object.keys(built.stack.monitoring.alarms).sort()).toEqual(
      [
        'BridgeUnhealthy',
        'BudgetNearlyFull',
        'DeadLettersNotEmpty',
        'OldestUploadTooOld',
        'TaskFailureRate',
        'WorkersUnhealthy',
      ].sort(),
    );
    for (const id of Object.keys(built.stack.monitoring.alarms)) {
      built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: Match.absent(),
        AlarmDescription: Match.stringLikeRegexp('.+'),
        AlarmActions: [{ Ref: idOf(built, built.stack.monitoring.topic) }],
      });
      expect(alarm(id)).toBeDefined();
    }
  });

  it('DLQ not empty; oldest upload older than an hour', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [idOf(built, built.stack.intake.deadLetterQueue), 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(built, built.stack.intake.queue), 'QueueName'] } },
      ],
      Threshold: 3600,
    });
  });

  it('task failure rate over 10% from the processor family stop events; tasks near the budget; services unhealthy', () => {
    const metrics = (id: string) =>
      built.template.toJSON().Resources[idOf(built, alarm(id))].Properties.Metrics as {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Namespace: string } };
      }[];
    const rate = metrics('TaskFailureRate');
    expect(rate.find((m) => m.Expression)?.Expression).toBe(
      'IF(stopped >= 5, 100 * (FILL(failed, 0) + FILL(nostart, 0)) / stopped, 0)',
    );
    expect(
      rate
        .filter((m) => m.MetricStat)
        .map((m) => `${m.MetricStat!.Metric.Namespace}:${m.MetricStat!.Metric.MetricName}`),
    ).toEqual(['AWS/Events:Invocations', 'AWS/Events:Invocations', 'AWS/Events:Invocations']);
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: FAILURE_RATE_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.anyValue(),
    });
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: Match.objectLike({
          group: [`family:${workerDefaults().ecs.taskDefinition}`],
          lastStatus: ['STOPPED'],
          containers: { name: ['processor'], exitCode: [{ 'anything-but': [0, 143] }] },
        }),
      },
    });
    const budget = metrics('BudgetNearlyFull');
    expect(budget.find((m) => m.Expression)?.Expression).toBe('cluster - workers - bridges');
    expect(
      budget
        .filter((m) => m.MetricStat)
        .every((m) => m.MetricStat!.Metric.Namespace === 'ECS/ContainerInsights'),
    ).toBe(true);
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 18,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.anyValue(),
    });
    for (const id of ['WorkersUnhealthy', 'BridgeUnhealthy']) {
      expect(metrics(id).find((m) => m.Expression)?.Expression).toBe('desired - running');
      expect(built.template.toJSON().Resources[idOf(built, alarm(id))].Properties.TreatMissingData).toBe(
        'breaching',
      );
    }
    built.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    built.template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged, with created or imported buckets, NAT or not, notification or EventBridge', () => {
    for (const b of [
      built,
      build({
        slidesBucketName: 'lab-slides',
        workBucketName: 'lab-work',
        natGateways: 0,
        uploadSuffixes: ['.svs'],
      }),
      build({
        intake: 'eventbridge',
        temporal: { address: 'a:7233', namespace: 'n', apiKeySecret: 'wsi/key' },
      }),
    ]) {
      const report = new AwsSolutionsChecks().validateScope(b.stack);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? ''}`),
      );
      expect(findings).toEqual([]);
    }
  });
});

describe('synth without Docker', () => {
  it('stages both images from the repository Dockerfiles without building them', () => {
    const assembly = built.app.synth();
    const assets = JSON.parse(readFileSync(path.join(assembly.directory, 'Test.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string } }>;
    };
    const images = Object.values(assets.dockerImages).map((i) => i.source);
    expect(images.map((i) => i.dockerFile).sort()).toEqual(['Dockerfile', 'packages/processor/Dockerfile']);
    for (const i of images) {
      const dir = path.join(assembly.directory, i.directory);
      expect(existsSync(path.join(dir, i.dockerFile))).toBe(true);
      expect(existsSync(path.join(dir, 'package-lock.json'))).toBe(true);
      expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
      expect(existsSync(path.join(dir, 'deploy', 'aws', 'cdk.out'))).toBe(false);
    }
  });
});
