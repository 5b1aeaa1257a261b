// Resident memory of a process, for the benchmarks that report a worker's peak.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in MiB, from /proc (Linux); 0 once the process is gone. */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
