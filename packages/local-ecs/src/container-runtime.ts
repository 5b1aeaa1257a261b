// What the task lifecycle needs from a running container, whether a real child process or a
// simulated one: a way to signal it, and events back.

export type StopSignal = 'SIGTERM' | 'SIGKILL';

export interface ContainerRuntime {
  /** Signals the container (its whole process group for a real process). */
  signal(sig: StopSignal): void;
  /** Kills everything at once and reports no exit (server shutdown); resolves once it is gone. */
  destroy(): Promise<void>;
  /** Synchronous SIGKILL, for when the host process itself is exiting (processes only). */
  killNow?(): void;
  /** Runs its remaining work `factor` times slower (contention; simulated containers only). */
  setSlowdown?(factor: number): void;
}

export interface RuntimeEvents {
  started(runtimeId: string): void;
  /** The container never ran; `reason` is what ECS puts in the container reason. */
  startFailed(reason: string): void;
  exited(exitCode: number): void;
  /** Memory use went over the container's hard limit. */
  memoryExceeded(): void;
}

/** Exit code Docker reports for a process killed by a signal: 128 + its number. */
export const SIGTERM_EXIT = 143;
export const SIGKILL_EXIT = 137;
export const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
