// Runs a container's command as a local child process: no shell, its own process group (so a
// signal reaches the whole tree, as it reaches a whole container), stdout and stderr appended
// to the task's log file, memory watched against the container's hard limit.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import type { ContainerRuntime, RuntimeEvents, StopSignal } from './container-runtime';
import type { MemoryWatcher } from './proc-memory';

export interface ProcessSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  /** Hard memory limit of the process tree; undefined = unlimited. */
  hardLimitMiB?: number;
}

/** Docker's exit code for a process ended by a signal: 128 + the signal number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return number !== undefined ? 128 + number : 1;
}

class ProcessContainer implements ContainerRuntime {
  private child?: ChildProcess;
  private done = false;
  private silenced = false;
  private unwatch?: () => void;
  private readonly exitedPromise: Promise<void>;
  private markExited!: () => void;

  constructor(
    spec: ProcessSpec,
    private readonly events: RuntimeEvents,
    watcher: MemoryWatcher | undefined,
  ) {
    this.exitedPromise = new Promise((resolve) => (this.markExited = resolve));
    const [file, ...args] = spec.command;
    if (file === undefined) {
      this.fail('CannotStartContainerError: the container has no entryPoint or command to run');
      return;
    }
    let fd: number | undefined;
    try {
      mkdirSync(path.dirname(spec.logFile), { recursive: true });
      fd = openSync(spec.logFile, 'a');
      this.child = spawn(file, args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } catch (err) {
      this.fail(`CannotStartContainerError: ${(err as Error).message}`);
      return;
    } finally {
      // The child holds its own copy of the descriptor.
      if (fd !== undefined) closeSync(fd);
    }
    const child = this.child;
    child.once('spawn', () => {
      const pid = child.pid as number;
      if (spec.hardLimitMiB !== undefined && watcher) {
        this.unwatch = watcher.watch(pid, spec.hardLimitMiB * 1024 * 1024, () => {
          if (!this.silenced) events.memoryExceeded();
        });
      }
      if (!this.silenced) events.started(randomBytes(32).toString('hex'));
    });
    child.once('error', (err) => {
      if (child.pid === undefined) this.fail(`CannotStartContainerError: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      if (child.pid === undefined) return; // a failed spawn, already reported
      this.done = true;
      this.unwatch?.();
      // Docker ends every process of a container with its main process: do the same.
      this.killGroup('SIGKILL');
      this.markExited();
      if (!this.silenced) events.exited(exitCodeOf(code, signal));
    });
  }

  private fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.markExited();
    // Reported asynchronously, like every other runtime event.
    setImmediate(() => {
      if (!this.silenced) this.events.startFailed(reason);
    });
  }

  private killGroup(sig: StopSignal): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // No group (yet, or any more): signal the process itself.
      try {
        this.child?.kill(sig);
      } catch {
        // already gone
      }
    }
  }

  signal(sig: StopSignal): void {
    if (!this.done) this.killGroup(sig);
  }

  async destroy(): Promise<void> {
    this.silenced = true;
    this.unwatch?.();
    if (!this.done) this.killGroup('SIGKILL');
    await this.exitedPromise;
  }

  /** Synchronous last resort when the host process itself exits. */
  killNow(): void {
    if (!this.done) this.killGroup('SIGKILL');
  }
}

export function startProcess(
  spec: ProcessSpec,
  events: RuntimeEvents,
  watcher?: MemoryWatcher,
): ContainerRuntime {
  return new ProcessContainer(spec, events, watcher);
}
