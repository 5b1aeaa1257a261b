// A worker as its own OS process (`slides worker`), so tests can SIGKILL or SIGTERM it the way
// production loses workers.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../dev/tools/binaries';

export interface WorkerProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `slides worker` with the given environment; resolves once it polls its queues. */
export async function startWorkerProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'slides.js'), 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const handle: WorkerProcess = {
    child,
    output: () => output,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!/^worker: /m.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`worker exited before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      handle.kill('SIGKILL');
      throw new Error(`worker not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle;
}

/** SIGTERMs every worker and waits until all have exited. */
export async function stopWorkerProcesses(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}
