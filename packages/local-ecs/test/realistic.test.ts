// ECS's real manners, each behind its own switch (and all of them under profile "realistic"):
// eventual consistency, EC2-lookup throttles wrapped in InvalidParameterException, Fargate's
// capacity message, stopped tasks forgotten after retention, failed starts without containers,
// and the most tasks alive per startedBy.
import {
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import type { LocalEcs, LocalEcsOptions } from '../src';
import { parseLocalEcsConfig } from '../src/config';
import { REALISTIC_PROFILE } from '../src/profile';
import { ecsClient, register, simulatedContainer, startTestEcs, waitForStatus, waitForTask } from './helpers';

const FARGATE_CAPACITY =
  'Capacity is unavailable at this time. Please try again later or in a different availability zone';
const AWSVPC = { awsvpcConfiguration: { subnets: ['subnet-0abc'] } };

let ecs: LocalEcs | undefined;
afterEach(async () => {
  await ecs?.close();
  ecs = undefined;
});

async function start(options: LocalEcsOptions): Promise<{ ecs: LocalEcs; client: ECSClient }> {
  ecs = await startTestEcs(options);
  return { ecs, client: ecsClient(ecs) };
}

/** A Fargate-compatible simulated definition (task size 256 CPU / 512 MiB). */
const fargateDefinition = (client: ECSClient, env: Record<string, string> = { SIM_DURATION_MS: '60000' }) =>
  register(client, 'sim-fargate', simulatedContainer(env), {
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
  });

const fargate = (taskDefinition: string, extra: Partial<RunTaskCommandInput> = {}): RunTaskCommand =>
  new RunTaskCommand({ taskDefinition, launchType: 'FARGATE', networkConfiguration: AWSVPC, ...extra });

test('eventual consistency: a new task is MISSING to DescribeTasks and absent from ListTasks for a while', async () => {
  const { client } = await start({ visibilityDelay: { minMs: 400, maxMs: 500 } });
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  const run = await client.send(new RunTaskCommand({ taskDefinition: td, startedBy: 'slide-1' }));
  const arn = run.tasks?.[0]?.taskArn as string;
  expect(run.tasks?.[0]?.lastStatus).toBe('PROVISIONING');

  const early = await client.send(new DescribeTasksCommand({ tasks: [arn] }));
  expect(early.tasks).toEqual([]);
  expect(early.failures).toEqual([{ arn, reason: 'MISSING' }]);
  expect((await client.send(new ListTasksCommand({ startedBy: 'slide-1' }))).taskArns).toEqual([]);

  // StopTask does not see it either: "not found", as for a task that never was.
  await expect(client.send(new StopTaskCommand({ task: arn }))).rejects.toMatchObject({
    name: 'InvalidParameterException',
    message: 'The referenced task was not found.',
  });

  const seen = await waitForTask(client, arn, () => true);
  expect(seen.taskArn).toBe(arn);
  expect((await client.send(new ListTasksCommand({ startedBy: 'slide-1' }))).taskArns).toEqual([arn]);
  await client.send(new StopTaskCommand({ task: arn }));
});

test('EC2-lookup throttle: an awsvpc RunTask burst answers HTTP 400 InvalidParameterException "Rate exceeded"', async () => {
  const { ecs, client } = await start({ ec2LookupThrottle: { burst: 2, windowMs: 60_000, probability: 1 } });
  const td = await fargateDefinition(client);
  const ec2 = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  await client.send(fargate(td));
  await client.send(fargate(td));
  const err = await client.send(fargate(td)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidParameterException);
  const e = err as InvalidParameterException;
  expect(e.$metadata.httpStatusCode).toBe(400);
  expect(e.message).toBe(
    'Error retrieving subnet information for [subnet-0abc]: Rate exceeded (ErrorCode: Throttling)',
  );
  // Tasks without a subnet need no EC2 lookup.
  expect((await client.send(new RunTaskCommand({ taskDefinition: ec2 }))).tasks).toHaveLength(1);
  expect(ecs.stats().runTask).toMatchObject({ calls: 4, accepted: 3, rejected: 1, lookupThrottled: 1 });
});

test('Fargate capacity message: a FARGATE task that does not fit gets "Capacity is unavailable", EC2 keeps RESOURCE:*', async () => {
  const { client } = await start({
    clusters: [{ name: 'default', cpu: 256, memory: 512 }],
    fargateCapacityMessage: true,
  });
  const td = await fargateDefinition(client);
  expect((await client.send(fargate(td))).tasks).toHaveLength(1);
  const full = await client.send(fargate(td));
  expect(full.$metadata.httpStatusCode).toBe(200);
  expect(full.tasks).toEqual([]);
  expect(full.failures).toEqual([{ reason: FARGATE_CAPACITY }]);
  const ec2 = await client.send(
    new RunTaskCommand({ taskDefinition: td, launchType: 'EC2', networkConfiguration: AWSVPC }),
  );
  expect(ec2.failures).toEqual([
    { arn: expect.stringContaining(':container-instance/'), reason: 'RESOURCE:CPU' },
  ]);
});

test('retention: a stopped task is forgotten (DescribeTasks MISSING, ListTasks omits it) after retention.stoppedTasksMs', async () => {
  const { client } = await start({ retention: { stoppedTasksMs: 300 } });
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  const arn = (await client.send(new RunTaskCommand({ taskDefinition: td, startedBy: 'slide-r' }))).tasks?.[0]
    ?.taskArn as string;
  await waitForStatus(client, arn, 'RUNNING');
  await client.send(new StopTaskCommand({ task: arn }));
  await waitForStatus(client, arn, 'STOPPED');
  const stoppedList = await client.send(new ListTasksCommand({ desiredStatus: 'STOPPED' }));
  expect(stoppedList.taskArns).toEqual([arn]);

  // Wait for the forgetting itself, not for a fixed time.
  for (;;) {
    const out = await client.send(new DescribeTasksCommand({ tasks: [arn] }));
    if (out.failures?.length) {
      expect(out.failures).toEqual([{ arn, reason: 'MISSING' }]);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  expect((await client.send(new ListTasksCommand({ desiredStatus: 'STOPPED' }))).taskArns).toEqual([]);
});

test('failed start with an empty containers list: the failToStart option, and the probability switch', async () => {
  const { ecs, client } = await start({ failedStartEmptyContainers: 1 });
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  ecs.addFaultRule({ type: 'failToStart', match: { startedByPrefix: 'fail-' } });
  const failed = (await client.send(new RunTaskCommand({ taskDefinition: td, startedBy: 'fail-1' })))
    .tasks?.[0]?.taskArn as string;
  const task = await waitForStatus(client, failed, 'STOPPED');
  expect(task.stopCode).toBe('TaskFailedToStart');
  expect(task.stoppedReason).toMatch(/^CannotPullContainerError/);
  expect(task.containers).toEqual([]);
  // Only failed starts lose their containers.
  const ok = (await client.send(new RunTaskCommand({ taskDefinition: td }))).tasks?.[0]?.taskArn as string;
  expect((await waitForStatus(client, ok, 'RUNNING')).containers).toHaveLength(1);
});

test('failToStart emptyContainers: true hides the containers without the global switch', async () => {
  const { ecs, client } = await start({});
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  ecs.addFaultRule({ type: 'failToStart', match: { startedByPrefix: 'empty-' }, emptyContainers: true });
  ecs.addFaultRule({ type: 'failToStart', match: { startedByPrefix: 'full-' } });
  const run = async (startedBy: string) =>
    (await client.send(new RunTaskCommand({ taskDefinition: td, startedBy }))).tasks?.[0]?.taskArn as string;
  const [empty, full] = [await run('empty-1'), await run('full-1')];
  expect((await waitForStatus(client, empty, 'STOPPED')).containers).toEqual([]);
  const fullTask = await waitForStatus(client, full, 'STOPPED');
  expect(fullTask.containers?.[0]?.reason).toMatch(/^CannotPullContainerError/);
});

test("a task waiting for a capacity provider's room is described with containers: [], then with its containers once placed", async () => {
  const provider = {
    instanceCpu: 1024,
    instanceMemory: 2048,
    initialInstances: 1,
    maxInstances: 2,
    scaleOutDelayMs: 300,
    scaleInIdleMs: 60_000,
    provisioningTimeoutMs: 60_000,
  };
  const { client } = await start({
    waitingEmptyContainers: true,
    clusters: [{ name: 'cp', capacityProvider: provider }],
  });
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }), {
    cpu: '1024',
    memory: '2048',
  });
  const out = await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td, count: 2 }));
  const waiting = out.tasks?.find((t) => t.containerInstanceArn === undefined);
  expect(waiting).toMatchObject({ lastStatus: 'PROVISIONING', containers: [] });

  const placed = await waitForStatus(client, waiting?.taskArn as string, 'RUNNING', { cluster: 'cp' });
  expect(placed.containers?.map((c) => c.name)).toEqual(['main']);
});

test('stats count, per startedBy, the most tasks alive at once (admin endpoint too)', async () => {
  const { ecs, client } = await start({});
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  const run = async (startedBy: string) =>
    (await client.send(new RunTaskCommand({ taskDefinition: td, startedBy }))).tasks?.[0]?.taskArn as string;
  const a1 = await run('slide-a');
  const a2 = await run('slide-a');
  const b = await run('slide-b');
  // slide-c: one after the other.
  const c1 = await run('slide-c');
  await client.send(new StopTaskCommand({ task: c1 }));
  await waitForStatus(client, c1, 'STOPPED');
  await run('slide-c');
  await client.send(new StopTaskCommand({ task: a1 }));
  await waitForStatus(client, a1, 'STOPPED');

  expect(ecs.stats().startedBy).toEqual({
    'slide-a': { inFlight: 1, maxInFlight: 2 },
    'slide-b': { inFlight: 1, maxInFlight: 1 },
    'slide-c': { inFlight: 1, maxInFlight: 1 },
  });
  const res = await fetch(`${ecs.endpoint}/_local-ecs/stats`);
  const body = (await res.json()) as { startedBy: Record<string, { maxInFlight: number }> };
  expect(body.startedBy['slide-a']?.maxInFlight).toBe(2);
  expect(ecs.stats().clusters.default?.maxInFlight).toBe(4);
  expect([a2, b]).toHaveLength(2);
});

describe('profile', () => {
  test('default leaves every manner off', () => {
    const c = parseLocalEcsConfig({});
    expect(c.profile).toBe('default');
    expect(c.visibilityDelay).toBeUndefined();
    expect(c.ec2LookupThrottle).toBeUndefined();
    expect(c.fargateCapacityMessage).toBeUndefined();
    expect(c.failedStartEmptyContainers).toBeUndefined();
    expect(c.retention.stoppedTasksMs).toBe(3_600_000);
  });

  test('realistic turns them all on, and explicit settings win', () => {
    const c = parseLocalEcsConfig({ profile: 'realistic' });
    expect(c.visibilityDelay).toEqual(REALISTIC_PROFILE.visibilityDelay);
    expect(c.ec2LookupThrottle).toEqual(REALISTIC_PROFILE.ec2LookupThrottle);
    expect(c.fargateCapacityMessage).toBe(true);
    expect(c.failedStartEmptyContainers).toBe(REALISTIC_PROFILE.failedStartEmptyContainers);
    expect(c.retention.stoppedTasksMs).toBe(REALISTIC_PROFILE.stoppedTasksMs);

    const own = parseLocalEcsConfig({
      profile: 'realistic',
      visibilityDelay: false,
      fargateCapacityMessage: false,
      retention: { stoppedTasksMs: 60_000 },
    });
    expect(own.visibilityDelay).toBe(false);
    expect(own.fargateCapacityMessage).toBe(false);
    expect(own.retention.stoppedTasksMs).toBe(60_000);
    expect(own.ec2LookupThrottle).toEqual(REALISTIC_PROFILE.ec2LookupThrottle);
  });

  test('a bad value names its field', () => {
    expect(() => parseLocalEcsConfig({ visibilityDelay: { minMs: 500, maxMs: 100 } })).toThrow(
      /visibilityDelay\.maxMs: maxMs must be at least minMs/,
    );
    expect(() =>
      parseLocalEcsConfig({ ec2LookupThrottle: { burst: 1, windowMs: 1000, probability: 2 } }),
    ).toThrow(/ec2LookupThrottle/);
    expect(() => parseLocalEcsConfig({ profile: 'chaos' })).toThrow(/profile/);
  });
});
