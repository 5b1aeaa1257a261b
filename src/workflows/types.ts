// The data that crosses the workflow boundary: plain JSON, so a person can type the input
// on the command line and read every result and failure in the Web UI.

/** What `processSlide` takes. Only bucket and key are required. */
export interface SlideInput {
  bucket: string;
  key: string;
  /** Size of the slide in bytes; read from S3 when omitted. Chooses the first size tier. */
  sizeBytes?: number;
  /** Name of the first size tier, overriding the choice by size. */
  tier?: string;
  /** ECS cluster, overriding the worker's default. */
  cluster?: string;
  /** Task definition (family, family:revision or ARN), overriding the worker's default: a different processor for this slide. */
  taskDefinition?: string;
  /** 1 (most urgent) to 5; default 3. Waiting slides launch in priority order (Temporal's priority key). */
  priority?: number;
  /** Who the slide is for (a lab, a project): waiting slides of different sources share the cluster fairly. Default: the bucket. */
  source?: string;
}

/** One ECS task size: a valid Fargate cpu/memory pair. */
export interface SizeTier {
  name: string;
  /** CPU units (1024 = 1 vCPU). */
  cpu: number;
  /** Memory in MiB. */
  memory: number;
  /** Slides up to this many bytes start in this tier; the last tier takes the rest. */
  maxSlideBytes?: number;
}

/** Bounds the workflow applies to the outcomes of its launches. */
export interface SlidePolicy {
  /** Application errors (non-zero exit) tolerated before the slide fails. */
  maxAppErrors: number;
  /** TaskFailedToStart outcomes tolerated before the slide fails. */
  maxStartFailures: number;
  /** Interruptions (spot, scheduler, SIGTERM) before the slide fails: stops an endless loop. */
  maxInterruptions: number;
  /** Relaunches of a task stuck in PROVISIONING/PENDING before the slide fails. */
  maxStuck: number;
  /** A task still PROVISIONING/PENDING this long after it was created is stuck. */
  stuckAfterMs: number;
  /**
   * A capacity provider with managed scaling keeps tasks in PROVISIONING while it adds
   * instances, and stops them itself after its own bound: the stuck rule then leaves
   * PROVISIONING alone and judges PENDING only.
   */
  provisioningWaitsForCapacity?: boolean;
  /** How long one launch may wait for cluster capacity (RunTask failures[]) before failing. */
  capacityWaitMs: number;
  /** Pause before relaunching after an application error or a failed start, doubled each time. */
  relaunchBackoffMs: number;
  /** Longest a single ECS task may run (the activity's start-to-close timeout). */
  maxTaskDurationMs: number;
  /** The activity's heartbeat timeout: how soon a dead worker's task is reattached elsewhere. */
  heartbeatTimeoutMs: number;
  /** Retry interval bounds for launches that wait for capacity or are throttled. */
  retryInitialIntervalMs: number;
  retryMaxIntervalMs: number;
  /**
   * Exit codes by which the processor declares the slide unprocessable (no such slide, not an
   * image it can read, bad environment): the slide fails at once instead of being relaunched.
   * Absent in plans recorded before it existed: then no code is permanent.
   */
  permanentExitCodes?: number[];
}

/** Prices of the cost estimate (USD). */
export interface FargatePrices {
  /** Per vCPU-hour, on-demand. */
  vcpuHour: number;
  /** Per GB-hour of memory, on-demand. */
  gbHour: number;
  /** Share of the on-demand price a FARGATE_SPOT task costs. */
  spotRatio: number;
}

/** Everything the workflow needs to run a slide, resolved once by the planSlide activity. */
export interface SlidePlan {
  slideId: string;
  sizeBytes?: number;
  cluster: string;
  /** Set when the input overrides the worker's task definition. */
  taskDefinition?: string;
  tiers: SizeTier[];
  /** Index into tiers of the first launch. */
  firstTier: number;
  /**
   * The slide's own workflow ID (src/slides/identity.ts). A run under any other ID hands the
   * slide over to it, so one slide never runs twice at once. Absent in older plans.
   */
  workflowId?: string;
  checkpointUri: string;
  outputUri: string;
  /** Task queue of the workers that run runEcsTask. */
  ecsTaskQueue: string;
  /** Task queue of admitLaunch, where launches wait for the cluster budget. */
  admissionTaskQueue: string;
  policy: SlidePolicy;
  /** Prices for the cost estimate; absent in plans recorded before it (then the defaults). */
  prices?: FargatePrices;
  /**
   * Set when the slide is a folder still being written (its newest object is younger than
   * SLIDE_FOLDER_SETTLE): the workflow waits this long and plans again before any launch.
   */
  settleMs?: number;
}

/** The checkpoint the processor writes: at least how many work units are done of how many. */
export interface Progress {
  done: number;
  total: number;
}

/** Input of one runEcsTask activity: one ECS task's whole life. */
export interface RunEcsTaskInput {
  slideId: string;
  bucket: string;
  key: string;
  cluster: string;
  /** Overrides the worker's ECS_TASK_DEFINITION when set. */
  taskDefinition?: string;
  tier: SizeTier;
  /** 1 for the first launch of this workflow run, then 2, 3, ... */
  launchNumber: number;
  checkpointUri: string;
  outputUri: string;
  stuckAfterMs: number;
  /** See SlidePolicy.provisioningWaitsForCapacity. */
  provisioningWaitsForCapacity?: boolean;
  /** Epoch ms after which "no capacity" stops being retried and fails the launch. */
  capacityDeadline: number;
}

/** How an ECS task ended, as runEcsTask observed it. Timestamps are epoch ms. */
export interface TaskOutcome {
  taskArn: string;
  launchNumber: number;
  lastStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  /** The essential container's exit code; absent when it never ran. */
  exitCode?: number;
  /** The essential container's reason, e.g. `OutOfMemoryError: Container killed ...`. */
  containerReason?: string;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  /** runEcsTask stopped the task because it stayed PROVISIONING/PENDING too long. */
  stuck?: boolean;
  /** ECS no longer knows the task (it answered MISSING for longer than the grace). */
  missing?: boolean;
  /**
   * The processor's checkpoint says the slide is complete: the task finished while no worker
   * watched (and ECS has forgotten it), or a relaunch found the work already done.
   */
  checkpointComplete?: boolean;
  /** The task was never launched (the checkpoint already said complete). */
  notLaunched?: boolean;
  progress?: Progress;
  /** The capacity provider ECS placed the task with (FARGATE_SPOT prices it as spot). */
  capacityProviderName?: string;
  /** runEcsTask returned the launch's lease to the budget already; the workflow need not. */
  leaseReleased?: boolean;
}

export type OutcomeClass =
  'success' | 'out-of-memory' | 'interrupted' | 'start-failure' | 'app-error' | 'permanent-error' | 'stuck';

/** One launch in the slide's story: shown in the status query, the result and failures. */
export interface AttemptRecord {
  launch: number;
  tier: string;
  cpu: number;
  memory: number;
  taskArn?: string;
  outcome: OutcomeClass | 'error';
  stopCode?: string;
  exitCode?: number;
  reason?: string;
  taskSeconds: number;
  /** Estimated cost of this launch in USD (absent in records made before it existed). */
  cost?: number;
  /** The launch ran on FARGATE_SPOT. */
  spot?: boolean;
}

export type SlidePhase =
  | 'PLANNING'
  /** This run started without the slide's own ID; the slide's own workflow (heldBy) does the work. */
  | 'HANDED_OVER'
  | 'QUEUED'
  | 'LAUNCHING'
  | 'WAITING_FOR_CAPACITY'
  | 'PROVISIONING'
  | 'PENDING'
  | 'RUNNING'
  | 'DEPROVISIONING'
  | 'RELAUNCHING'
  | 'STOPPING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELLED';

export interface AttemptCounts {
  launches: number;
  appErrors: number;
  startFailures: number;
  interruptions: number;
  outOfMemory: number;
  stuck: number;
}

/** What the `status` query returns. */
export interface SlideStatus {
  phase: SlidePhase;
  bucket: string;
  key: string;
  slideId?: string;
  /** The slide's own workflow ID, when this run handed the slide over to it. */
  heldBy?: string;
  taskArn?: string;
  tier?: SizeTier;
  attempts: AttemptCounts;
  progress?: Progress;
  history: AttemptRecord[];
  /** Why the slide failed, once it has. */
  failure?: string;
  /** Task-seconds of the launches so far (finished ones). */
  taskSeconds?: number;
  /** Estimated cost in USD of the launches so far. */
  cost?: number;
}

/** What `processSlide` returns when the slide is done. */
export interface SlideResult {
  slideId: string;
  outputUri: string;
  checkpointUri: string;
  tier: string;
  attempts: AttemptRecord[];
  launches: number;
  taskSeconds: number;
  /** Estimated cost in USD of all launches (Fargate prices; spot launches at the spot ratio). */
  cost?: number;
  progress?: Progress;
}

/** Sent by runEcsTask to its workflow as the task moves, so `status` can show it. */
export interface TaskUpdate {
  launchNumber: number;
  phase?: SlidePhase;
  taskArn?: string;
  progress?: Progress;
}
