// The cluster budget's bookkeeping as pure functions: which leases are held, what the cluster
// allows, and whether one more task fits. The clusterBudget workflow owns one ledger per
// cluster; keeping the arithmetic here makes every rule unit-testable without Temporal.
import type { BudgetLimits, BudgetView, Lease, LeaseRequest, WaitingLaunch } from './budget-types';

export interface Ledger {
  cluster: string;
  /** One lease per slide workflow: a slide never has two live tasks. */
  leases: Record<string, Lease>;
  limits?: BudgetLimits;
  /** Leases granted and released since the budget workflow first started (across continue-as-new). */
  granted: number;
  released: number;
  /** Grants per source, for fair turns between sources of one priority. */
  turns?: Record<string, number>;
  /** Events written by the budget's earlier runs (its cost in Temporal, for the bench and CLI). */
  eventsBefore?: number;
  /** Grants per 10-second bucket over the last minute, [bucket start (epoch ms), grants]. */
  grantBuckets?: [number, number][];
}

const BUCKET_MS = 10_000;
const RATE_WINDOW_MS = 60_000;

/** Counts a grant in the last minute's buckets. */
function countGrant(ledger: Ledger, now: number): void {
  const start = now - (now % BUCKET_MS);
  const buckets = (ledger.grantBuckets ?? []).filter(([at]) => at > now - RATE_WINDOW_MS);
  const last = buckets.at(-1);
  if (last && last[0] === start) last[1]++;
  else buckets.push([start, 1]);
  ledger.grantBuckets = buckets;
}

/** Grants per second over the last minute (as of `now`). */
export function grantRate(ledger: Ledger, now: number): number {
  const recent = (ledger.grantBuckets ?? []).filter(([at]) => at > now - RATE_WINDOW_MS);
  return recent.reduce((n, [, c]) => n + c, 0) / (RATE_WINDOW_MS / 1000);
}

/** A launch waiting at the budget, in one worker's grant round. */
export interface QueuedLaunch extends WaitingLaunch {
  /** The worker's admission gate whose grant round holds it. */
  waiter: string;
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
  const lease: Lease = {
    holder: req.holder,
    runId: req.runId,
    launch: req.launch,
    cpu: req.cpu,
    memory: req.memory,
    grantedAt: now,
  };
  ledger.leases[req.holder] = lease;
  ledger.granted++;
  countGrant(ledger, now);
  return lease;
}

/**
 * Grants every queued launch that fits, most urgent first; within a priority, sources take
 * turns (the one with the fewest grants goes next), then first come first served. A launch
 * that does not fit is passed over for a smaller one behind it, unless the task cap binds,
 * where nothing else fits either. Returns the granted launches, leases in the ledger.
 */
export function allocate(ledger: Ledger, queue: readonly QueuedLaunch[], now: number): QueuedLaunch[] {
  const turns = (ledger.turns ??= {});
  // A source that joins starts level with the least-served waiting source, not at zero: a
  // source back after a while does not get a burst of turns.
  const present = queue.map((q) => turns[q.source]).filter((t): t is number => t !== undefined);
  const level = present.length > 0 ? Math.min(...present) : 0;
  for (const q of queue) turns[q.source] ??= level;

  const granted: QueuedLaunch[] = [];
  const left = [...queue];
  for (;;) {
    left.sort(
      (a, b) =>
        a.priority - b.priority || (turns[a.source] ?? 0) - (turns[b.source] ?? 0) || a.since - b.since,
    );
    const i = left.findIndex((q) => refusal(ledger, q) === undefined);
    if (i < 0) return granted;
    const [q] = left.splice(i, 1) as [QueuedLaunch];
    const before = ledger.granted;
    grant(ledger, q, now);
    if (ledger.granted > before) turns[q.source] = (turns[q.source] ?? 0) + 1;
    granted.push(q);
  }
}

/** Keeps the turns of waiting sources only, rebased to zero: what a new run carries over. */
export function compactTurns(ledger: Ledger, waitingSources: Iterable<string>): void {
  const keep = [...new Set(waitingSources)].filter((s) => ledger.turns?.[s] !== undefined);
  const base = Math.min(...keep.map((s) => ledger.turns?.[s] ?? 0));
  ledger.turns = Object.fromEntries(keep.map((s) => [s, (ledger.turns?.[s] ?? 0) - base]));
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

/** Queued launches by priority and source, most urgent first. */
export function waitingSummary(queue: readonly QueuedLaunch[]): BudgetView['waiting'] {
  const groups = new Map<string, BudgetView['waiting'][number]>();
  for (const q of queue) {
    const key = `${q.priority}|${q.source}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.oldestSince = Math.min(g.oldestSince, q.since);
    } else groups.set(key, { priority: q.priority, source: q.source, count: 1, oldestSince: q.since });
  }
  return [...groups.values()].sort((a, b) => a.priority - b.priority || a.source.localeCompare(b.source));
}

export function view(
  ledger: Ledger,
  queue: readonly QueuedLaunch[] = [],
  eventsThisRun = 0,
  now = ledger.limits?.readAt ?? 0,
): BudgetView {
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
    waiting: waitingSummary(queue),
    grantsPerSecond: grantRate(ledger, now),
    events: (ledger.eventsBefore ?? 0) + eventsThisRun,
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
