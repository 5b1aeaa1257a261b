// Runs the processor as a real child process, the way the local ECS runs it, and keeps track of
// every child so a failing test cannot leak one.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** packages/processor: its sources run through tsx from here. */
const PACKAGE_ROOT = path.resolve(__dirname, '..');

export interface ProcessorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout parsed as JSON lines (the processor logs nothing else there). */
  events: Record<string, unknown>[];
  stderr: string;
}

export interface RunningProcessor {
  child: ChildProcess;
  exited: Promise<ProcessorExit>;
  /** Resolves with the first event matching `test`, or rejects if the process exits first. */
  waitFor(test: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

const running = new Set<ChildProcess>();

export function startProcessor(env: NodeJS.ProcessEnv): RunningProcessor {
  // Only what the processor needs: nothing from the developer's AWS profile leaks in.
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    ...env,
  };
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
    cwd: PACKAGE_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const events: Record<string, unknown>[] = [];
  const listeners = new Set<(e: Record<string, unknown>) => void>();
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      for (const l of listeners) l(event);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<ProcessorExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, events, stderr });
    });
  });
  return {
    child,
    exited,
    waitFor(test) {
      const seen = events.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const listener = (e: Record<string, unknown>) => {
          if (test(e)) {
            listeners.delete(listener);
            resolve(e);
          }
        };
        listeners.add(listener);
        void exited.then((x) =>
          reject(
            new Error(`processor exited (${x.code ?? x.signal}) before the awaited event:\n${x.stderr}`),
          ),
        );
      });
    },
  };
}

export async function runProcessorToExit(env: NodeJS.ProcessEnv): Promise<ProcessorExit> {
  return startProcessor(env).exited;
}

/** SIGKILLs any processor a test left running. */
export async function killAllProcessors(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
