// Simulated containers: no process, timers only, behaviour from SIM_* variables (definition
// and overrides), the same lifecycle, stop semantics and faults as real ones.
import { existsSync } from 'node:fs';
import { RunTaskCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import {
  ecsClient,
  register,
  simulatedContainer,
  pollUntil,
  startTestEcs,
  waitForStatus,
  waitForTask,
  OOM_KILLED_CONTAINER,
} from './helpers';

let ecs: LocalEcs;
let client: ECSClient;
let td: string;

beforeAll(async () => {
  ecs = await startTestEcs({
    clusters: [{ name: 'default', cpu: 1_000_000, memory: 4_000_000 }],
    simulated: { defaultDurationMs: 100 },
  });
  client = ecsClient(ecs);
  td = await register(client, 'sim', simulatedContainer({ SIM_DURATION_MS: '100' }, { stopTimeout: 1 }));
});
afterAll(async () => {
  await ecs?.close();
});

const env = (vars: Record<string, string>) => ({
  containerOverrides: [
    { name: 'main', environment: Object.entries(vars).map(([name, value]) => ({ name, value })) },
  ],
});

async function runSim(vars: Record<string, string> = {}, extra = {}): Promise<string> {
  const out = await client.send(new RunTaskCommand({ taskDefinition: td, overrides: env(vars), ...extra }));
  return out.tasks?.[0]?.taskArn as string;
}

test('runs for SIM_DURATION_MS and exits with SIM_EXIT_CODE (per task, from overrides)', async () => {
  const ok = await runSim();
  const failing = await runSim({ SIM_EXIT_CODE: '3', SIM_DURATION_MS: '50' });
  const okTask = await waitForStatus(client, ok, 'STOPPED');
  const failTask = await waitForStatus(client, failing, 'STOPPED');
  expect(okTask.containers?.[0]?.exitCode).toBe(0);
  expect(failTask.containers?.[0]?.exitCode).toBe(3);
  const ran = (t: Task) => (t.executionStoppedAt?.getTime() ?? 0) - (t.startedAt?.getTime() ?? 0);
  expect(ran(okTask)).toBeGreaterThanOrEqual(90);
  expect(okTask.stopCode).toBe('EssentialContainerExited');
  expect(existsSync(ecs.logFile(ok))).toBe(false);
});

test('StopTask: exits 143 at once on SIGTERM', async () => {
  const arn = await runSim({ SIM_DURATION_MS: '60000' });
  await waitForStatus(client, arn, 'RUNNING');
  await client.send(new StopTaskCommand({ task: arn }));
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.containers?.[0]?.exitCode).toBe(143);
  expect(stopped.stopCode).toBe('UserInitiated');
});

test('SIM_IGNORE_SIGTERM: killed after stopTimeout (137); SIM_SIGTERM_DELAY_MS: a graceful exit', async () => {
  const stubborn = await runSim({ SIM_DURATION_MS: '60000', SIM_IGNORE_SIGTERM: 'true' });
  const graceful = await runSim({
    SIM_DURATION_MS: '60000',
    SIM_SIGTERM_DELAY_MS: '200',
    SIM_SIGTERM_EXIT_CODE: '0',
  });
  await waitForStatus(client, stubborn, 'RUNNING');
  await waitForStatus(client, graceful, 'RUNNING');
  const at = Date.now();
  await client.send(new StopTaskCommand({ task: stubborn }));
  await client.send(new StopTaskCommand({ task: graceful }));
  const g = await waitForStatus(client, graceful, 'STOPPED');
  expect(g.containers?.[0]?.exitCode).toBe(0);
  expect((g.executionStoppedAt?.getTime() ?? 0) - at).toBeGreaterThanOrEqual(190);
  const s = await waitForStatus(client, stubborn, 'STOPPED');
  expect(s.containers?.[0]?.exitCode).toBe(137);
  expect((s.executionStoppedAt?.getTime() ?? 0) - at).toBeGreaterThanOrEqual(950);
});

test('SIM_MEMORY_MIB over the hard limit is an OOM kill; spot interruption works on simulated tasks', async () => {
  const oom = await runSim({ SIM_DURATION_MS: '60000', SIM_MEMORY_MIB: '300', SIM_MEMORY_AFTER_MS: '50' });
  const fits = await runSim({ SIM_DURATION_MS: '200', SIM_MEMORY_MIB: '200' });
  const o = await waitForStatus(client, oom, 'STOPPED');
  expect(o.containers?.[0]).toMatchObject(OOM_KILLED_CONTAINER);
  expect((await waitForStatus(client, fits, 'STOPPED')).containers?.[0]?.exitCode).toBe(0);

  const spot = await runSim({ SIM_DURATION_MS: '60000' });
  await waitForStatus(client, spot, 'RUNNING');
  ecs.interruptTask(spot);
  const s = await waitForStatus(client, spot, 'STOPPED');
  expect(s).toMatchObject({ stopCode: 'SpotInterruption' });
  expect(s.containers?.[0]?.exitCode).toBe(143);
});

test('a bad SIM_ value fails the start with a reason naming it', async () => {
  const arn = await runSim({ SIM_DURATION_MS: 'soon' });
  const t = await waitForStatus(client, arn, 'STOPPED');
  expect(t.stopCode).toBe('TaskFailedToStart');
  expect(t.containers?.[0]?.reason).toMatch(/SIM_DURATION_MS/);
});

test('several containers: a non-essential exit leaves the task running; the essential one ends it', async () => {
  const multi = await register(client, 'sim-multi', simulatedContainer(), {
    containerDefinitions: [
      simulatedContainer({ SIM_DURATION_MS: '3000' }),
      simulatedContainer({ SIM_DURATION_MS: '50', SIM_EXIT_CODE: '2' }, { name: 'init', essential: false }),
      simulatedContainer({ SIM_DURATION_MS: '60000' }, { name: 'sidecar', essential: false }),
    ],
  });
  const out = await client.send(new RunTaskCommand({ taskDefinition: multi }));
  const arn = out.tasks?.[0]?.taskArn as string;
  // While the essential container still runs, the non-essential one has come and gone.
  const initOf = (t: Task) => t.containers?.find((c) => c.name === 'init');
  const midway = await waitForTask(
    client,
    arn,
    (t) => t.lastStatus === 'STOPPED' || initOf(t)?.lastStatus === 'STOPPED',
  );
  expect(midway.lastStatus).toBe('RUNNING');
  expect(initOf(midway)).toMatchObject({
    lastStatus: 'STOPPED',
    exitCode: 2,
  });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.stopCode).toBe('EssentialContainerExited');
  const exit = (name: string) => stopped.containers?.find((c) => c.name === name)?.exitCode;
  expect([exit('main'), exit('init'), exit('sidecar')]).toEqual([0, 2, 143]);
});

test('500 simulated tasks run and finish quickly; stats see them all', async () => {
  ecs.resetStats();
  const arns: string[] = [];
  const calls = Array.from({ length: 50 }, (_, i) =>
    client.send(
      new RunTaskCommand({
        taskDefinition: td,
        count: 10,
        startedBy: `bench-${i}`,
        overrides: env({ SIM_DURATION_MS: String(200 + (i % 5) * 50) }),
      }),
    ),
  );
  for (const out of await Promise.all(calls)) arns.push(...(out.tasks ?? []).map((t) => t.taskArn as string));
  expect(arns).toHaveLength(500);
  await pollUntil(
    'all 500 tasks to stop',
    () => ecs.stats().inFlight,
    (n) => n === 0,
  );
  const stats = ecs.stats();
  expect(stats.inFlight).toBe(0);
  expect(stats.tasksLaunched).toBe(500);
  expect(stats.launchTimestamps).toHaveLength(500);
  expect(stats.maxInFlight).toBeGreaterThanOrEqual(10);
  expect(stats.maxInFlight).toBeLessThanOrEqual(500);
  expect(stats.stopCodes.EssentialContainerExited).toBe(500);
  expect(stats.clusters.default).toMatchObject({ reservedMemory: 0, inFlight: 0 });
  const last = await waitForStatus(client, arns[499] as string, 'STOPPED');
  expect(last.containers?.[0]?.exitCode).toBe(0);
});
