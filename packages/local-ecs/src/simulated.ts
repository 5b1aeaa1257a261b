// Simulated containers: no process, only timers, so a benchmark can run thousands of tasks on
// two cores. The container's environment (definition + overrides) says what it does, so each
// task of one definition can behave differently.
import { randomBytes } from 'node:crypto';
import {
  SIGKILL_EXIT,
  type ContainerRuntime,
  type RuntimeEvents,
  type StopSignal,
} from './container-runtime';
import { StretchableTimer } from './stretchable-timer';
import type { Cancel, Timers } from './timers';

/** Environment variables a simulated container reads. */
export const SIM_ENV = {
  /** How long it runs before exiting on its own (default: config simulated.defaultDurationMs). */
  durationMs: 'SIM_DURATION_MS',
  /** Its exit code when it finishes on its own (default 0). */
  exitCode: 'SIM_EXIT_CODE',
  /** "true": SIGTERM is ignored, so only SIGKILL (exit 137) ends it. */
  ignoreSigterm: 'SIM_IGNORE_SIGTERM',
  /** Time between SIGTERM and its exit, e.g. a last checkpoint (default 0). */
  sigtermDelayMs: 'SIM_SIGTERM_DELAY_MS',
  /** Exit code after SIGTERM (default 143). */
  sigtermExitCode: 'SIM_SIGTERM_EXIT_CODE',
  /** Peak memory it reaches; above the container's hard limit it is OOM-killed. */
  memoryMiB: 'SIM_MEMORY_MIB',
  /** When it reaches that peak, from its start (default half its duration). */
  memoryAfterMs: 'SIM_MEMORY_AFTER_MS',
} as const;

export interface SimulationPlan {
  durationMs: number;
  exitCode: number;
  ignoreSigterm: boolean;
  sigtermDelayMs: number;
  sigtermExitCode: number;
  memoryMiB?: number;
  memoryAfterMs: number;
}

/** The plan from a container's environment, or an error message naming the bad variable. */
export function simulationPlan(
  env: Record<string, string>,
  defaultDurationMs: number,
): SimulationPlan | string {
  const number = (name: string, fallback: number, integer = false): number | string => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      return `${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`;
    }
    return value;
  };
  const durationMs = number(SIM_ENV.durationMs, defaultDurationMs);
  const exitCode = number(SIM_ENV.exitCode, 0, true);
  const sigtermDelayMs = number(SIM_ENV.sigtermDelayMs, 0);
  const sigtermExitCode = number(SIM_ENV.sigtermExitCode, 143, true);
  const memoryMiB = number(SIM_ENV.memoryMiB, -1);
  for (const v of [durationMs, exitCode, sigtermDelayMs, sigtermExitCode, memoryMiB]) {
    if (typeof v === 'string') return v;
  }
  const duration = durationMs as number;
  const memoryAfterMs = number(SIM_ENV.memoryAfterMs, duration / 2);
  if (typeof memoryAfterMs === 'string') return memoryAfterMs;
  return {
    durationMs: duration,
    exitCode: exitCode as number,
    ignoreSigterm: env[SIM_ENV.ignoreSigterm] === 'true',
    sigtermDelayMs: sigtermDelayMs as number,
    sigtermExitCode: sigtermExitCode as number,
    memoryMiB: (memoryMiB as number) >= 0 ? (memoryMiB as number) : undefined,
    memoryAfterMs,
  };
}

class SimulatedContainer implements ContainerRuntime {
  private done = false;
  private terminating = false;
  private readonly cancels: Cancel[] = [];
  /** Its exit and memory peak, which contention can stretch. */
  private readonly work: StretchableTimer[] = [];
  private slowdown = 1;

  constructor(
    private readonly plan: SimulationPlan,
    private readonly events: RuntimeEvents,
    private readonly timers: Timers,
    hardLimitMiB: number | undefined,
  ) {
    // Start on the next turn, as a process would, so the lifecycle sees the same ordering.
    this.later(0, () => {
      events.started(randomBytes(32).toString('hex'));
      this.afterWork(plan.durationMs, () => this.exit(plan.exitCode));
      if (plan.memoryMiB !== undefined && hardLimitMiB !== undefined && plan.memoryMiB > hardLimitMiB) {
        this.afterWork(Math.min(plan.memoryAfterMs, plan.durationMs), () => events.memoryExceeded());
      }
    });
  }

  private later(ms: number, fn: () => void): void {
    this.cancels.push(
      this.timers.after(ms, () => {
        if (!this.done) fn();
      }),
    );
  }

  private afterWork(workMs: number, fn: () => void): void {
    this.work.push(
      new StretchableTimer(this.timers, workMs, this.slowdown, () => {
        if (!this.done) fn();
      }),
    );
  }

  setSlowdown(factor: number): void {
    this.slowdown = factor;
    for (const w of this.work) w.setSlowdown(factor);
  }

  private stopAll(): void {
    this.done = true;
    for (const cancel of this.cancels) cancel();
    for (const w of this.work) w.stop();
  }

  private exit(code: number): void {
    if (this.done) return;
    this.stopAll();
    this.events.exited(code);
  }

  signal(sig: StopSignal): void {
    if (this.done) return;
    if (sig === 'SIGKILL') {
      this.later(0, () => this.exit(SIGKILL_EXIT));
      return;
    }
    if (this.terminating || this.plan.ignoreSigterm) return;
    this.terminating = true;
    this.later(this.plan.sigtermDelayMs, () => this.exit(this.plan.sigtermExitCode));
  }

  destroy(): Promise<void> {
    this.stopAll();
    return Promise.resolve();
  }
}

export function startSimulated(
  plan: SimulationPlan,
  events: RuntimeEvents,
  timers: Timers,
  hardLimitMiB: number | undefined,
): ContainerRuntime {
  return new SimulatedContainer(plan, events, timers, hardLimitMiB);
}
