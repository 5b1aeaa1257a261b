// Fargate accepts only certain task cpu/memory pairs; a tier outside them fails every
// RunTask with a ClientException, so it is rejected at start-up instead.

interface FargateCpu {
  cpu: number;
  minMemory: number;
  maxMemory: number;
  step: number;
}

const FARGATE_SIZES: FargateCpu[] = [
  { cpu: 256, minMemory: 512, maxMemory: 2048, step: 512 },
  { cpu: 512, minMemory: 1024, maxMemory: 4096, step: 1024 },
  { cpu: 1024, minMemory: 2048, maxMemory: 8192, step: 1024 },
  { cpu: 2048, minMemory: 4096, maxMemory: 16384, step: 1024 },
  { cpu: 4096, minMemory: 8192, maxMemory: 30720, step: 1024 },
  { cpu: 8192, minMemory: 16384, maxMemory: 61440, step: 4096 },
  { cpu: 16384, minMemory: 32768, maxMemory: 122880, step: 8192 },
];

/** Why cpu/memory is not a Fargate size, or undefined when it is one. */
export function fargateSizeError(cpu: number, memory: number): string | undefined {
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  if (!size) {
    return `cpu ${cpu} is not a Fargate size (${FARGATE_SIZES.map((s) => s.cpu).join(', ')})`;
  }
  // 256 CPU units take 512, 1024 or 2048 MiB; the others take their range in whole steps.
  const valid =
    cpu === 256
      ? [512, 1024, 2048].includes(memory)
      : memory >= size.minMemory && memory <= size.maxMemory && (memory - size.minMemory) % size.step === 0;
  if (!valid) {
    return `memory ${memory} MiB is not valid with cpu ${cpu} on Fargate (${size.minMemory}-${size.maxMemory} MiB in steps of ${size.step})`;
  }
  return undefined;
}
