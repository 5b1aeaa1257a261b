// Real processes through the whole lifecycle: exit codes, timestamps, logs, environment,
// the SIGTERM-then-SIGKILL stop, start failures, and nothing left running after close().
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DescribeTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../src';
import {
  alive,
  container,
  ecsClient,
  logOf,
  pollUntil,
  register,
  SCRIPTS,
  sleep,
  startTestEcs,
  tempDir,
  waitForLog,
  waitForStatus,
  waitForTask,
} from './helpers';

let ecs: LocalEcs;
let client: ECSClient;
const workDir = tempDir('local-ecs-cwd-');

beforeAll(async () => {
  ecs = await startTestEcs({ cwd: workDir, taskEnvironment: { FROM_STACK: 'stack', SHARED: 'stack' } });
  client = ecsClient(ecs);
});
afterAll(async () => {
  await ecs?.close();
});

async function runOne(
  taskDefinition: string,
  extra: Partial<ConstructorParameters<typeof RunTaskCommand>[0]> = {},
) {
  const out = await client.send(new RunTaskCommand({ taskDefinition, ...extra }));
  const task = out.tasks?.[0];
  if (!task?.taskArn) throw new Error(`no task: ${JSON.stringify(out.failures)}`);
  return task.taskArn;
}

const seconds = (d: Date | undefined) => d?.getTime() ?? NaN;

test('a process that exits 0: every state in order, timestamps, exit code, log file', async () => {
  const td = await register(client, 'life-ok', container(SCRIPTS.printEnv()));
  const arn = await runOne(td);
  const seen: string[] = [];
  const stopped = await waitForTask(client, arn, (t) => {
    if (seen[seen.length - 1] !== t.lastStatus) seen.push(t.lastStatus as string);
    return t.lastStatus === 'STOPPED';
  });
  const order = ['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
  expect(seen.map((s) => order.indexOf(s))).toEqual(
    [...seen.map((s) => order.indexOf(s))].sort((a, b) => a - b),
  );
  expect(stopped).toMatchObject({
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
  });
  expect(stopped.containers?.[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
  const times = [
    stopped.createdAt,
    stopped.pullStartedAt,
    stopped.pullStoppedAt,
    stopped.startedAt,
    stopped.stoppingAt,
    stopped.executionStoppedAt,
    stopped.stoppedAt,
  ].map(seconds);
  expect(times.every(Number.isFinite)).toBe(true);
  expect([...times].sort((a, b) => a - b)).toEqual(times);

  const logFile = ecs.logFile(arn);
  expect(logFile).toBe(path.join(ecs.config.logDir, 'default', `${arn.split('/').pop()}.log`));
  const printed = JSON.parse(readFileSync(logFile, 'utf8')) as { env: Record<string, string>; cwd: string };
  expect(printed.cwd).toBe(workDir);
  expect(printed.env).toMatchObject({
    FROM_STACK: 'stack',
    AWS_REGION: 'us-east-1',
    LOCAL_ECS_TASK_ARN: arn,
  });
});

test('environment: stack < task definition < container overrides; command overrides apply', async () => {
  const td = await register(
    client,
    'life-env',
    container(['/bin/false'], {
      environment: [
        { name: 'SHARED', value: 'definition' },
        { name: 'DEF_ONLY', value: 'definition' },
        { name: 'OVERRIDDEN', value: 'definition' },
      ],
    }),
  );
  const arn = await runOne(td, {
    overrides: {
      containerOverrides: [
        {
          name: 'main',
          command: SCRIPTS.printEnv(),
          environment: [{ name: 'OVERRIDDEN', value: 'override' }],
        },
      ],
    },
  });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.containers?.[0]?.exitCode).toBe(0);
  const { env } = JSON.parse(readFileSync(ecs.logFile(arn), 'utf8')) as { env: Record<string, string> };
  expect(env).toMatchObject({
    FROM_STACK: 'stack',
    SHARED: 'definition',
    DEF_ONLY: 'definition',
    OVERRIDDEN: 'override',
  });
  expect(env.JEST_WORKER_ID).toBeUndefined(); // only PATH, HOME... are inherited by default
});

test('a non-zero exit code is the container exitCode; stderr goes to the log too', async () => {
  const td = await register(
    client,
    'life-fail',
    container([process.execPath, '-e', 'console.error("boom"); process.exit(3)']),
  );
  const arn = await runOne(td);
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.stopCode).toBe('EssentialContainerExited');
  expect(stopped.containers?.[0]?.exitCode).toBe(3);
  expect(readFileSync(ecs.logFile(arn), 'utf8')).toContain('boom');
});

test('StopTask: a process that exits on SIGTERM gives 143, UserInitiated, the given reason', async () => {
  const td = await register(client, 'life-stop', container(SCRIPTS.forever()));
  const arn = await runOne(td);
  await waitForStatus(client, arn, 'RUNNING');
  const stop = await client.send(new StopTaskCommand({ task: arn, reason: 'workflow cancelled' }));
  expect(stop.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'workflow cancelled' });
  expect(stopped.containers?.[0]?.exitCode).toBe(143);
  // Stopping a stopped task is accepted and changes nothing.
  const again = await client.send(new StopTaskCommand({ task: arn, reason: 'again' }));
  expect(again.task?.stoppedReason).toBe('workflow cancelled');
});

test('StopTask: a process that ignores SIGTERM is SIGKILLed after stopTimeout (137)', async () => {
  const td = await register(client, 'life-stubborn', container(SCRIPTS.ignoreTerm(), { stopTimeout: 3 }));
  const arn = await runOne(td);
  await waitForLog(ecs, arn, 'up'); // its SIGTERM handler is installed before it prints
  const asked = Date.now();
  await client.send(new StopTaskCommand({ task: arn }));
  await waitForLog(ecs, arn, 'ignoring SIGTERM');
  const midway = await client.send(new DescribeTasksCommand({ tasks: [arn] }));
  expect(midway.tasks?.[0]?.lastStatus).toBe('STOPPING');
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.containers?.[0]?.exitCode).toBe(137);
  expect(seconds(stopped.executionStoppedAt) - asked).toBeGreaterThanOrEqual(2950);
});

test('a command that does not exist: TaskFailedToStart with CannotStartContainerError', async () => {
  const td = await register(client, 'life-nocmd', container(['/no/such/binary']));
  const arn = await runOne(td);
  const stopped = await waitForStatus(client, arn, 'STOPPED');
  expect(stopped.stopCode).toBe('TaskFailedToStart');
  expect(stopped.stoppedReason).toMatch(/^CannotStartContainerError/);
  expect(stopped.containers?.[0]?.reason).toMatch(/^CannotStartContainerError/);
  expect(stopped.containers?.[0]?.exitCode).toBeUndefined();
});

test('idempotent RunTask: same clientToken and parameters → same tasks; other parameters → ConflictException', async () => {
  const td = await register(client, 'life-idem', container(SCRIPTS.forever()));
  const params = { taskDefinition: td, clientToken: 'wf-1-launch-1', startedBy: 'wf-1' };
  const first = await client.send(new RunTaskCommand(params));
  const again = await client.send(new RunTaskCommand({ ...params, cluster: 'default' }));
  expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
  const conflict = await client.send(new RunTaskCommand({ ...params, startedBy: 'wf-2' })).catch((e) => e);
  expect(conflict.name).toBe('ConflictException');
  const other = await client.send(new RunTaskCommand({ ...params, clientToken: 'wf-1-launch-2' }));
  expect(other.tasks?.[0]?.taskArn).not.toBe(first.tasks?.[0]?.taskArn);
  expect(ecs.stats().runTask.idempotentReplays).toBe(1);
  for (const t of [...(first.tasks ?? []), ...(other.tasks ?? [])]) {
    await client.send(new StopTaskCommand({ task: t.taskArn }));
  }
});

test('tags come back on DescribeTasks with include TAGS only', async () => {
  const td = await register(client, 'life-tags', container(SCRIPTS.exit()), {
    tags: [{ key: 'from', value: 'td' }],
  });
  const arn = await runOne(td, { tags: [{ key: 'slide', value: 's-1' }], propagateTags: 'TASK_DEFINITION' });
  const plain = await client.send(new DescribeTasksCommand({ tasks: [arn] }));
  expect(plain.tasks?.[0]?.tags).toBeUndefined();
  const tagged = await client.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }));
  expect(tagged.tasks?.[0]?.tags).toEqual([
    { key: 'from', value: 'td' },
    { key: 'slide', value: 's-1' },
  ]);
});

test('STOPPED tasks stay describable for the retention period, then are MISSING', async () => {
  const brief = await startTestEcs({ retention: { stoppedTasksMs: 1000, clientTokensMs: 60_000 } });
  try {
    const c = ecsClient(brief);
    const td = await register(c, 'brief', container(SCRIPTS.exit()));
    const out = await c.send(new RunTaskCommand({ taskDefinition: td }));
    const arn = out.tasks?.[0]?.taskArn as string;
    const stopped = await waitForStatus(c, arn, 'STOPPED'); // describable once stopped
    const log = brief.logFile(arn);
    // Waits for the task to go, then checks it went no earlier than the retention period.
    const answer = await pollUntil(
      `task ${arn} to be forgotten`,
      () => c.send(new DescribeTasksCommand({ tasks: [arn] })),
      (out) => !out.tasks?.length,
    );
    expect(answer.failures).toEqual([{ arn, reason: 'MISSING' }]);
    expect(Date.now() - seconds(stopped.stoppedAt)).toBeGreaterThanOrEqual(990);
    // Its log outlives it, as CloudWatch's does.
    expect(brief.logFile(arn)).toBe(log);
    expect(existsSync(log)).toBe(true);
  } finally {
    await brief.close();
  }
});

describe('with slow phases', () => {
  let slow: LocalEcs;
  let slowClient: ECSClient;
  beforeAll(async () => {
    slow = await startTestEcs({ lifecycle: { provisioningMs: 60_000, pendingMs: 10, deprovisioningMs: 10 } });
    slowClient = ecsClient(slow);
  });
  afterAll(async () => {
    await slow?.close();
  });

  test('stopping a PROVISIONING task stops it without running its process', async () => {
    const marker = path.join(tempDir(), 'ran');
    const td = await register(
      slowClient,
      'slow',
      container([process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`]),
    );
    const out = await slowClient.send(new RunTaskCommand({ taskDefinition: td }));
    const arn = out.tasks?.[0]?.taskArn as string;
    await slowClient.send(new StopTaskCommand({ task: arn, reason: 'changed my mind' }));
    const stopped: Task = await waitForStatus(slowClient, arn, 'STOPPED');
    expect(stopped).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'changed my mind' });
    expect(stopped.startedAt).toBeUndefined();
    expect(stopped.containers?.[0]?.lastStatus).toBe('STOPPED');
    expect(stopped.containers?.[0]?.exitCode).toBeUndefined();
    expect(() => readFileSync(marker)).toThrow();
  });
});

test('close() kills every task process, grandchildren included', async () => {
  const own = await startTestEcs();
  const ownClient = ecsClient(own);
  const td = await register(ownClient, 'leaky', container(SCRIPTS.withGrandchild()));
  const out = await ownClient.send(new RunTaskCommand({ taskDefinition: td, count: 2 }));
  const arns = (out.tasks ?? []).map((t) => t.taskArn as string);
  for (const arn of arns) await waitForStatus(ownClient, arn, 'RUNNING');
  for (const arn of arns) await waitForLog(own, arn, 'grandchild ');
  const pids = arns.flatMap((arn) => {
    const m = /grandchild (\d+)/.exec(logOf(own, arn));
    return m ? [Number(m[1])] : [];
  });
  expect(pids).toHaveLength(2);
  expect(pids.every(alive)).toBe(true);
  await own.close();
  const deadline = Date.now() + 10_000; // SIGKILL is sent; give the kernel a moment to finish it
  while (pids.some(alive) && Date.now() < deadline) await sleep(25);
  expect(pids.filter(alive)).toEqual([]);
});
