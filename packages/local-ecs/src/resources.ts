// CPU units and MiB as ECS reads them from task definitions and overrides, and the Fargate
// cpu/memory pairs ECS accepts.

/** `"1024"`, `"1 vCPU"`, `".25 vcpu"` → CPU units; undefined when not a valid value. */
export function parseCpu(value: string): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^(\d*\.?\d+)\s*vcpu$/i.exec(v);
  return m ? Math.round(Number(m[1]) * 1024) : undefined;
}

/** `"2048"`, `"2 GB"`, `"0.5GB"` → MiB; undefined when not a valid value. */
export function parseMemory(value: string): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^(\d*\.?\d+)\s*gb$/i.exec(v);
  return m ? Math.round(Number(m[1]) * 1024) : undefined;
}

const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
};

/** Memory (MiB) Fargate allows for each task CPU value. */
const FARGATE_MEMORY: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

export function isFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_MEMORY.get(cpu)?.includes(memory) ?? false;
}

export function fargateSizeMessage(cpu: number | undefined, memory: number | undefined): string {
  return `No Fargate configuration exists for given values: ${cpu ?? '-'} CPU, ${memory ?? '-'} memory. See the Amazon ECS documentation for the valid values.`;
}
