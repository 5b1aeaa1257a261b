// A cluster's finite CPU units and MiB. Tasks reserve what they ask for while not STOPPED;
// resizing changes only what later launches see, so a shrink below the reserved amount
// leaves running tasks alone and simply blocks new ones.

export type PlacementFailure = 'RESOURCE:CPU' | 'RESOURCE:MEMORY';

export interface CapacityView {
  registeredCpu: number;
  registeredMemory: number;
  reservedCpu: number;
  reservedMemory: number;
  /** Never negative, even after a shrink below the reserved amount. */
  remainingCpu: number;
  remainingMemory: number;
}

export class ClusterCapacity {
  private reservedCpu = 0;
  private reservedMemory = 0;

  constructor(
    private registeredCpu: number,
    private registeredMemory: number,
  ) {}

  /** Reserves cpu/memory, or says which resource is short (CPU is checked first, as ECS lists it). */
  tryReserve(cpu: number, memory: number): PlacementFailure | undefined {
    if (this.reservedCpu + cpu > this.registeredCpu) return 'RESOURCE:CPU';
    if (this.reservedMemory + memory > this.registeredMemory) return 'RESOURCE:MEMORY';
    this.reservedCpu += cpu;
    this.reservedMemory += memory;
    return undefined;
  }

  release(cpu: number, memory: number): void {
    this.reservedCpu = Math.max(0, this.reservedCpu - cpu);
    this.reservedMemory = Math.max(0, this.reservedMemory - memory);
  }

  resize(change: { cpu?: number; memory?: number }): void {
    if (change.cpu !== undefined) this.registeredCpu = change.cpu;
    if (change.memory !== undefined) this.registeredMemory = change.memory;
  }

  view(): CapacityView {
    return {
      registeredCpu: this.registeredCpu,
      registeredMemory: this.registeredMemory,
      reservedCpu: this.reservedCpu,
      reservedMemory: this.reservedMemory,
      remainingCpu: Math.max(0, this.registeredCpu - this.reservedCpu),
      remainingMemory: Math.max(0, this.registeredMemory - this.reservedMemory),
    };
  }
}
