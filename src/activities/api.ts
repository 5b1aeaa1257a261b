// The activity interfaces the workflow calls. Implementations live beside this file; the
// workflow imports only these types, never the I/O code.
import type {
  AdmitLaunchInput,
  ClusterReading,
  Lease,
  ReadClusterInput,
  RecoveredLeases,
  RecoverLeasesInput,
} from '../workflows/budget-types';
import type { RunEcsTaskInput, SlideInput, SlidePlan, SlideResult, TaskOutcome } from '../workflows/types';

export interface StopEcsTaskInput {
  cluster: string;
  /** The task to stop; when unknown, every task this workflow run started is stopped. */
  taskArn?: string;
  reason: string;
}

export interface AwaitSlideWorkflowInput {
  /** The slide's own workflow ID, already running under another route. */
  workflowId: string;
  /** Longest one call waits before answering `running`. */
  waitMs: number;
}

export type AwaitSlideWorkflowResult =
  | { status: 'completed'; result: SlideResult }
  | { status: 'failed'; message: string; type?: string }
  | { status: 'running' };

/** Run on the `slides` task queue; a hand-over waits with it (as a regular activity). */
export interface HandOverActivities {
  /** Waits (bounded) for the slide's own workflow to end and returns how it ended. */
  awaitSlideWorkflow(input: AwaitSlideWorkflowInput): Promise<AwaitSlideWorkflowResult>;
}

/** Run on the `slides` task queue, as local activities of the workflow's worker. */
export interface SlideActivities {
  /** Resolves the slide's size, first tier, checkpoint and output URIs and the policy. */
  planSlide(input: SlideInput): Promise<SlidePlan>;
  /** Stops the slide's ECS task and waits until it is STOPPED (bounded). */
  stopEcsTask(input: StopEcsTaskInput): Promise<void>;
}

/** Run on the `ecs-tasks` task queue: one held slot is one ECS task in flight. */
export interface EcsActivities {
  runEcsTask(input: RunEcsTaskInput): Promise<TaskOutcome>;
}

/** Run on the admission task queue: a launch waiting for the cluster budget to grant a lease. */
export interface AdmissionActivities {
  admitLaunch(input: AdmitLaunchInput): Promise<Lease>;
}

/** Local activities of the clusterBudget workflow, on the `slides` task queue. */
export interface BudgetActivities {
  readCluster(input: ReadClusterInput): Promise<ClusterReading>;
  /** The leases a terminated run of the budget held, for the run that replaces it. */
  recoverLeases(input: RecoverLeasesInput): Promise<RecoveredLeases>;
}
