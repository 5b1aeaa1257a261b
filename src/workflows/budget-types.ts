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
}

export interface ClusterBudgetInput {
  cluster: string;
  /** Carried over continue-as-new. */
  ledger?: Ledger;
}
