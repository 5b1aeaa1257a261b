// The intake, both processors' task definitions against what runEcsTask sends, the routes to
// the OpenSlide one, the services, scaling, alarms and cdk-nag, on the synthesized template.
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import { loadProcessorSettings } from '../../../packages/processor/src/settings';
import { loadSettings, SETTING_NAMES } from '../../../src/settings/settings';
import { routeTaskDefinition } from '../../../src/slides/routing';
import {
  bridgeSettings,
  DEFAULT_OPENSLIDE_SUFFIXES,
  runTaskContainerOverride,
  workerDefaults,
} from '../lib/contract';
import { REPO_ROOT } from '../lib/images';
import { FAILURE_RATE_PERCENT } from '../lib/monitoring';
import { propsFromContext } from '../lib/props';
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
/** The one container of a task definition (the processors' are both named `processor`). */
const containerOf = (built: Built, taskDefinition: ecs.TaskDefinition): Record<string, unknown> => {
  const props = resourcesOf(built.template, 'AWS::ECS::TaskDefinition')[idOf(built, taskDefinition)]!;
  const containers = props.ContainerDefinitions as Record<string, unknown>[];
  expect(containers).toHaveLength(1);
  return containers[0]!;
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
    const container = containerOf(built, built.stack.processor.taskDefinition);
    expect(container.Name).toBe(override.containerName);
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
    const container = containerOf(built, built.stack.processor.taskDefinition);
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
    const container = containerOf(built, built.stack.processor.taskDefinition);
    expect(container.LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: idOf(built, built.stack.processor.logGroup) } },
    });
    built.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('the OpenSlide processor task definition', () => {
  const family = `${workerDefaults().ecs.taskDefinition}-openslide`;

  it('is its own family with the container name runEcsTask overrides, and fixes none of the variables RunTask sets', () => {
    const override = runTaskContainerOverride();
    const { openslideProcessor, processor } = built.stack;
    expect(openslideProcessor.family).toBe(family);
    expect(family).toBe('wsi-processor-openslide');
    built.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: family,
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      EphemeralStorage: { SizeInGiB: 100 },
      TaskRoleArn: { 'Fn::GetAtt': [idOf(built, openslideProcessor.taskRole), 'Arn'] },
      ExecutionRoleArn: { 'Fn::GetAtt': [idOf(built, openslideProcessor.executionRole), 'Arn'] },
    });
    const container = containerOf(built, openslideProcessor.taskDefinition);
    // The worker has one ECS_CONTAINER_NAME for every family it launches.
    expect(container.Name).toBe(override.containerName);
    expect(container.Essential).toBe(true);
    expect(container.Memory).toBeUndefined();
    expect(Object.keys(envOf(container)).filter((n) => override.environmentNames.includes(n))).toEqual([]);
    // Its own image (packages/processor-openslide/Dockerfile), not the default processor's.
    expect(JSON.stringify(container.Image)).not.toBe(
      JSON.stringify(containerOf(built, processor.taskDefinition).Image),
    );
  });

  it("gives the SIGTERM checkpoint 120 s, well over the Python task library's stop grace", () => {
    const container = containerOf(built, built.stack.openslideProcessor.taskDefinition);
    expect(container.StopTimeout).toBe(120);
    const source = readFileSync(
      path.join(REPO_ROOT, 'packages', 'task-py', 'src', 'wsi_task', 'environment.py'),
      'utf8',
    );
    const grace = Number(/^DEFAULT_STOP_GRACE_SECONDS = ([\d.]+)$/m.exec(source)?.[1]);
    expect(grace).toBeGreaterThan(0);
    expect(120).toBeGreaterThan(grace + 10);
    const shorter = build({ processorStopTimeoutSeconds: 60 });
    expect(containerOf(shorter, shorter.stack.openslideProcessor.taskDefinition).StopTimeout).toBe(60);
  });

  it('logs to its own group with retention', () => {
    const { openslideProcessor, processor } = built.stack;
    const container = containerOf(built, openslideProcessor.taskDefinition);
    expect(container.LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: idOf(built, openslideProcessor.logGroup) } },
    });
    expect(idOf(built, openslideProcessor.logGroup)).not.toBe(idOf(built, processor.logGroup));
    expect(
      resourcesOf(built.template, 'AWS::Logs::LogGroup')[idOf(built, openslideProcessor.logGroup)],
    ).toMatchObject({ RetentionInDays: 30 });
  });

  it('is where the workers route vendor formats and folder slides, and plain TIFF is not', () => {
    const env = envOf(containerNamed(built, 'worker'));
    expect(env.ECS_TASK_DEFINITION_ROUTES).toBe(
      DEFAULT_OPENSLIDE_SUFFIXES.map((suffix) => `${suffix}=${family}`).join(','),
    );
    expect(DEFAULT_OPENSLIDE_SUFFIXES.join(',')).toBe('.svs,.ndpi,.vms,.vmu,.mrxs,.scn,.bif,.svslide,.dcm,/');
    // As the worker reads them (the literal ones; the rest are CloudFormation references).
    const settings = loadSettings({
      ECS_TASK_DEFINITION: env.ECS_TASK_DEFINITION as string,
      ECS_TASK_DEFINITION_ROUTES: env.ECS_TASK_DEFINITION_ROUTES as string,
    });
    const routes = settings.ecs.taskDefinitionRoutes;
    expect(routeTaskDefinition(routes, 'incoming/a.SVS')).toBe(family);
    expect(routeTaskDefinition(routes, 'incoming/b.mrxs')).toBe(family);
    expect(routeTaskDefinition(routes, 'incoming/series-1/')).toBe(family);
    expect(routeTaskDefinition(routes, 'incoming/c.tif')).toBeUndefined();
    expect(settings.ecs.taskDefinition).toBe(workerDefaults().ecs.taskDefinition);
  });

  it('routes as openslideSuffixes says, or not at all', () => {
    const svsOnly = build({ openslideSuffixes: ['.svs', '/'] });
    expect(envOf(containerNamed(svsOnly, 'worker')).ECS_TASK_DEFINITION_ROUTES).toBe(
      `.svs=${family},/=${family}`,
    );
    const off = build({ openslideSuffixes: [] });
    expect(envOf(containerNamed(off, 'worker')).ECS_TASK_DEFINITION_ROUTES).toBeUndefined();
    // The task definition stays (a slide input may name it); RunTask may still launch it.
    off.template.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: family });
    expect(() => build({ openslideSuffixes: ['svs'] })).toThrow(/openslideSuffixes: "svs=/);
    expect(() => build({ openslideSuffixes: ['.svs', '.SVS'] })).toThrow(/routed twice/);
    expect(() => build({ workerEnvironment: { ECS_TASK_DEFINITION_ROUTES: '.svs=other' } })).toThrow(
      /openslideSuffixes/,
    );
    const context = (values: Record<string, string>) => propsFromContext((key) => values[key]);
    expect(context({}).openslideSuffixes).toBeUndefined();
    expect(context({ openslideSuffixes: 'none' }).openslideSuffixes).toEqual([]);
    expect(context({ openslideSuffixes: '.svs, .ndpi,/' }).openslideSuffixes).toEqual(['.svs', '.ndpi', '/']);
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
        'OpenSlideTaskFailureRate',
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

  it("task failure rate over 10% from each processor family's stop events; tasks near the budget; services unhealthy", () => {
    const metrics = (id: string) =>
      built.template.toJSON().Resources[idOf(built, alarm(id))].Properties.Metrics as {
        Id: string;
        Expression?: string;
        MetricStat?: { Metric: { MetricName: string; Namespace: string } };
      }[];
    const rules = resourcesOf(built.template, 'AWS::Events::Rule');
    for (const [id, family] of [
      ['TaskFailureRate', workerDefaults().ecs.taskDefinition],
      ['OpenSlideTaskFailureRate', built.stack.openslideProcessor.family],
    ] as const) {
      const rate = metrics(id);
      expect(rate.find((m) => m.Expression)?.Expression).toBe(
        'IF(stopped >= 5, 100 * (FILL(failed, 0) + FILL(nostart, 0)) / stopped, 0)',
      );
      expect(
        rate
          .filter((m) => m.MetricStat)
          .map((m) => `${m.MetricStat!.Metric.Namespace}:${m.MetricStat!.Metric.MetricName}`),
      ).toEqual(['AWS/Events:Invocations', 'AWS/Events:Invocations', 'AWS/Events:Invocations']);
      // Each counts the three rules of its own family: stopped, failed, failed to start.
      const counted = rate
        .filter((m) => m.MetricStat)
        .map((m) => {
          const dims = (m.MetricStat!.Metric as unknown as { Dimensions: { Value: { Ref: string } }[] })
            .Dimensions;
          const rule = rules[dims[0]!.Value.Ref]!;
          return (rule.EventPattern as { detail: { group: string[] } }).detail.group;
        });
      expect(counted).toEqual([[`family:${family}`], [`family:${family}`], [`family:${family}`]]);
    }
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
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: Match.objectLike({
          group: [`family:${built.stack.openslideProcessor.family}`],
          lastStatus: ['STOPPED'],
          containers: { name: ['processor'], exitCode: [{ 'anything-but': [0, 143] }] },
        }),
      },
    });
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({
          group: [`family:${built.stack.openslideProcessor.family}`],
          stopCode: ['TaskFailedToStart'],
        }),
      }),
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
  it('stages the three images from the repository Dockerfiles, with what each copies, without building them', () => {
    const assembly = built.app.synth();
    const assets = JSON.parse(readFileSync(path.join(assembly.directory, 'Test.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile: string } }>;
    };
    const images = Object.values(assets.dockerImages).map((i) => i.source);
    expect(images.map((i) => i.dockerFile).sort()).toEqual([
      'Dockerfile',
      'packages/processor-openslide/Dockerfile',
      'packages/processor/Dockerfile',
    ]);
    for (const i of images) {
      const dir = path.join(assembly.directory, i.directory);
      expect(existsSync(path.join(dir, i.dockerFile))).toBe(true);
      // Every COPY source from the context (not from a build stage) was staged.
      const dockerfile = readFileSync(path.join(REPO_ROOT, i.dockerFile), 'utf8');
      const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) =>
        m[1]!.trim().split(/\s+/).slice(0, -1),
      );
      expect(sources.length).toBeGreaterThan(0);
      expect(sources.filter((s) => !existsSync(path.join(dir, s)))).toEqual([]);
      expect(existsSync(path.join(dir, 'package-lock.json'))).toBe(true);
      expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
      expect(existsSync(path.join(dir, 'deploy', 'aws', 'cdk.out'))).toBe(false);
    }
  });
});
