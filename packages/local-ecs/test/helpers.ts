// Shared set-up for the local ECS tests: a server with fast phases and no rate limits (unless
// a test asks), the real SDK client pointed at it, and small node scripts as containers.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { startLocalEcs, type LocalEcs, type LocalEcsHooks, type LocalEcsOptions } from '../src';

export const FAST_LIFECYCLE = { provisioningMs: 20, pendingMs: 20, deprovisioningMs: 20 };
export const NO_RATE_LIMITS = { runTask: false, taskLaunch: false, describeTasks: false } as const;

export const tempDir = (prefix = 'local-ecs-test-'): string => mkdtempSync(path.join(tmpdir(), prefix));

export async function startTestEcs(
  options: LocalEcsOptions = {},
  hooks: LocalEcsHooks = {},
): Promise<LocalEcs> {
  return startLocalEcs(
    {
      lifecycle: FAST_LIFECYCLE,
      rateLimits: NO_RATE_LIMITS,
      logDir: path.join(tempDir(), 'logs'),
      memoryPollMs: 50,
      spotWarningMs: 500,
      ...options,
    },
    hooks,
  );
}

/** The real SDK client; no retries, so throttling and errors reach the test as they are. */
export function ecsClient(ecs: { endpoint: string }): ECSClient {
  return new ECSClient({
    endpoint: ecs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Reads `read()` every 25 ms until `done` holds, and returns what it read: how these tests wait
 * for an event instead of guessing how long a loaded machine takes. Fails naming `what` and the
 * last value read.
 */
export async function pollUntil<T>(
  what: string,
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    }
    await sleep(25);
  }
}

/** Polls DescribeTasks until `done(task)` holds. */
export async function waitForTask(
  client: ECSClient,
  taskArn: string,
  done: (t: Task) => boolean,
  opts: { cluster?: string; timeoutMs?: number; include?: 'TAGS'[] } = {},
): Promise<Task> {
  const describe = async () =>
    (
      await client.send(
        new DescribeTasksCommand({ cluster: opts.cluster, tasks: [taskArn], include: opts.include }),
      )
    ).tasks?.[0];
  const task = await pollUntil(
    `task ${taskArn} to reach the expected state`,
    describe,
    (t) => t !== undefined && done(t),
    opts.timeoutMs,
  );
  return task as Task;
}

export const waitForStatus = (
  client: ECSClient,
  taskArn: string,
  status: string,
  opts: { cluster?: string; timeoutMs?: number } = {},
): Promise<Task> => waitForTask(client, taskArn, (t) => t.lastStatus === status, opts);

/** The task's log so far; empty until its process starts and creates the file. */
export function logOf(ecs: LocalEcs, taskArn: string): string {
  try {
    return readFileSync(ecs.logFile(taskArn), 'utf8');
  } catch {
    return '';
  }
}

/** Waits until a task's log holds `text`, such as a script's line saying its SIGTERM handler is in. */
export async function waitForLog(ecs: LocalEcs, taskArn: string, text: string): Promise<void> {
  await pollUntil(
    `task ${taskArn} to log ${JSON.stringify(text)}`,
    () => logOf(ecs, taskArn).includes(text),
    (logged) => logged,
  );
}

const scriptsDir = tempDir('local-ecs-scripts-');

/** Writes a node script and returns the container command that runs it. */
export function nodeScript(name: string, source: string): string[] {
  const file = path.join(scriptsDir, `${name}.js`);
  writeFileSync(file, source);
  return [process.execPath, file];
}

export const SCRIPTS = {
  /** Sleeps SLEEP_MS (default 0), then exits with EXIT_CODE (default 0). */
  exit: () =>
    nodeScript(
      'exit',
      `setTimeout(() => process.exit(Number(process.env.EXIT_CODE || 0)), Number(process.env.SLEEP_MS || 0));`,
    ),
  /** Runs until signalled; default SIGTERM handling (dies: 143). */
  forever: () => nodeScript('forever', `console.log('up'); setInterval(() => {}, 1000);`),
  /** Ignores SIGTERM: only SIGKILL ends it. */
  ignoreTerm: () =>
    nodeScript(
      'ignore-term',
      `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => {}, 1000);`,
    ),
  /** Prints its environment and working directory as JSON, then exits 0. */
  printEnv: () =>
    nodeScript('print-env', `console.log(JSON.stringify({ env: process.env, cwd: process.cwd() }));`),
  /** Allocates 8 MiB every 10 ms (touching the pages) up to 1 GiB, then holds. */
  hog: () =>
    nodeScript(
      'hog',
      `const held = []; setInterval(() => { if (held.length < 128) held.push(Buffer.alloc(8 * 1024 * 1024, 1)); }, 10);`,
    ),
  /** Starts a grandchild that sleeps, prints its pid, then runs forever. */
  withGrandchild: () =>
    nodeScript(
      'with-grandchild',
      `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       console.log('grandchild ' + c.pid); setInterval(() => {}, 1000);`,
    ),
};

/** A container definition running `command` locally. */
export function container(command: string[], extra: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return { name: 'main', image: 'local/node:20', command, memory: 256, essential: true, ...extra };
}

/** Registers a one-container definition; returns its ARN. */
export async function register(
  client: ECSClient,
  family: string,
  containerDef: ContainerDefinition,
  extra: Partial<RegisterTaskDefinitionCommandInput> = {},
): Promise<string> {
  const out = await client.send(
    new RegisterTaskDefinitionCommand({ family, containerDefinitions: [containerDef], ...extra }),
  );
  return out.taskDefinition?.taskDefinitionArn as string;
}

/** A simulated container: no process, behaviour from SIM_* variables. */
export function simulatedContainer(
  env: Record<string, string> = {},
  extra: Partial<ContainerDefinition> = {},
) {
  return container([], {
    dockerLabels: { 'local-ecs.simulated': 'true' },
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    ...extra,
  });
}

/** True while a process with this pid exists and is not a zombie awaiting its reaper. */
/** The container of an OOM-killed task, as ECS reports it. */
export const OOM_KILLED_CONTAINER = {
  exitCode: 137,
  reason: 'OutOfMemoryError: Container killed due to memory usage',
} as const;

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
