// A simulated EC2 capacity provider with managed scaling: RunTask through it never fails for
// room, tasks wait in PROVISIONING while instances are added (up to maxInstances), idle
// instances go (never one running a task), and a task waiting too long fails to start.
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import { parseLocalEcsConfig } from '../src/config';
import { ecsClient, pollUntil, register, simulatedContainer, startTestEcs, waitForStatus } from './helpers';

let ecs: LocalEcs | undefined;
afterEach(async () => {
  await ecs?.close();
  ecs = undefined;
});

const PROVIDER = {
  instanceCpu: 1024,
  instanceMemory: 2048,
  initialInstances: 1,
  maxInstances: 3,
  scaleOutDelayMs: 200,
  scaleInIdleMs: 300,
  provisioningTimeoutMs: 60_000,
};

/** A cluster `cp` with the provider; each task takes a whole instance (1024 / 2048). */
async function start(provider: Partial<typeof PROVIDER> = {}): Promise<{ client: ECSClient; td: string }> {
  ecs = await startTestEcs({ clusters: [{ name: 'cp', capacityProvider: { ...PROVIDER, ...provider } }] });
  const client = ecsClient(ecs);
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }), {
    cpu: '1024',
    memory: '2048',
  });
  return { client, td };
}

const instanceArns = async (client: ECSClient): Promise<string[]> =>
  (await client.send(new ListContainerInstancesCommand({ cluster: 'cp' }))).containerInstanceArns ?? [];

test('tasks wait in PROVISIONING while the provider adds instances, then all run', async () => {
  const { client, td } = await start();
  const out = await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td, count: 3 }));
  expect(out.failures).toEqual([]);
  expect(out.tasks?.map((t) => [t.lastStatus, t.launchType, t.capacityProviderName])).toEqual([
    ['PROVISIONING', 'EC2', 'ec2-managed'],
    ['PROVISIONING', 'EC2', 'ec2-managed'],
    ['PROVISIONING', 'EC2', 'ec2-managed'],
  ]);
  // (How many instances exist at this instant is a race between the provider's timers and this
  // call on a loaded machine: the first instance may already be idle-scaled-in, or the new ones
  // added. What is asserted is where it ends: three instances, one task on each.)

  const running = await Promise.all(
    (out.tasks ?? []).map((t) => waitForStatus(client, t.taskArn as string, 'RUNNING', { cluster: 'cp' })),
  );
  const arns = await instanceArns(client);
  expect(arns).toHaveLength(3);
  expect(new Set(running.map((t) => t.containerInstanceArn))).toEqual(new Set(arns));

  const described = await client.send(
    new DescribeContainerInstancesCommand({ cluster: 'cp', containerInstances: arns }),
  );
  for (const i of described.containerInstances ?? []) {
    const value = (list: typeof i.registeredResources, name: string) =>
      list?.find((r) => r.name === name)?.integerValue;
    expect([value(i.registeredResources, 'CPU'), value(i.registeredResources, 'MEMORY')]).toEqual([
      1024, 2048,
    ]);
    expect([value(i.remainingResources, 'CPU'), value(i.remainingResources, 'MEMORY')]).toEqual([0, 0]);
  }
  const cluster = (await client.send(new DescribeClustersCommand({ clusters: ['cp'] }))).clusters?.[0];
  expect(cluster?.registeredContainerInstancesCount).toBe(3);
  expect(cluster?.capacityProviders).toContain('ec2-managed');
  expect(ecs?.stats().clusters.cp).toMatchObject({ containerInstances: 3, waitingForCapacity: 0 });
  expect(ecs?.stats().clusters.cp?.scaleOuts).toBeGreaterThanOrEqual(1);
});

test('at maxInstances a task waits for a stopping task; idle instances go, busy ones stay', async () => {
  const { client, td } = await start();
  const first = await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td, count: 3 }));
  const arns = (first.tasks ?? []).map((t) => t.taskArn as string);
  for (const arn of arns) await waitForStatus(client, arn, 'RUNNING', { cluster: 'cp' });

  const extra = await client.send(
    new RunTaskCommand({
      cluster: 'cp',
      taskDefinition: td,
      capacityProviderStrategy: [{ capacityProvider: 'ec2-managed', weight: 1 }],
    }),
  );
  const fourth = extra.tasks?.[0]?.taskArn as string;
  expect(ecs?.stats().clusters.cp?.waitingForCapacity).toBe(1);
  await client.send(new StopTaskCommand({ cluster: 'cp', task: arns[0] }));
  const placed = await waitForStatus(client, fourth, 'RUNNING', { cluster: 'cp' });
  expect(await instanceArns(client)).toHaveLength(3);
  // Counted from here: the first instance may have been scaled in while idle before any task.
  const scaleInsBefore = ecs?.stats().clusters.cp?.scaleIns ?? 0;

  // Stop all but the fourth: their instances go once idle; the fourth's stays.
  for (const arn of arns.slice(1)) await client.send(new StopTaskCommand({ cluster: 'cp', task: arn }));
  const left = await pollUntil(
    'the idle instances to be scaled in',
    () => instanceArns(client),
    (a) => a.length === 1,
    10_000,
  );
  expect(left).toEqual([placed.containerInstanceArn]);
  expect(ecs?.stats().clusters.cp?.scaleIns).toBe(scaleInsBefore + 2);
  // And after the last task stops, the cluster scales to zero (minInstances 0).
  await client.send(new StopTaskCommand({ cluster: 'cp', task: fourth }));
  await pollUntil(
    'the cluster to scale to zero',
    () => instanceArns(client),
    (a) => a.length === 0,
    10_000,
  );
});

test('a task waiting longer than provisioningTimeoutMs stops with TaskFailedToStart: RESOURCE:*', async () => {
  const { client, td } = await start({ maxInstances: 1, provisioningTimeoutMs: 300 });
  const out = await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td, count: 2 }));
  const [running, waiting] = (out.tasks ?? []).map((t) => t.taskArn as string);
  await waitForStatus(client, running as string, 'RUNNING', { cluster: 'cp' });
  const failed = await waitForStatus(client, waiting as string, 'STOPPED', { cluster: 'cp' });
  expect(failed.stopCode).toBe('TaskFailedToStart');
  expect(failed.stoppedReason).toBe('TaskFailedToStart: RESOURCE:CPU');
  // Too big for any instance: no scale-out helps.
  const big = await client.send(
    new RunTaskCommand({ cluster: 'cp', taskDefinition: td, overrides: { cpu: '512', memory: '4096' } }),
  );
  const bigFailed = await waitForStatus(client, big.tasks?.[0]?.taskArn as string, 'STOPPED', {
    cluster: 'cp',
  });
  expect(bigFailed.stoppedReason).toBe('TaskFailedToStart: RESOURCE:MEMORY');
});

test('launchType EC2 bypasses the provider: a full cluster answers failures[] at once', async () => {
  // The one instance must not be scaled in while idle before the first launch, however slow the machine.
  const { client, td } = await start({ maxInstances: 1, scaleInIdleMs: 600_000 });
  await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td, launchType: 'EC2' }));
  const full = await client.send(
    new RunTaskCommand({ cluster: 'cp', taskDefinition: td, launchType: 'EC2' }),
  );
  expect(full.tasks).toEqual([]);
  expect(full.failures).toEqual([
    { arn: expect.stringContaining(':container-instance/cp/'), reason: 'RESOURCE:CPU' },
  ]);
});

test('config: a provider needs maxInstances >= initialInstances; a plain cluster needs cpu and memory', () => {
  expect(() =>
    parseLocalEcsConfig({ clusters: [{ name: 'x', capacityProvider: { ...PROVIDER, maxInstances: 0 } }] }),
  ).toThrow(/clusters\.0\.capacityProvider\.maxInstances/);
  expect(() => parseLocalEcsConfig({ clusters: [{ name: 'x' }] })).toThrow(/clusters\.0\.cpu/);
});

test('a capacity fault on a capacity-provider cluster is refused when it is added, not lost in a timer', async () => {
  await start();
  expect(() => ecs!.addFaultRule({ type: 'capacity', cluster: 'cp', atMs: 10, cpu: 512 })).toThrow(
    /cluster cp has capacity provider/,
  );
});

test('past the PROVISIONING quota RunTask answers ClientException "Tasks provisioning capacity limit exceeded."', async () => {
  ecs = await startTestEcs({
    provisioningQuota: 2,
    clusters: [{ name: 'cp', capacityProvider: { ...PROVIDER, initialInstances: 1, maxInstances: 1 } }],
  });
  const client = ecsClient(ecs);
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '60000' }), {
    cpu: '1024',
    memory: '2048',
  });
  // One runs on the only instance; the next two wait in PROVISIONING, up to the quota.
  const first = await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td }));
  await waitForStatus(client, first.tasks?.[0]?.taskArn as string, 'RUNNING', { cluster: 'cp' });
  const waiting = await client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td, count: 2 }));
  expect(waiting.tasks?.map((t) => t.lastStatus)).toEqual(['PROVISIONING', 'PROVISIONING']);

  const refused = await client
    .send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td }))
    .catch((e: unknown) => e);
  expect(refused).toMatchObject({
    name: 'ClientException',
    message: 'Tasks provisioning capacity limit exceeded.',
    $metadata: { httpStatusCode: 400 },
  });
  expect(ecs.stats().runTask.provisioningQuota).toBe(1);

  // A waiting task that goes makes room under the quota again.
  await client.send(new StopTaskCommand({ cluster: 'cp', task: waiting.tasks?.[1]?.taskArn }));
  const again = await pollUntil(
    'room under the quota',
    () => client.send(new RunTaskCommand({ cluster: 'cp', taskDefinition: td })).catch(() => undefined),
    (out) => out?.tasks?.length === 1,
  );
  expect(again?.tasks?.[0]?.lastStatus).toBe('PROVISIONING');
});
