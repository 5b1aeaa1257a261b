// ListTasks: ECS's filters (cluster, family, startedBy, desiredStatus, launchType) and
// nextToken/maxResults pagination.
import {
  InvalidParameterException,
  ListTasksCommand,
  paginateListTasks,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type ListTasksCommandInput,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import { ecsClient, register, simulatedContainer, startTestEcs, waitForStatus } from './helpers';

let ecs: LocalEcs;
let client: ECSClient;
const launched: Record<string, string[]> = { a: [], b: [], other: [] };
let stoppedArn: string;

beforeAll(async () => {
  ecs = await startTestEcs({
    clusters: [
      { name: 'default', cpu: 100_000, memory: 100_000 },
      { name: 'other', cpu: 100_000, memory: 100_000 },
    ],
  });
  client = ecsClient(ecs);
  const famA = await register(client, 'fam-a', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  const famB = await register(client, 'fam-b', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  for (let i = 0; i < 3; i += 1) {
    const out = await client.send(new RunTaskCommand({ taskDefinition: famA, count: 10, startedBy: 'wf-a' }));
    launched.a?.push(...(out.tasks ?? []).map((t) => t.taskArn as string));
  }
  const b = await client.send(new RunTaskCommand({ taskDefinition: famB, count: 5, startedBy: 'wf-b' }));
  launched.b?.push(...(b.tasks ?? []).map((t) => t.taskArn as string));
  const o = await client.send(new RunTaskCommand({ cluster: 'other', taskDefinition: famA, count: 2 }));
  launched.other?.push(...(o.tasks ?? []).map((t) => t.taskArn as string));
  stoppedArn = launched.b?.[0] as string;
  await client.send(new StopTaskCommand({ task: stoppedArn }));
  await waitForStatus(client, stoppedArn, 'STOPPED');
});
afterAll(async () => {
  await ecs?.close();
});

test('defaults to desiredStatus RUNNING in the default cluster', async () => {
  const out = await client.send(new ListTasksCommand({}));
  expect(out.taskArns).toHaveLength(34);
  expect(out.taskArns).not.toContain(stoppedArn);
  expect(out.nextToken).toBeUndefined();
});

test('filters: family, startedBy, desiredStatus STOPPED, cluster, launchType', async () => {
  const fam = await client.send(new ListTasksCommand({ family: 'fam-b' }));
  expect(new Set(fam.taskArns)).toEqual(new Set(launched.b?.slice(1)));
  const by = await client.send(new ListTasksCommand({ startedBy: 'wf-a' }));
  expect(by.taskArns).toEqual(launched.a);
  const stopped = await client.send(new ListTasksCommand({ desiredStatus: 'STOPPED' }));
  expect(stopped.taskArns).toEqual([stoppedArn]);
  const other = await client.send(new ListTasksCommand({ cluster: 'other' }));
  expect(other.taskArns).toEqual(launched.other);
  expect((await client.send(new ListTasksCommand({ launchType: 'FARGATE' }))).taskArns).toEqual([]);
  expect((await client.send(new ListTasksCommand({ desiredStatus: 'PENDING' }))).taskArns).toEqual([]);
});

test('pagination: maxResults pages with nextToken cover every task once, in launch order', async () => {
  const first = await client.send(new ListTasksCommand({ startedBy: 'wf-a', maxResults: 7 }));
  expect(first.taskArns).toHaveLength(7);
  expect(first.nextToken).toEqual(expect.any(String));
  const all: string[] = [];
  for await (const page of paginateListTasks({ client, pageSize: 7 }, { startedBy: 'wf-a' })) {
    all.push(...(page.taskArns ?? []));
  }
  expect(all).toEqual(launched.a);
});

test('bad filters and tokens are rejected as ECS rejects them', async () => {
  const cases: ListTasksCommandInput[] = [
    // ECS: startedBy "must be the only filter that you use".
    { startedBy: 'wf-a', family: 'fam-a' },
    { startedBy: 'wf-a', desiredStatus: 'RUNNING' },
    { startedBy: 'wf-a', desiredStatus: 'STOPPED' },
    { startedBy: 'wf-a', launchType: 'FARGATE' },
    { startedBy: 'wf-a', containerInstance: 'ci-1' },
    { maxResults: 0 },
    { maxResults: 101 },
    { nextToken: 'garbage' },
    { desiredStatus: 'SLEEPING' as 'RUNNING' },
  ];
  for (const input of cases) {
    await expect(client.send(new ListTasksCommand(input))).rejects.toBeInstanceOf(InvalidParameterException);
  }
  await expect(client.send(new ListTasksCommand({ serviceName: 'svc' }))).rejects.toMatchObject({
    name: 'ServiceNotFoundException',
  });
  await expect(client.send(new ListTasksCommand({ cluster: 'ghost' }))).rejects.toMatchObject({
    name: 'ClusterNotFoundException',
  });
});
