// A container instance's finite CPU units and MiB. Tasks reserve what they ask for while not
// STOPPED; resizing changes only what later launches see, so a shrink below the reserved
// amount leaves running tasks alone and simply blocks new ones. With an over-commit factor
// above 1 (contention mode), reservations are soft, as on EC2 without hard limits: tasks are
// placed until the reserved amount reaches registered × factor.

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
    private readonly overcommit = 1,
  ) {}

  /** Which resource is short for cpu/memory now, if any (CPU is checked first, as ECS lists it). */
  shortOf(cpu: number, memory: number): PlacementFailure | undefined {
    if (this.reservedCpu + cpu > this.registeredCpu * this.overcommit) return 'RESOURCE:CPU';
    if (this.reservedMemory + memory > this.registeredMemory * this.overcommit) return 'RESOURCE:MEMORY';
    return undefined;
  }

  /** Reserves cpu/memory, or says which resource is short. */
  tryReserve(cpu: number, memory: number): PlacementFailure | undefined {
    const short = this.shortOf(cpu, memory);
    if (short) return short;
    this.reservedCpu += cpu;
    this.reservedMemory += memory;
    return undefined;
  }

  /** Reserved / registered for each resource (above 1 when over-committed). */
  commitRatio(): { cpu: number; memory: number } {
    const ratio = (reserved: number, registered: number) =>
      registered > 0 ? reserved / registered : reserved > 0 ? Infinity : 0;
    return {
      cpu: ratio(this.reservedCpu, this.registeredCpu),
      memory: ratio(this.reservedMemory, this.registeredMemory),
    };
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
