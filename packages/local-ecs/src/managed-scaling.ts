// A simulated EC2 capacity provider with managed scaling, for one cluster. RunTask through the
// provider never fails for lack of room: a task that does not fit waits in PROVISIONING, the
// provider launches instances for the waiting tasks after `scaleOutDelayMs` (up to
// `maxInstances`), and a task still waiting after `provisioningTimeoutMs` stops with
// TaskFailedToStart. An instance idle for `scaleInIdleMs` is removed, never one holding a task
// (managed termination protection), and never below `minInstances`.
import type { PlacementFailure } from './capacity';
import type { ClusterState } from './clusters';
import type { CapacityProviderSettings } from './config';
import { newInstanceId, type ContainerInstanceState } from './container-instances';
import type { TaskRecord } from './task';
import type { Cancel, Timers } from './timers';

export interface ScalingHooks {
  /** The task got room on `instance`: it leaves PROVISIONING's wait and starts its lifecycle. */
  placed(task: TaskRecord, instance: ContainerInstanceState): void;
  /** The task waited too long: stop it with TaskFailedToStart and this reason. */
  timedOut(task: TaskRecord, reason: string): void;
}

export interface ScalingCounts {
  waitingForCapacity: number;
  scaleOuts: number;
  scaleIns: number;
}

export class ManagedScalingSimulation {
  /** Tasks waiting for room, oldest first. */
  private waiting: TaskRecord[] = [];
  private readonly timeouts = new Map<string, Cancel>();
  private readonly idleTimers = new Map<string, Cancel>();
  private scaleOut?: Cancel;
  private scaleOuts = 0;
  private scaleIns = 0;

  constructor(
    private readonly cluster: ClusterState,
    private readonly settings: CapacityProviderSettings,
    private readonly timers: Timers,
    private readonly hooks: ScalingHooks,
  ) {
    for (let i = 0; i < settings.initialInstances; i += 1) this.launchInstance();
    for (const instance of cluster.instances.values()) this.watchIdle(instance);
  }

  private launchInstance(): ContainerInstanceState {
    return this.cluster.addInstance(newInstanceId(), this.settings.instanceCpu, this.settings.instanceMemory);
  }

  get hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  /** A task RunTask accepted without room: it waits, and the provider scales out for it. */
  enqueue(task: TaskRecord): void {
    this.waiting.push(task);
    this.timeouts.set(
      task.id,
      this.timers.after(this.settings.provisioningTimeoutMs, () => {
        this.forget(task);
        this.hooks.timedOut(task, `TaskFailedToStart: ${this.shortFor(task)}`);
      }),
    );
    this.requestScaleOut();
  }

  /** The task stopped (or was placed): it no longer waits. */
  forget(task: TaskRecord): void {
    this.waiting = this.waiting.filter((t) => t !== task);
    this.timeouts.get(task.id)?.();
    this.timeouts.delete(task.id);
  }

  /** Room may have appeared (a task stopped, instances joined): place whoever fits, in order. */
  drain(): void {
    for (const task of [...this.waiting]) {
      if (task.desiredStatus !== 'RUNNING') {
        this.forget(task);
        continue;
      }
      const placed = this.cluster.place(task.reservedCpu, task.reservedMemory);
      if (typeof placed === 'string') continue;
      this.cluster.attach(task, placed);
      this.forget(task);
      this.watchIdle(placed);
      this.hooks.placed(task, placed);
    }
    if (this.waiting.length > 0) this.requestScaleOut();
  }

  /** Called when an instance's tasks change: idle instances are removed after a while. */
  watchIdle(instance: ContainerInstanceState): void {
    const idle = instance.taskIds.size === 0;
    const timer = this.idleTimers.get(instance.id);
    if (!idle) {
      timer?.();
      this.idleTimers.delete(instance.id);
      return;
    }
    if (timer) return;
    this.idleTimers.set(
      instance.id,
      this.timers.after(this.settings.scaleInIdleMs, () => {
        this.idleTimers.delete(instance.id);
        // Termination protection: only an instance still without tasks goes.
        if (instance.taskIds.size > 0 || this.cluster.instances.size <= this.settings.minInstances) return;
        this.cluster.removeInstance(instance.id);
        this.scaleIns += 1;
      }),
    );
  }

  /** What is short for a waiting task: on an empty instance of the provider's size, or now. */
  private shortFor(task: TaskRecord): PlacementFailure {
    if (task.reservedCpu > this.settings.instanceCpu) return 'RESOURCE:CPU';
    if (task.reservedMemory > this.settings.instanceMemory) return 'RESOURCE:MEMORY';
    let short: PlacementFailure | undefined;
    for (const i of this.cluster.instances.values()) {
      short ??= i.capacity.shortOf(task.reservedCpu, task.reservedMemory);
    }
    return short ?? 'RESOURCE:MEMORY';
  }

  /** Instances needed to hold the waiting tasks that fit an instance at all (first fit). */
  private instancesNeeded(): number {
    const bins: { cpu: number; memory: number }[] = [];
    const { instanceCpu, instanceMemory } = this.settings;
    for (const t of this.waiting) {
      if (t.reservedCpu > instanceCpu || t.reservedMemory > instanceMemory) continue;
      let bin = bins.find(
        (b) => b.cpu + t.reservedCpu <= instanceCpu && b.memory + t.reservedMemory <= instanceMemory,
      );
      if (!bin) {
        bin = { cpu: 0, memory: 0 };
        bins.push(bin);
      }
      bin.cpu += t.reservedCpu;
      bin.memory += t.reservedMemory;
    }
    return bins.length;
  }

  private requestScaleOut(): void {
    if (this.scaleOut) return;
    const room = this.settings.maxInstances - this.cluster.instances.size;
    if (room <= 0 || this.instancesNeeded() === 0) return;
    this.scaleOut = this.timers.after(this.settings.scaleOutDelayMs, () => {
      this.scaleOut = undefined;
      // Count again: tasks may have been placed or stopped meanwhile.
      const n = Math.min(this.instancesNeeded(), this.settings.maxInstances - this.cluster.instances.size);
      const added: ContainerInstanceState[] = [];
      for (let i = 0; i < n; i += 1) added.push(this.launchInstance());
      if (n > 0) this.scaleOuts += 1;
      this.drain();
      for (const instance of added) this.watchIdle(instance);
    });
  }

  counts(): ScalingCounts {
    return {
      waitingForCapacity: this.waiting.length,
      scaleOuts: this.scaleOuts,
      scaleIns: this.scaleIns,
    };
  }
}
