// The cluster budget's bookkeeping as pure functions: which leases are held, what the cluster
// allows, and whether one more task fits. The clusterBudget workflow owns one ledger per
// cluster; keeping the arithmetic here makes every rule unit-testable without Temporal.
import type { BudgetLimits, BudgetView, Lease, LeaseRequest } from './budget-types';

export interface Ledger {
  cluster: string;
  /** One lease per slide workflow: a slide never has two live tasks. */
  leases: Record<string, Lease>;
  limits?: BudgetLimits;
  /** Leases granted and released since the budget workflow first started (across continue-as-new). */
  granted: number;
  released: number;
}

export function emptyLedger(cluster: string): Ledger {
  return { cluster, leases: {}, granted: 0, released: 0 };
}

/** What the held leases use. */
export function usage(ledger: Ledger): { tasks: number; cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  const leases = Object.values(ledger.leases);
  for (const l of leases) {
    cpu += l.cpu;
    memory += l.memory;
  }
  return { tasks: leases.length, cpu, memory };
}

/** The same launch of the same run: asking again (a retried activity) returns the lease it holds. */
export function heldBy(ledger: Ledger, req: LeaseRequest): Lease | undefined {
  const lease = ledger.leases[req.holder];
  return lease && lease.runId === req.runId && lease.launch === req.launch ? lease : undefined;
}

/**
 * Why `req` cannot be granted now, or undefined when it can. A slide's older lease (an
 * earlier launch whose release is still on its way) does not count against it: the slide
 * runs one task at a time. When nothing else is held a request is always granted, so a
 * task larger than the budget still gets its chance (ECS then says whether it fits).
 */
export function refusal(ledger: Ledger, req: LeaseRequest): string | undefined {
  if (heldBy(ledger, req)) return undefined;
  const limits = ledger.limits;
  if (!limits) return 'the cluster budget has not read the cluster yet';
  const others = Object.values(ledger.leases).filter((l) => l.holder !== req.holder);
  if (others.length === 0) return undefined;
  const used = others.reduce(
    (sum, l) => ({ tasks: sum.tasks + 1, cpu: sum.cpu + l.cpu, memory: sum.memory + l.memory }),
    { tasks: 0, cpu: 0, memory: 0 },
  );
  if (limits.tasks !== undefined && used.tasks + 1 > limits.tasks)
    return `${used.tasks} of ${limits.tasks} tasks in flight`;
  if (limits.cpu !== undefined && used.cpu + req.cpu > limits.cpu)
    return `${used.cpu} + ${req.cpu} CPU units over the budget of ${limits.cpu}`;
  if (limits.memory !== undefined && used.memory + req.memory > limits.memory)
    return `${used.memory} + ${req.memory} MiB over the budget of ${limits.memory}`;
  return undefined;
}

/** Grants `req` (the caller checked `refusal`); replaces the slide's older lease, if any. */
export function grant(ledger: Ledger, req: LeaseRequest, now: number): Lease {
  const existing = heldBy(ledger, req);
  if (existing) return existing;
  const lease: Lease = { ...req, grantedAt: now };
  ledger.leases[req.holder] = lease;
  ledger.granted++;
  return lease;
}

/** Releases the lease of one launch; a release for another launch or run changes nothing. */
export function release(ledger: Ledger, holder: string, runId: string, launch: number): boolean {
  const lease = ledger.leases[holder];
  if (!lease || lease.runId !== runId || lease.launch !== launch) return false;
  delete ledger.leases[holder];
  ledger.released++;
  return true;
}

/** Drops the leases of slide runs that have closed without releasing (terminated, reset). */
export function dropClosed(ledger: Ledger, closed: { holder: string; runId: string }[]): number {
  let dropped = 0;
  for (const c of closed) {
    const lease = ledger.leases[c.holder];
    if (lease && lease.runId === c.runId) {
      delete ledger.leases[c.holder];
      ledger.released++;
      dropped++;
    }
  }
  return dropped;
}

export function view(ledger: Ledger): BudgetView {
  const used = usage(ledger);
  return {
    cluster: ledger.cluster,
    limits: ledger.limits,
    inFlight: used.tasks,
    cpu: used.cpu,
    memory: used.memory,
    granted: ledger.granted,
    released: ledger.released,
    leases: Object.values(ledger.leases).sort((a, b) => a.grantedAt - b.grantedAt),
  };
}

/** One line for logs and the CLI: the budget, what is in flight, where the budget comes from. */
export function describeBudget(v: BudgetView): string {
  const l = v.limits;
  if (!l) return `cluster ${v.cluster}: budget not read yet; ${v.inFlight} in flight`;
  const caps = [
    l.tasks !== undefined ? `${v.inFlight}/${l.tasks} tasks` : `${v.inFlight} tasks`,
    l.cpu !== undefined ? `${v.cpu}/${l.cpu} CPU units` : undefined,
    l.memory !== undefined ? `${v.memory}/${l.memory} MiB` : undefined,
  ].filter(Boolean);
  return `cluster ${v.cluster}: ${caps.join(', ')} in flight (${l.source})`;
}
