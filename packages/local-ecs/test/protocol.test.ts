// The wire protocol and ECS's validation, through the real SDK: errors arrive as the SDK's
// own exception classes, answers have ECS's shapes.
import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSServiceException,
  InvalidParameterException,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Resource,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import {
  container,
  ecsClient,
  register,
  SCRIPTS,
  simulatedContainer,
  startTestEcs,
  waitForStatus,
} from './helpers';

let ecs: LocalEcs;
let client: ECSClient;
let simTd: string;

beforeAll(async () => {
  ecs = await startTestEcs({ clusters: [{ name: 'default', cpu: 4096, memory: 8192 }] });
  client = ecsClient(ecs);
  simTd = await register(client, 'proto-sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
});
afterAll(async () => {
  await ecs?.close();
});

async function raw(target: string, body: string, contentType = 'application/x-amz-json-1.1') {
  const res = await fetch(ecs.endpoint, {
    method: 'POST',
    headers: { 'Content-Type': contentType, 'X-Amz-Target': target },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('JSON 1.1 framing', () => {
  test('an unknown action is an UnknownOperationException (400)', async () => {
    const res = await raw('AmazonEC2ContainerServiceV20141113.LaunchRocket', '{}');
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('UnknownOperationException');
    const other = await raw('SomeOtherService.RunTask', '{}');
    expect(other.body.__type).toBe('UnknownOperationException');
  });

  test('wrong JSON types and broken bodies are SerializationExceptions', async () => {
    const wrongType = await raw('AmazonEC2ContainerServiceV20141113.RunTask', '{"taskDefinition": 5}');
    expect(wrongType).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    expect(String(wrongType.body.message)).toMatch(/taskDefinition/);
    const broken = await raw('AmazonEC2ContainerServiceV20141113.RunTask', '{');
    expect(broken.body.__type).toBe('SerializationException');
    const wrongMedia = await raw('AmazonEC2ContainerServiceV20141113.ListTasks', '{}', 'text/plain');
    expect(wrongMedia.body.__type).toBe('SerializationException');
  });

  test('answers are JSON 1.1 with timestamps as epoch seconds', async () => {
    const res = await raw(
      'AmazonEC2ContainerServiceV20141113.RunTask',
      JSON.stringify({ taskDefinition: simTd }),
    );
    expect(res.status).toBe(200);
    const task = (res.body.tasks as Record<string, unknown>[])[0];
    expect(typeof task?.createdAt).toBe('number');
    expect(Math.abs((task?.createdAt as number) - Date.now() / 1000)).toBeLessThan(60);
    await client.send(new StopTaskCommand({ task: task?.taskArn as string }));
    await waitForStatus(client, task?.taskArn as string, 'STOPPED'); // frees its capacity for later tests
  });

  test('errors become the SDK’s named exception classes', async () => {
    const err = await client
      .send(new RunTaskCommand({ cluster: 'nope', taskDefinition: simTd }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect(err.message).toBe('Cluster not found.');
    expect(err.$metadata.httpStatusCode).toBe(400);
    const unknownTd = await client
      .send(new RunTaskCommand({ taskDefinition: 'no-such-family' }))
      .catch((e) => e);
    expect(unknownTd).toBeInstanceOf(ClientException);
  });
});

describe('clusters', () => {
  test('CreateCluster is idempotent and DescribeClusters reports MISSING ones', async () => {
    const created = await client.send(
      new CreateClusterCommand({ clusterName: 'extra', tags: [{ key: 'a', value: 'b' }] }),
    );
    expect(created.cluster).toMatchObject({
      clusterName: 'extra',
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/extra',
      status: 'ACTIVE',
    });
    await client.send(new CreateClusterCommand({ clusterName: 'extra' }));
    const out = await client.send(
      new DescribeClustersCommand({
        clusters: ['extra', 'arn:aws:ecs:us-east-1:000000000000:cluster/default', 'ghost'],
      }),
    );
    expect(out.clusters?.map((c) => c.clusterName)).toEqual(['extra', 'default']);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost', reason: 'MISSING' },
    ]);
    expect(out.clusters?.[0]?.statistics).toBeUndefined();
    const bad = await client.send(new CreateClusterCommand({ clusterName: 'not ok' })).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidParameterException);
  });

  test('registered and remaining capacity: statistics (include STATISTICS) and the container instance', async () => {
    const run = await client.send(
      new RunTaskCommand({ taskDefinition: simTd, overrides: { cpu: '1024', memory: '2048' } }),
    );
    const arn = run.tasks?.[0]?.taskArn as string;
    const out = await client.send(
      new DescribeClustersCommand({ clusters: ['default'], include: ['STATISTICS'] }),
    );
    const stats = Object.fromEntries((out.clusters?.[0]?.statistics ?? []).map((s) => [s.name, s.value]));
    expect(stats).toMatchObject({
      registeredCpu: '4096',
      registeredMemory: '8192',
      remainingCpu: '3072',
      remainingMemory: '6144',
    });
    expect(out.clusters?.[0]?.registeredContainerInstancesCount).toBe(1);
    expect((out.clusters?.[0]?.pendingTasksCount ?? 0) + (out.clusters?.[0]?.runningTasksCount ?? 0)).toBe(1);

    const list = await client.send(new ListContainerInstancesCommand({ cluster: 'default' }));
    expect(list.containerInstanceArns).toHaveLength(1);
    const described = await client.send(
      new DescribeContainerInstancesCommand({
        cluster: 'default',
        containerInstances: list.containerInstanceArns,
      }),
    );
    const instance = described.containerInstances?.[0];
    const resource = (set: Resource[] | undefined, name: string) =>
      set?.find((r) => r.name === name)?.integerValue;
    expect(resource(instance?.registeredResources, 'CPU')).toBe(4096);
    expect(resource(instance?.registeredResources, 'MEMORY')).toBe(8192);
    expect(resource(instance?.remainingResources, 'MEMORY')).toBe(6144);
    await client.send(new StopTaskCommand({ task: arn }));
  });
});

describe('task definitions', () => {
  test('revisions, lookup by family, family:revision and ARN, tags', async () => {
    const first = await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'proto-td',
        containerDefinitions: [container(SCRIPTS.exit())],
        tags: [{ key: 'team', value: 'path' }],
      }),
    );
    expect(first.taskDefinition).toMatchObject({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/proto-td:1',
      revision: 1,
      status: 'ACTIVE',
      networkMode: 'bridge',
      compatibilities: ['EC2'],
    });
    expect(first.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    const second = await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'proto-td',
        containerDefinitions: [container(SCRIPTS.exit())],
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '1 vCPU',
        memory: '2 GB',
      }),
    );
    expect(second.taskDefinition).toMatchObject({ revision: 2, cpu: '1024', memory: '2048' });
    expect(second.taskDefinition?.compatibilities).toEqual(['EC2', 'FARGATE']);
    const latest = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'proto-td' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    const byRevision = await client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'proto-td:1', include: ['TAGS'] }),
    );
    expect(byRevision.tags).toEqual([{ key: 'team', value: 'path' }]);
    const byArn = await client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: first.taskDefinition?.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition?.revision).toBe(1);
    const missing = await client
      .send(new DescribeTaskDefinitionCommand({ taskDefinition: 'proto-td:9' }))
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ClientException);
  });

  test.each([
    ['no containers', { family: 'x', containerDefinitions: [] }, /Container list cannot be empty/],
    ['bad family', { family: 'a b', containerDefinitions: [container(['true'])] }, /Family/],
    ['no image', { family: 'x', containerDefinitions: [{ name: 'c', memory: 128 }] }, /image/],
    ['no memory anywhere', { family: 'x', containerDefinitions: [{ name: 'c', image: 'i' }] }, /memory/],
    [
      'no essential container',
      { family: 'x', containerDefinitions: [container(['true'], { essential: false })] },
      /essential/,
    ],
    [
      'Fargate without awsvpc',
      {
        family: 'x',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [container(['true'])],
      },
      /awsvpc/,
    ],
    [
      'Fargate size that does not exist',
      {
        family: 'x',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '4096',
        containerDefinitions: [container(['true'])],
      },
      /No Fargate configuration/,
    ],
    [
      'stopTimeout over 120 s',
      { family: 'x', containerDefinitions: [container(['true'], { stopTimeout: 121 })] },
      /stopTimeout/,
    ],
  ])('RegisterTaskDefinition rejects %s with ClientException', async (_name, input, message) => {
    const err = await client
      .send(
        new RegisterTaskDefinitionCommand(
          input as ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0],
        ),
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(ClientException);
    expect(err.message).toMatch(message);
  });
});

describe('RunTask validation', () => {
  test.each([0, 11])('count %i is an InvalidParameterException', async (count) => {
    const err = await client.send(new RunTaskCommand({ taskDefinition: simTd, count })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
  });

  test.each(['has space', 'x'.repeat(37), 'semi;colon', ''])(
    'startedBy %j is rejected',
    async (startedBy) => {
      const err = await client.send(new RunTaskCommand({ taskDefinition: simTd, startedBy })).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidParameterException);
    },
  );

  test('a 36-character startedBy of letters, digits, -, / and _ is accepted', async () => {
    const startedBy = 'wf/slide_1-'.padEnd(36, 'a');
    const out = await client.send(new RunTaskCommand({ taskDefinition: simTd, startedBy }));
    expect(out.tasks?.[0]?.startedBy).toBe(startedBy);
    await client.send(new StopTaskCommand({ task: out.tasks?.[0]?.taskArn }));
  });

  test('launch type, network configuration and overrides are checked as ECS checks them', async () => {
    const fargateTd = await register(client, 'proto-fargate', container(SCRIPTS.exit()), {
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
    });
    const cases: [ConstructorParameters<typeof RunTaskCommand>[0], RegExp][] = [
      [{ taskDefinition: simTd, launchType: 'FARGATE' }, /does not support launch_type FARGATE/],
      [{ taskDefinition: fargateTd, launchType: 'FARGATE' }, /Network Configuration must be provided/],
      [
        { taskDefinition: simTd, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } },
        /not valid for the given networkMode/,
      ],
      [
        {
          taskDefinition: fargateTd,
          launchType: 'FARGATE',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
          overrides: { cpu: '256', memory: '4096' },
        },
        /No Fargate configuration/,
      ],
      [{ taskDefinition: simTd, overrides: { containerOverrides: [{ name: 'ghost' }] } }, /ghost/],
      [{ taskDefinition: simTd, overrides: { memory: 'lots' } }, /memory/],
      [{ taskDefinition: simTd, tags: [{ key: 'aws:reserved', value: 'x' }] }, /reserved/],
      [
        {
          taskDefinition: simTd,
          launchType: 'EC2',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
        },
        /both a launch type and capacity provider strategy/,
      ],
      [{ taskDefinition: simTd, clientToken: 'x'.repeat(65) }, /clientToken/],
    ];
    for (const [input, message] of cases) {
      const err = await client.send(new RunTaskCommand(input)).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidParameterException);
      expect(err.message).toMatch(message);
    }
  });

  test('a Fargate task: awsvpc attachment, platform version, task-level size', async () => {
    const td = await register(client, 'proto-fargate2', simulatedContainer({ SIM_DURATION_MS: '60000' }), {
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
    });
    const out = await client.send(
      new RunTaskCommand({
        taskDefinition: td,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-abc'], assignPublicIp: 'DISABLED' },
        },
        overrides: { cpu: '1024', memory: '2048' },
      }),
    );
    const task = out.tasks?.[0];
    expect(task).toMatchObject({
      launchType: 'FARGATE',
      capacityProviderName: 'FARGATE_SPOT',
      platformVersion: '1.4.0',
      cpu: '1024',
      memory: '2048',
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
    });
    expect(task?.containerInstanceArn).toBeUndefined();
    expect(task?.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/default\/[0-9a-f]{32}$/);
    expect(task?.attachments?.[0]?.type).toBe('ElasticNetworkInterface');
    expect(task?.attachments?.[0]?.details).toContainEqual({ name: 'subnetId', value: 'subnet-abc' });
    expect(task?.createdAt).toBeInstanceOf(Date);
    await client.send(new StopTaskCommand({ task: task?.taskArn }));
  });
});

describe('DescribeTasks and StopTask inputs', () => {
  test('unknown tasks are MISSING failures; more than 100 is an InvalidParameterException', async () => {
    const run = await client.send(new RunTaskCommand({ taskDefinition: simTd }));
    const arn = run.tasks?.[0]?.taskArn as string;
    const ghost = 'arn:aws:ecs:us-east-1:000000000000:task/default/00000000000000000000000000000000';
    const out = await client.send(new DescribeTasksCommand({ tasks: [arn, ghost, 'abc'] }));
    expect(out.tasks?.map((t) => t.taskArn)).toEqual([arn]);
    expect(out.failures).toEqual([
      { arn: ghost, reason: 'MISSING' },
      { arn: 'abc', reason: 'MISSING' },
    ]);
    const byId = await client.send(new DescribeTasksCommand({ tasks: [arn.split('/').pop() as string] }));
    expect(byId.tasks?.[0]?.taskArn).toBe(arn);
    const tooMany = await client
      .send(new DescribeTasksCommand({ tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) }))
      .catch((e) => e);
    expect(tooMany).toBeInstanceOf(InvalidParameterException);
    const empty = await client.send(new DescribeTasksCommand({ tasks: [] })).catch((e) => e);
    expect(empty).toBeInstanceOf(InvalidParameterException);
    const noCluster = await client
      .send(new DescribeTasksCommand({ cluster: 'ghost', tasks: [arn] }))
      .catch((e) => e);
    expect(noCluster).toBeInstanceOf(ClusterNotFoundException);
    const stopGhost = await client.send(new StopTaskCommand({ task: ghost })).catch((e) => e);
    expect(stopGhost).toBeInstanceOf(InvalidParameterException);
    expect(stopGhost).toBeInstanceOf(ECSServiceException);
    await client.send(new StopTaskCommand({ task: arn }));
  });
});
