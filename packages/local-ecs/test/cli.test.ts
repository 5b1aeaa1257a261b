// The CLI as a user runs it: a process that prints its endpoint, serves the SDK, and stops
// its tasks on SIGTERM; a bad config stops it with a message naming the field.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeClustersCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { alive, container, ecsClient, register, SCRIPTS, sleep, tempDir, waitForStatus } from './helpers';

// The package's own command, as `npx local-ecs` runs it.
const BIN = path.resolve(__dirname, '../bin/local-ecs.js');

function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`CLI exited ${code}: ${stderr}`)));
  });
  return { child, endpoint, exited, output: () => ({ stdout, stderr }) };
}

test('local-ecs --port 0 --config: serves the SDK, and SIGTERM stops its tasks and exits 0', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'local-ecs.json');
  writeFileSync(
    config,
    JSON.stringify({
      clusters: [{ name: 'cli', cpu: 1024, memory: 2048 }],
      lifecycle: { provisioningMs: 10, pendingMs: 10, deprovisioningMs: 10 },
      logDir: path.join(dir, 'logs'),
    }),
  );
  const cli = startCli(['--port', '0', '--config', config]);
  let logFile: string | undefined;
  try {
    const endpoint = await cli.endpoint;
    expect(cli.output().stdout).toContain(`AWS_ENDPOINT_URL_ECS=${endpoint}`);
    const client = ecsClient({ endpoint });
    const out = await client.send(new DescribeClustersCommand({ clusters: ['cli'] }));
    expect(out.clusters?.[0]?.clusterName).toBe('cli');
    const td = await register(client, 'cli-task', container(SCRIPTS.withGrandchild()));
    const run = await client.send(new RunTaskCommand({ cluster: 'cli', taskDefinition: td }));
    const arn = run.tasks?.[0]?.taskArn as string;
    await waitForStatus(client, arn, 'RUNNING', { cluster: 'cli' });
    const res = await fetch(`${endpoint}/_local-ecs/tasks?cluster=cli`);
    const { tasks } = (await res.json()) as { tasks: { logFile: string }[] };
    logFile = tasks[0]?.logFile as string;
    expect(logFile).toBe(path.join(dir, 'logs', 'cli', `${arn.split('/').pop()}.log`));
    // Wait for the task's own child to exist before stopping everything.
    const deadline = Date.now() + 10_000;
    while (!/grandchild (\d+)/.test(readFileSync(logFile, 'utf8')) && Date.now() < deadline) await sleep(25);
  } finally {
    cli.child.kill('SIGTERM');
  }
  expect(await cli.exited).toBe(0);
  // The task's own child was killed with it.
  const grandchild = Number(/grandchild (\d+)/.exec(readFileSync(logFile as string, 'utf8'))?.[1]);
  expect(grandchild).toBeGreaterThan(0);
  const deadline = Date.now() + 10_000; // SIGKILL is sent; give the kernel a moment to finish it
  while (alive(grandchild) && Date.now() < deadline) await sleep(25);
  expect(alive(grandchild)).toBe(false);
});

test('a bad config file stops it with a message naming the field', async () => {
  const config = path.join(tempDir(), 'bad.json');
  writeFileSync(config, JSON.stringify({ rateLimits: { runTask: { burst: -1, perSecond: 1 } } }));
  const cli = startCli(['--config', config]);
  await expect(cli.endpoint).rejects.toThrow(/rateLimits\.runTask/);
  expect(await cli.exited).toBe(1);
});
