// Contention mode: soft reservations let tasks be placed past capacity up to maxOvercommit;
// while over-committed, simulated tasks run slower and are OOM-killed at a rate that grows
// with the over-commit.
import { RunTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { LocalEcs, LocalEcsOptions } from '../src';
import { parseLocalEcsConfig } from '../src/config';
import {
  ecsClient,
  OOM_KILLED_CONTAINER,
  register,
  simulatedContainer,
  pollUntil,
  startTestEcs,
  waitForStatus,
} from './helpers';

let ecs: LocalEcs | undefined;
afterEach(async () => {
  await ecs?.close();
  ecs = undefined;
});

/** A 1024 CPU / 2048 MiB cluster in contention mode, and a 512 / 1024 simulated task. */
async function start(
  contention: { maxOvercommit?: number; oomHazardPerSecond?: number; checkIntervalMs?: number },
  durationMs: number,
  extra: LocalEcsOptions = {},
): Promise<{ ecs: LocalEcs; client: ECSClient; td: string }> {
  ecs = await startTestEcs({
    clusters: [{ name: 'default', cpu: 1024, memory: 2048, contention }],
    ...extra,
  });
  const client = ecsClient(ecs);
  const td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: String(durationMs) }), {
    cpu: '512',
    memory: '1024',
  });
  return { ecs, client, td };
}

const ran = (t: Task): number => (t.executionStoppedAt?.getTime() ?? 0) - (t.startedAt?.getTime() ?? 0);

test('tasks are placed past capacity up to maxOvercommit, then RESOURCE:*', async () => {
  const { ecs, client, td } = await start({ maxOvercommit: 2, oomHazardPerSecond: 0 }, 60_000);
  const out = await client.send(new RunTaskCommand({ taskDefinition: td, count: 5 }));
  expect(out.tasks).toHaveLength(4);
  expect(out.failures).toEqual([
    { arn: expect.stringContaining(':container-instance/'), reason: 'RESOURCE:CPU' },
  ]);
  expect(ecs.clusterCapacity('default')).toMatchObject({
    registeredMemory: 2048,
    reservedMemory: 4096,
    remainingMemory: 0,
  });
});

test('over-committed simulated tasks run slower, in proportion to committed/capacity', async () => {
  const { client, td } = await start({ maxOvercommit: 2, oomHazardPerSecond: 0 }, 300);
  // Two fit: no slowdown.
  const fits = await client.send(new RunTaskCommand({ taskDefinition: td, count: 2 }));
  const alone = await Promise.all(
    (fits.tasks ?? []).map((t) => waitForStatus(client, t.taskArn as string, 'STOPPED')),
  );
  for (const t of alone) {
    expect(t.containers?.[0]?.exitCode).toBe(0);
    expect(ran(t)).toBeGreaterThanOrEqual(290);
  }
  // Four: twice the capacity is committed, so each takes about twice as long.
  const crowded = await client.send(new RunTaskCommand({ taskDefinition: td, count: 4 }));
  const slow = await Promise.all(
    (crowded.tasks ?? []).map((t) => waitForStatus(client, t.taskArn as string, 'STOPPED')),
  );
  for (const t of slow) {
    expect(t.containers?.[0]?.exitCode).toBe(0);
    expect(ran(t)).toBeGreaterThanOrEqual(550);
  }
});

test('over-committed memory OOM-kills simulated tasks (137, OutOfMemoryError); within capacity none', async () => {
  const { ecs, client, td } = await start(
    { maxOvercommit: 2, oomHazardPerSecond: 100, checkIntervalMs: 20 },
    60_000,
  );
  const crowded = await client.send(new RunTaskCommand({ taskDefinition: td, count: 4 }));
  const killed = await waitForStatus(client, crowded.tasks?.[0]?.taskArn as string, 'STOPPED');
  expect(killed.stopCode).toBe('EssentialContainerExited');
  expect(killed.containers?.[0]).toMatchObject(OOM_KILLED_CONTAINER);
  // Kills go on only while the host is over-committed, so at most two can survive them.
  await pollUntil(
    'the kills to leave at most two tasks',
    () => ecs.stats().clusters.default?.inFlight ?? 0,
    (n) => n <= 2,
  );
  expect(ecs.stats().clusters.default?.inFlight).toBeLessThanOrEqual(2);
});

test('within capacity, a high hazard kills nothing', async () => {
  const { client, td } = await start({ maxOvercommit: 2, oomHazardPerSecond: 100, checkIntervalMs: 20 }, 300);
  const out = await client.send(new RunTaskCommand({ taskDefinition: td, count: 2 }));
  for (const t of out.tasks ?? []) {
    const done = await waitForStatus(client, t.taskArn as string, 'STOPPED');
    expect(done.containers?.[0]?.exitCode).toBe(0);
  }
});

test('a bad contention value names its field', () => {
  expect(() =>
    parseLocalEcsConfig({ clusters: [{ name: 'x', cpu: 1, memory: 1, contention: { maxOvercommit: 0.5 } }] }),
  ).toThrow(/clusters\.0\.contention\.maxOvercommit/);
});
