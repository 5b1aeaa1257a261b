// RunTask's clientToken: the same token with the same parameters returns the same tasks for
// a while (ECS: 24 hours); the same token with other parameters is a ConflictException.
import type { TaskRecord } from './task';

/** JSON with object keys sorted, so equal requests give equal strings. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

export interface IdempotentRun {
  fingerprint: string;
  /** Held here, so a replay can describe them even after retention dropped them elsewhere. */
  tasks: TaskRecord[];
  expiresAt: number;
}

export class IdempotencyStore {
  private readonly runs = new Map<string, IdempotentRun>();
  private putsSinceSweep = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): IdempotentRun | undefined {
    const run = this.runs.get(token);
    if (run && run.expiresAt <= this.now()) {
      this.runs.delete(token);
      return undefined;
    }
    return run;
  }

  put(token: string, fp: string, tasks: TaskRecord[]): void {
    this.runs.set(token, { fingerprint: fp, tasks, expiresAt: this.now() + this.ttlMs });
    // Expired entries are dropped lazily; an occasional sweep bounds memory in long runs.
    if (++this.putsSinceSweep >= 1000) {
      this.putsSinceSweep = 0;
      const t = this.now();
      for (const [k, r] of this.runs) if (r.expiresAt <= t) this.runs.delete(k);
    }
  }
}
