// Faults from config rules, from the admin endpoint and from the handle: spot interruption,
// failed start, stuck in PROVISIONING, forced OOM, scheduler and termination stops.
import { readFileSync } from 'node:fs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import {
  container,
  ecsClient,
  nodeScript,
  register,
  SCRIPTS,
  simulatedContainer,
  sleep,
  startTestEcs,
  waitForLog,
  waitForStatus,
  OOM_KILLED_CONTAINER,
} from './helpers';

let ecs: LocalEcs;
let client: ECSClient;

/** Exits 0 on SIGTERM after printing, like a processor saving its last checkpoint. */
const graceful = () =>
  nodeScript(
    'graceful',
    `process.on('SIGTERM', () => { console.log('checkpoint saved'); process.exit(143); }); setInterval(() => {}, 1000);`,
  );

beforeAll(async () => {
  ecs = await startTestEcs({
    spotWarningMs: 400,
    seed: 7,
    faults: [
      { type: 'spotInterruption', match: { family: 'spot' }, afterRunningMs: 200 },
      { type: 'failToStart', match: { startedByPrefix: 'doomed-' } },
      { type: 'stuck', match: { environment: { STUCK: 'yes' } } },
      { type: 'oom', match: { family: 'oom-forced', taskMemoryAtMost: 512 }, afterRunningMs: 100 },
      { type: 'stop', match: { family: 'sched' }, stopCode: 'ServiceSchedulerInitiated', afterRunningMs: 50 },
    ],
  });
  client = ecsClient(ecs);
});
afterAll(async () => {
  await ecs?.close();
});

async function runOne(input: ConstructorParameters<typeof RunTaskCommand>[0]): Promise<string> {
  const out = await client.send(new RunTaskCommand(input));
  const arn = out.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(JSON.stringify(out.failures));
  return arn;
}

test('spot interruption (rule): SIGTERM, stopCode SpotInterruption; a graceful process exits 143', async () => {
  const td = await register(client, 'spot', container(graceful()));
  const arn = await runOne({ taskDefinition: td });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped).toMatchObject({
    stopCode: 'SpotInterruption',
    stoppedReason: 'Your Spot Task was interrupted.',
  });
  expect(stopped.containers?.[0]?.exitCode).toBe(143);
  expect(readFileSync(ecs.logFile(arn), 'utf8')).toContain('checkpoint saved');
});

test('spot interruption (admin): a process ignoring SIGTERM is killed after the warning period', async () => {
  const td = await register(client, 'spot-admin', container(SCRIPTS.ignoreTerm()));
  const arn = await runOne({ taskDefinition: td });
  await waitForLog(ecs, arn, 'up'); // its SIGTERM handler is installed before it prints
  const at = Date.now();
  const res = await fetch(`${ecs.endpoint}/_local-ecs/tasks/interrupt`, {
    method: 'POST',
    body: JSON.stringify({ task: arn, warningMs: 300 }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ changed: true, task: { stopCode: 'SpotInterruption' } });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.containers?.[0]?.exitCode).toBe(137);
  expect((stopped.executionStoppedAt?.getTime() ?? 0) - at).toBeGreaterThanOrEqual(290);
});

test('TaskFailedToStart (rule by startedBy prefix): CannotPullContainerError, no process', async () => {
  const td = await register(client, 'pull', container(SCRIPTS.exit()));
  const arn = await runOne({ taskDefinition: td, startedBy: 'doomed-1' });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.stopCode).toBe('TaskFailedToStart');
  expect(stopped.stoppedReason).toMatch(/^CannotPullContainerError: /);
  expect(stopped.containers?.[0]?.reason).toMatch(/^CannotPullContainerError: .*local\/node:20/);
  expect(stopped.containers?.[0]?.exitCode).toBeUndefined();
  expect(stopped.startedAt).toBeUndefined();
  expect(() => readFileSync(ecs.logFile(arn))).toThrow();
  // The same definition without the prefix runs normally.
  const ok = await runOne({ taskDefinition: td, startedBy: 'fine-1' });
  expect((await waitForStatus(client, ok, 'STOPPED')).containers?.[0]?.exitCode).toBe(0);
});

test('stuck in PROVISIONING (rule by environment) until stopped', async () => {
  const td = await register(client, 'stuck', simulatedContainer({ SIM_DURATION_MS: '10' }));
  const arn = await runOne({
    taskDefinition: td,
    overrides: { containerOverrides: [{ name: 'main', environment: [{ name: 'STUCK', value: 'yes' }] }] },
  });
  await sleep(300);
  const out = await client.send(new DescribeTasksCommand({ tasks: [arn] }));
  expect(out.tasks?.[0]).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' });
  await client.send(new StopTaskCommand({ task: arn, reason: 'stuck too long' }));
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'stuck too long' });
});

test('forced OOM (rule by family and task memory): exit 137, OutOfMemoryError', async () => {
  const small = await register(client, 'oom-forced', container(SCRIPTS.forever(), { memory: 512 }));
  const arn = await runOne({ taskDefinition: small });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped).toMatchObject({
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
  });
  expect(stopped.containers?.[0]).toMatchObject(OOM_KILLED_CONTAINER);
  // A larger size tier does not match taskMemoryAtMost: it runs until stopped.
  const bigArn = await runOne({
    taskDefinition: small,
    overrides: { containerOverrides: [{ name: 'main', memory: 1024 }] },
  });
  await waitForStatus(client, bigArn, 'RUNNING');
  await sleep(250);
  expect((await client.send(new DescribeTasksCommand({ tasks: [bigArn] }))).tasks?.[0]?.lastStatus).toBe(
    'RUNNING',
  );
  await client.send(new StopTaskCommand({ task: bigArn }));
});

test('ServiceSchedulerInitiated (rule) and TerminationNotice (admin) stop running tasks', async () => {
  const sched = await register(client, 'sched', container(SCRIPTS.forever()));
  const a = await runOne({ taskDefinition: sched });
  const stoppedA = await waitForStatus(client, a, 'STOPPED');
  expect(stoppedA.stopCode).toBe('ServiceSchedulerInitiated');
  expect(stoppedA.containers?.[0]?.exitCode).toBe(143);

  const plain = await register(client, 'plain', container(SCRIPTS.forever()));
  const b = await runOne({ taskDefinition: plain });
  await waitForStatus(client, b, 'RUNNING');
  const res = await fetch(`${ecs.endpoint}/_local-ecs/tasks/stop`, {
    method: 'POST',
    body: JSON.stringify({ task: b, stopCode: 'TerminationNotice', reason: 'host retiring' }),
  });
  expect(res.status).toBe(200);
  const stoppedB = await waitForStatus(client, b, 'STOPPED');
  expect(stoppedB).toMatchObject({ stopCode: 'TerminationNotice', stoppedReason: 'host retiring' });
});

test('handle: oomKillTask, failTaskStart, addFaultRule with times', async () => {
  const td = await register(client, 'handle', simulatedContainer({ SIM_DURATION_MS: '60000' }));
  const a = await runOne({ taskDefinition: td });
  await waitForStatus(client, a, 'RUNNING');
  expect(ecs.oomKillTask(a)).toBe(true);
  const oomed = await waitForStatus(client, a, 'STOPPED');
  expect(oomed.containers?.[0]).toMatchObject({
    exitCode: 137,
    reason: expect.stringMatching(/^OutOfMemoryError/),
  });

  ecs.addFaultRule({ type: 'stuck', status: 'PENDING', times: 1, match: { family: 'handle' } });
  const b = await runOne({ taskDefinition: td });
  await waitForStatus(client, b, 'PENDING');
  expect(ecs.failTaskStart(b, { reason: 'CannotPullContainerError: access denied' })).toBe(true);
  const failed = await waitForStatus(client, b, 'STOPPED');
  expect(failed).toMatchObject({
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: access denied',
  });
  // times: 1 — the next task is not stuck.
  const c = await runOne({ taskDefinition: td });
  await waitForStatus(client, c, 'RUNNING');
  expect(ecs.stopTaskWithCode(c, 'ServiceSchedulerInitiated')).toBe(true);
  expect((await waitForStatus(client, c, 'STOPPED')).stopCode).toBe('ServiceSchedulerInitiated');
});

test('a rule with a probability fires for the same tasks on every run with the same seed', async () => {
  const outcome = async () => {
    const own = await startTestEcs({
      seed: 99,
      faults: [{ type: 'failToStart', probability: 0.5, match: { family: 'coin' } }],
    });
    try {
      const c = ecsClient(own);
      const td = await register(c, 'coin', simulatedContainer({ SIM_DURATION_MS: '0' }));
      const arns: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const out = await c.send(new RunTaskCommand({ taskDefinition: td, count: 10 }));
        arns.push(...(out.tasks ?? []).map((t) => t.taskArn as string));
      }
      const codes: string[] = [];
      for (const arn of arns) codes.push((await waitForStatus(c, arn, 'STOPPED')).stopCode as string);
      return codes;
    } finally {
      await own.close();
    }
  };
  const first = await outcome();
  expect(await outcome()).toEqual(first);
  const failed = first.filter((c) => c === 'TaskFailedToStart').length;
  expect(failed).toBeGreaterThan(3);
  expect(failed).toBeLessThan(17);
});

describe('admin endpoint', () => {
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ecs.endpoint}/_local-ecs${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('lists its routes, reports health and stats', async () => {
    expect((await admin('GET', '/')).body.routes).toEqual(
      expect.arrayContaining([expect.stringMatching(/stats/)]),
    );
    expect((await admin('GET', '/health')).body).toEqual({ ok: true });
    const stats = (await admin('GET', '/stats')).body;
    expect(stats).toMatchObject({ runTask: expect.any(Object), tasksByStatus: expect.any(Object) });
    expect((await admin('GET', '/clusters')).body).toHaveProperty('default');
    expect(((await admin('GET', '/tasks?status=STOPPED')).body.tasks as unknown[]).length).toBeGreaterThan(0);
  });

  test('fault rules: add, list, clear; bad rules and unknown tasks are refused', async () => {
    const added = await admin('POST', '/faults', [
      { type: 'oom', match: { family: 'x' } },
      { type: 'stuck', times: 2 },
    ]);
    expect(added.status).toBe(200);
    expect(added.body.added).toBe(2);
    expect(((await admin('GET', '/faults')).body.rules as unknown[]).length).toBe(8); // 5 from config, 1 from the handle test, 2 here
    expect((await admin('POST', '/faults', { type: 'oom', probability: 7 })).status).toBe(400);
    expect((await admin('POST', '/tasks/oom', { task: 'no-such-task' })).status).toBe(404);
    expect((await admin('POST', '/tasks/stop', { task: 'x', stopCode: 'Nope' })).status).toBe(400);
    expect((await admin('GET', '/nothing')).status).toBe(404);
    expect((await admin('DELETE', '/faults')).body.rules).toEqual([]);
    expect(ecs.faultRules()).toEqual([]);
  });

  test('stats/reset zeroes the counters', async () => {
    const reset = await admin('POST', '/stats/reset');
    expect(reset.body).toMatchObject({ tasksLaunched: 0, runTask: { calls: 0 }, launchTimestamps: [] });
  });
});
