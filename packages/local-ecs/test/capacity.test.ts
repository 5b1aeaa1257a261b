// Finite cluster capacity: RunTask answers failures[] when there is no room, and the room
// comes back when a task stops; capacity can shrink and grow under running tasks.
import {
  DescribeClustersCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import { ecsClient, pollUntil, register, simulatedContainer, startTestEcs, waitForStatus } from './helpers';

let ecs: LocalEcs;
let client: ECSClient;
let td: string;

beforeEach(async () => {
  ecs = await startTestEcs({ clusters: [{ name: 'default', cpu: 2048, memory: 4096 }] });
  client = ecsClient(ecs);
  // Task-level 1024 CPU / 2048 MiB: two fit.
  td = await register(client, 'cap', simulatedContainer({ SIM_DURATION_MS: '60000' }), {
    cpu: '1024',
    memory: '2048',
  });
});
afterEach(async () => {
  await ecs?.close();
});

const instanceArn = () =>
  expect.stringMatching(/^arn:aws:ecs:us-east-1:000000000000:container-instance\/default\/[0-9a-f]{32}$/);

test('a full cluster answers failures[] (HTTP 200), then accepts the same request once a task stops', async () => {
  const a = await client.send(new RunTaskCommand({ taskDefinition: td }));
  const b = await client.send(new RunTaskCommand({ taskDefinition: td }));
  expect([a.tasks?.length, b.tasks?.length]).toEqual([1, 1]);
  const full = await client.send(new RunTaskCommand({ taskDefinition: td }));
  expect(full.$metadata.httpStatusCode).toBe(200);
  expect(full.tasks).toEqual([]);
  expect(full.failures).toEqual([{ arn: instanceArn(), reason: 'RESOURCE:CPU' }]);

  const first = a.tasks?.[0]?.taskArn as string;
  await client.send(new StopTaskCommand({ task: first }));
  // Still reserved until the task is STOPPED.
  await waitForStatus(client, first, 'STOPPED');
  const again = await client.send(new RunTaskCommand({ taskDefinition: td }));
  expect(again.tasks).toHaveLength(1);
  expect(again.failures).toEqual([]);
  const stats = ecs.stats();
  expect(stats.runTask).toMatchObject({ calls: 4, accepted: 4, withFailures: 1, failures: 1 });
  expect(stats.maxInFlight).toBe(2);
});

test('memory is checked too, and overrides.cpu/memory are what the task reserves', async () => {
  const big = await client.send(
    new RunTaskCommand({ taskDefinition: td, overrides: { cpu: '512', memory: '4096' } }),
  );
  expect(big.tasks?.[0]).toMatchObject({ cpu: '512', memory: '4096' });
  const out = await client.send(
    new RunTaskCommand({ taskDefinition: td, overrides: { cpu: '256', memory: '512' } }),
  );
  expect(out.failures).toEqual([{ arn: instanceArn(), reason: 'RESOURCE:MEMORY' }]);
  expect(ecs.clusterCapacity('default')).toMatchObject({
    reservedCpu: 512,
    reservedMemory: 4096,
    remainingMemory: 0,
  });
});

test('count places what fits; every task that does not fit has a failure entry', async () => {
  const out = await client.send(new RunTaskCommand({ taskDefinition: td, count: 3 }));
  expect(out.tasks).toHaveLength(2);
  expect(out.failures).toHaveLength(1);
  expect(ecs.stats().tasksLaunched).toBe(2);
});

test('without task-level sizes the containers’ cpu and memory are summed', async () => {
  const perContainer = await register(
    client,
    'cap-containers',
    simulatedContainer({ SIM_DURATION_MS: '60000' }, { cpu: 500, memory: 1500 }),
  );
  const out = await client.send(new RunTaskCommand({ taskDefinition: perContainer, count: 3 }));
  expect(out.tasks).toHaveLength(2);
  expect(out.failures?.[0]?.reason).toBe('RESOURCE:MEMORY');
  expect(ecs.clusterCapacity('default')).toMatchObject({ reservedCpu: 1000, reservedMemory: 3000 });
});

test('shrinking keeps running tasks running and blocks launches; growing lets them in', async () => {
  const a = await client.send(new RunTaskCommand({ taskDefinition: td }));
  const arn = a.tasks?.[0]?.taskArn as string;
  await waitForStatus(client, arn, 'RUNNING');
  ecs.setClusterCapacity('default', { cpu: 512, memory: 1024 });
  const blocked = await client.send(new RunTaskCommand({ taskDefinition: td }));
  expect(blocked.failures?.[0]?.reason).toBe('RESOURCE:CPU');
  const described = await client.send(new DescribeClustersCommand({ include: ['STATISTICS'] }));
  const stats = Object.fromEntries((described.clusters?.[0]?.statistics ?? []).map((s) => [s.name, s.value]));
  expect(stats).toMatchObject({ registeredCpu: '512', remainingCpu: '0', reservedCpu: '1024' });
  expect(described.clusters?.[0]?.runningTasksCount).toBe(1);

  // Through the admin endpoint this time.
  const res = await fetch(`${ecs.endpoint}/_local-ecs/clusters/default/capacity`, {
    method: 'POST',
    body: JSON.stringify({ cpu: 4096, memory: 8192 }),
  });
  expect(await res.json()).toMatchObject({ registeredCpu: 4096, registeredMemory: 8192, reservedCpu: 1024 });
  const grown = await client.send(new RunTaskCommand({ taskDefinition: td, count: 3 }));
  expect(grown.tasks).toHaveLength(3);
  const still = await waitForStatus(client, arn, 'RUNNING');
  expect(still.desiredStatus).toBe('RUNNING');
});

test('a capacity rule in the config changes capacity at its time', async () => {
  await ecs.close();
  const startedAt = Date.now();
  ecs = await startTestEcs({
    clusters: [{ name: 'default', cpu: 2048, memory: 4096 }],
    faults: [{ type: 'capacity', cluster: 'default', atMs: 2000, cpu: 0 }],
  });
  expect(ecs.clusterCapacity('default').registeredCpu).toBe(2048);
  // Waits for the change itself, then checks it came no earlier than the rule's time.
  await pollUntil(
    'the capacity rule to take the CPU away',
    () => ecs.clusterCapacity('default').registeredCpu,
    (cpu) => cpu === 0,
  );
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
  client = ecsClient(ecs);
  td = await register(client, 'cap', simulatedContainer({ SIM_DURATION_MS: '60000' }), {
    cpu: '1024',
    memory: '2048',
  });
  expect((await client.send(new RunTaskCommand({ taskDefinition: td }))).failures?.[0]?.reason).toBe(
    'RESOURCE:CPU',
  );
});
