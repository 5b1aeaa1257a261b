// The cluster budget's data, shared by its workflow, the activities that ask it for leases
// and the CLI that shows it. Plain JSON, readable in the Web UI.
import type { Ledger } from './budget-ledger';

/** A slide's request to launch one task on the cluster. */
export interface LeaseRequest {
  /** The slide's workflow ID: a slide holds at most one lease. */
  holder: string;
  runId: string;
  /** The slide's launch number: a retried admission for the same launch gets the same lease. */
  launch: number;
  /** Task size, as RunTask will ask for it (CPU units, MiB). */
  cpu: number;
  memory: number;
}

/** A launch waiting at the budget: its lease request with its place in line. */
export interface WaitingLaunch extends LeaseRequest {
  /** Temporal priority key of the slide: 1 most urgent .. 5 (3 when unset). */
  priority: number;
  /** Fairness key (the slide's source): waiting sources of one priority take turns. */
  source: string;
  /** Epoch ms the launch began to wait (first come, first served within a turn). */
  since: number;
}

/**
 * One grant round of a worker: every launch waiting on that worker for this cluster. The
 * budget answers when it has granted some of them, when the worker supersedes the round
 * (a more urgent launch arrived), or at the budget's next reading of the cluster.
 */
export interface GrantRoundRequest {
  /** The asking worker's admission gate: a newer round from it supersedes an older one. */
  waiter: string;
  /** The waiter's round number, increasing: an endRound for it may arrive before the round. */
  round?: number;
  launches: WaitingLaunch[];
}

export interface GrantRoundResult {
  granted: Lease[];
  /** Why the rest still wait (e.g. "48 of 48 tasks in flight"); absent when none wait. */
  waiting?: string;
  /** Launches waiting at the budget, from every worker, as the round ends. */
  queued: number;
}

export interface Lease extends LeaseRequest {
  /** Workflow time (epoch ms) the lease was granted. */
  grantedAt: number;
}

/** What the cluster allows this project's tasks, as last read. Absent fields do not limit. */
export interface BudgetLimits {
  tasks?: number;
  cpu?: number;
  memory?: number;
  /** Where the figures come from, for people: e.g. "80% of 2 container instances (4096 CPU, 8192 MiB)". */
  source: string;
  /** Epoch ms of the read. */
  readAt: number;
}

export interface BudgetView {
  cluster: string;
  limits?: BudgetLimits;
  inFlight: number;
  cpu: number;
  memory: number;
  granted: number;
  released: number;
  leases: Lease[];
  /** Launches waiting at the budget now (the workers' grant rounds), by priority and source. */
  waiting: { priority: number; source: string; count: number; oldestSince: number }[];
  /** Leases granted per second over the last minute: admission's throughput. */
  grantsPerSecond: number;
  /** Events the budget's history has written over all its runs: its cost in Temporal. */
  events: number;
}

/** What the refresh activity reports about the cluster. */
export interface ClusterReading {
  limits: BudgetLimits;
  /** Lease holders whose workflow run has closed without releasing its lease. */
  closed: { holder: string; runId: string }[];
  /** How long to wait before the next reading (the worker's BUDGET_REFRESH). */
  nextReadMs: number;
}

/** Input of the refresh activity: the cluster and who holds leases on it. */
export interface ReadClusterInput {
  cluster: string;
  holders: { holder: string; runId: string; grantedAt: number }[];
}

/** Input of the admission activity. */
export interface AdmitLaunchInput extends LeaseRequest {
  cluster: string;
  /** The slide's priority key and source (absent from launches of slides started before them). */
  priority?: number;
  source?: string;
}

export interface ClusterBudgetInput {
  cluster: string;
  /** Carried over continue-as-new. */
  ledger?: Ledger;
  /**
   * A budget started after its previous run closed without continuing (terminated, failed):
   * that run, whose leases it takes over before granting anything.
   */
  previousRunId?: string;
}

/** Input of the recovery activity: the budget's run that closed without continuing. */
export interface RecoverLeasesInput {
  cluster: string;
  runId: string;
}

/** What a closed budget run held when it was stopped. */
export interface RecoveredLeases {
  leases: Lease[];
  granted: number;
  released: number;
  events: number;
}
