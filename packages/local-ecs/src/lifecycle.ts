// One task's way through ECS's states: PROVISIONING → PENDING (image pull) → RUNNING →
// STOPPING (containers told to stop) → DEPROVISIONING → STOPPED. Every step is a timer or a
// container event, never a poll. Faults assigned at launch change the way (never leave
// PROVISIONING, fail the pull, get interrupted after some time RUNNING).
import type { StopCode } from './config';
import { OOM_REASON, type ContainerRuntime, type RuntimeEvents } from './container-runtime';
import type { TaskRecord, ContainerState, TaskStatus } from './task';
import type { Cancel, Timers } from './timers';

export interface LifecycleTimings {
  provisioningMs: number;
  pendingMs: number;
  deprovisioningMs: number;
}

export interface LifecycleEnv {
  timers: Timers;
  timings: LifecycleTimings;
  /** Default SIGTERM → SIGKILL delay of a spot interruption. */
  spotWarningMs: number;
  /** Starts a container (process or simulated). */
  launch(task: TaskRecord, container: ContainerState, events: RuntimeEvents): ContainerRuntime;
  /** The task reached STOPPED: its capacity can be released. */
  stopped(task: TaskRecord): void;
}

export interface StopRequest {
  stopCode: StopCode;
  reason: string;
  /** SIGTERM → SIGKILL delay; default each container's stopTimeout. */
  killAfterMs?: number;
}

/** Default stoppedReason of each stop code. */
export const STOPPED_REASONS: Record<StopCode, string> = {
  EssentialContainerExited: 'Essential container in task exited',
  TaskFailedToStart: 'Task failed to start',
  UserInitiated: 'Task stopped by user',
  SpotInterruption: 'Your Spot Task was interrupted.',
  ServiceSchedulerInitiated: 'Task stopped by the service scheduler',
  TerminationNotice: 'Task stopped because the underlying infrastructure received a termination notice',
  InfrastructureHealth: 'Task stopped because the underlying infrastructure was unhealthy',
};

export class TaskLifecycle {
  /** The pending provisioning/pull/deprovisioning step. */
  private phase?: Cancel;
  /** Fault timers and SIGKILL deadlines; all cancelled once the task stops. */
  private readonly cancels = new Set<Cancel>();

  constructor(
    readonly task: TaskRecord,
    private readonly env: LifecycleEnv,
  ) {}

  private now(): number {
    return Date.now();
  }

  private later(ms: number, fn: () => void): void {
    const cancel = this.env.timers.after(ms, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
  }

  private setStatus(status: TaskStatus): void {
    this.task.lastStatus = status;
    this.task.version += 1;
  }

  start(): void {
    const fault = this.task.fault;
    if (fault?.type === 'stuck' && fault.status === 'PROVISIONING') return;
    this.phase = this.env.timers.after(this.env.timings.provisioningMs, () => this.enterPending());
  }

  private enterPending(): void {
    this.phase = undefined;
    const t = this.now();
    this.task.pullStartedAt = t;
    if (this.task.eni) this.task.connectivityAt = t;
    this.setStatus('PENDING');
    const fault = this.task.fault;
    if (fault?.type === 'stuck' && fault.status === 'PENDING') return;
    this.phase = this.env.timers.after(this.env.timings.pendingMs, () => this.afterPull());
  }

  private afterPull(): void {
    this.phase = undefined;
    const fault = this.task.fault;
    if (fault?.type === 'failToStart') {
      this.failStart(fault.reason);
      return;
    }
    this.task.pullStoppedAt = this.now();
    for (const c of this.task.containers) {
      if (this.task.desiredStatus !== 'RUNNING') break;
      c.runtime = this.env.launch(this.task, c, this.eventsFor(c));
    }
  }

  private eventsFor(c: ContainerState): RuntimeEvents {
    return {
      started: (runtimeId) => {
        if (c.lastStatus !== 'PENDING') return;
        c.lastStatus = 'RUNNING';
        c.runtimeId = runtimeId;
        this.task.version += 1;
        // RUNNING once no container is still starting (a quick non-essential one may be done).
        const starting = this.task.containers.some((o) => o.lastStatus === 'PENDING');
        if (!starting && this.task.lastStatus === 'PENDING' && this.task.desiredStatus === 'RUNNING') {
          this.enterRunning();
        }
      },
      startFailed: (reason) => {
        c.lastStatus = 'STOPPED';
        c.reason = reason;
        c.runtime = undefined;
        this.task.version += 1;
        if (this.task.desiredStatus === 'RUNNING') this.beginStop({ stopCode: 'TaskFailedToStart', reason });
        else this.maybeFinish();
      },
      exited: (exitCode) => this.containerExited(c, exitCode),
      memoryExceeded: () => this.oomKill(c),
    };
  }

  private enterRunning(): void {
    this.task.startedAt = this.now();
    this.task.connectivityAt ??= this.task.startedAt;
    this.setStatus('RUNNING');
    const fault = this.task.fault;
    if (!fault) return;
    if (fault.type === 'spotInterruption') {
      this.later(fault.afterRunningMs, () => this.interrupt(fault.warningMs));
    } else if (fault.type === 'oom') {
      this.later(fault.afterRunningMs, () => this.forceOom());
    } else if (fault.type === 'stop') {
      this.later(fault.afterRunningMs, () =>
        this.requestStop({
          stopCode: fault.stopCode,
          reason: fault.reason ?? STOPPED_REASONS[fault.stopCode],
          killAfterMs: fault.killAfterMs,
        }),
      );
    }
  }

  private containerExited(c: ContainerState, exitCode: number): void {
    if (c.lastStatus === 'STOPPED') return;
    c.lastStatus = 'STOPPED';
    c.exitCode = exitCode;
    if (c.oomKilled) c.reason = OOM_REASON;
    this.task.version += 1;
    if (this.task.desiredStatus === 'RUNNING' && c.spec.essential) {
      this.beginStop({
        stopCode: 'EssentialContainerExited',
        reason: STOPPED_REASONS.EssentialContainerExited,
      });
    } else {
      this.maybeFinish();
    }
  }

  /** Stops the task unless it is already stopping; the first stop's code and reason stick. */
  requestStop(req: StopRequest): boolean {
    if (this.task.desiredStatus === 'STOPPED') return false;
    this.beginStop(req);
    return true;
  }

  /** A spot interruption: SIGTERM now, SIGKILL after the warning period. */
  interrupt(warningMs?: number): boolean {
    return this.requestStop({
      stopCode: 'SpotInterruption',
      reason: STOPPED_REASONS.SpotInterruption,
      killAfterMs: warningMs ?? this.env.spotWarningMs,
    });
  }

  /** Kills the first essential running container as the kernel's OOM killer would. */
  forceOom(): boolean {
    const c = this.task.containers.find((o) => o.spec.essential && o.lastStatus === 'RUNNING' && o.runtime);
    if (!c) return false;
    this.oomKill(c);
    return true;
  }

  /**
   * Fails a task that has not started its containers yet (TaskFailedToStart); the default
   * reason is the image pull error ECS reports for a missing image.
   */
  failStart(reason?: string): boolean {
    const t = this.task;
    if (t.desiredStatus === 'STOPPED' || t.containers.some((c) => c.runtime)) return false;
    const image = t.containers[0]?.spec.image ?? 'image';
    this.beginStop({
      stopCode: 'TaskFailedToStart',
      reason:
        reason ??
        `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`,
    });
    return true;
  }

  private oomKill(c: ContainerState): void {
    if (c.lastStatus === 'STOPPED' || !c.runtime) return;
    c.oomKilled = true;
    c.runtime.signal('SIGKILL');
  }

  private beginStop(req: StopRequest): void {
    const t = this.task;
    if (t.desiredStatus !== 'STOPPED') {
      t.desiredStatus = 'STOPPED';
      t.stoppingAt = this.now();
      t.stopCode = req.stopCode;
      t.stoppedReason = req.reason;
      t.version += 1;
    }
    this.phase?.();
    this.phase = undefined;
    let live = false;
    for (const c of t.containers) {
      if (c.lastStatus === 'STOPPED') continue;
      if (c.runtime) {
        live = true;
        this.terminate(c, c.runtime, req.killAfterMs ?? c.stopTimeoutMs);
      } else {
        // Never started: it stops without an exit code, with the start failure as its reason.
        c.lastStatus = 'STOPPED';
        if (req.stopCode === 'TaskFailedToStart') c.reason ??= req.reason;
      }
    }
    if (live && (t.lastStatus === 'RUNNING' || t.lastStatus === 'PENDING')) this.setStatus('STOPPING');
    this.maybeFinish();
  }

  private terminate(c: ContainerState, runtime: ContainerRuntime, killAfterMs: number): void {
    runtime.signal('SIGTERM');
    this.later(killAfterMs, () => {
      if (c.lastStatus !== 'STOPPED') runtime.signal('SIGKILL');
    });
  }

  private maybeFinish(): void {
    const t = this.task;
    if (t.desiredStatus !== 'STOPPED' || t.lastStatus === 'DEPROVISIONING' || t.lastStatus === 'STOPPED') {
      return;
    }
    if (t.containers.some((c) => c.lastStatus !== 'STOPPED')) return;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    t.executionStoppedAt = this.now();
    this.setStatus('DEPROVISIONING');
    this.phase = this.env.timers.after(this.env.timings.deprovisioningMs, () => {
      this.phase = undefined;
      t.stoppedAt = this.now();
      this.setStatus('STOPPED');
      this.env.stopped(t);
    });
  }

  /** Kills every container now, with no further state changes (server shutdown). */
  async destroy(): Promise<void> {
    this.phase?.();
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    await Promise.all(this.task.containers.map((c) => c.runtime?.destroy()));
  }
}
