// processSlide: one whole-slide image, from plan to done. Launches the slide's ECS task
// through runEcsTask, decides on each outcome by the outcome table (decide.ts) and launches
// again where the table says so. Deterministic: no I/O here, only activities and timers.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AdmissionActivities, EcsActivities, SlideActivities } from '../activities/api';
import { budgetWorkflowId, releaseSignal } from './budget-definitions';
import { DEFAULT_PRIORITY_KEY, slidePriority } from './priority';
import { DEFAULT_PRICES, estimateCost, isSpot, sumCosts } from './cost';
import { classifyOutcome, countOutcome, decide, taskSeconds } from './decide';
import { statusQuery, taskUpdateSignal } from './definitions';
import { FailureType, NON_RETRYABLE_FAILURES } from './errors';
import { handOver, handOverTarget } from './hand-over';
import { slideMetrics, type RelaunchCause } from './metrics-sink';
import { SLIDE_ATTEMPTS, SLIDE_BUCKET, SLIDE_KEY, SLIDE_PHASE, SLIDE_TIER } from './search-attributes';
import type {
  AttemptRecord,
  SlideInput,
  SlidePhase,
  SlidePlan,
  SlideResult,
  SlideStatus,
  TaskOutcome,
} from './types';

/**
 * Patch: the workflow sets LAUNCHING itself once the lease is granted, instead of hearing it
 * from runEcsTask (one signal, four or five events, fewer per launch).
 */
export const PATCH_LAUNCHING_PHASE = 'launching-phase-set-by-workflow';

/** Patch: runEcsTask returns the lease itself once it sees the task STOPPED. */
export const PATCH_LEASE_RELEASED_BY_ACTIVITY = 'lease-released-by-activity';

const { planSlide, stopEcsTask } = proxyLocalActivities<SlideActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_FAILURES },
});

const TERMINAL_PHASES: SlidePhase[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Rejects input that is not a slide, with a message naming the field. */
export function validateSlideInput(input: unknown): SlideInput {
  const fail = (why: string): never => {
    throw ApplicationFailure.nonRetryable(
      `invalid processSlide input: ${why}`,
      FailureType.InvalidSlideInput,
    );
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('expected a JSON object like {"bucket": "...", "key": "..."}');
  }
  const i = input as Record<string, unknown>;
  if (typeof i.bucket !== 'string' || i.bucket === '') fail('"bucket" must be a non-empty string');
  if (typeof i.key !== 'string' || i.key === '') fail('"key" must be a non-empty string');
  if (new TextEncoder().encode(i.key as string).length > 1024)
    fail('"key" is longer than S3 allows (1024 bytes)');
  if (
    i.sizeBytes !== undefined &&
    !(typeof i.sizeBytes === 'number' && Number.isInteger(i.sizeBytes) && i.sizeBytes >= 0)
  ) {
    fail('"sizeBytes" must be a whole number of bytes');
  }
  if (i.tier !== undefined && typeof i.tier !== 'string') fail('"tier" must be a tier name');
  if (i.cluster !== undefined && (typeof i.cluster !== 'string' || i.cluster === ''))
    fail('"cluster" must be a name');
  if (i.taskDefinition !== undefined && (typeof i.taskDefinition !== 'string' || i.taskDefinition === '')) {
    fail('"taskDefinition" must be a task definition family, family:revision or ARN');
  }
  if (
    i.priority !== undefined &&
    !(Number.isInteger(i.priority) && (i.priority as number) >= 1 && (i.priority as number) <= 5)
  )
    fail('"priority" must be a whole number from 1 (most urgent) to 5');
  if (i.source !== undefined && (typeof i.source !== 'string' || i.source === '' || i.source.length > 64))
    fail('"source" must be a name of 1 to 64 characters (a lab, a project)');
  return input as SlideInput;
}

function storyOf(history: AttemptRecord[]): string {
  if (history.length === 0) return 'no task was launched';
  return history
    .map(
      (a) =>
        `launch ${a.launch}: ${a.outcome} in tier ${a.tier} (cpu ${a.cpu}, memory ${a.memory} MiB)` +
        `${a.taskArn ? `, task ${a.taskArn}` : ''}${a.stopCode ? `, stopCode ${a.stopCode}` : ''}` +
        `${a.exitCode !== undefined ? `, exit code ${a.exitCode}` : ''}${a.reason ? `, reason: ${a.reason}` : ''}`,
    )
    .join('\n');
}

/** The innermost message of an activity failure: the ECS or S3 error a person needs to see. */
function rootMessage(err: unknown): { message: string; type?: string } {
  let current: unknown = err;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure)
    return { message: current.message, type: current.type ?? undefined };
  return { message: current instanceof Error ? current.message : String(current) };
}

export async function processSlide(rawInput: SlideInput): Promise<SlideResult> {
  const input = validateSlideInput(rawInput);
  const status: SlideStatus = {
    phase: 'PLANNING',
    bucket: input.bucket,
    key: input.key,
    attempts: { launches: 0, appErrors: 0, startFailures: 0, interruptions: 0, outOfMemory: 0, stuck: 0 },
    history: [],
  };
  setHandler(statusQuery, () => status);
  setHandler(taskUpdateSignal, (update) => {
    // Updates from an earlier launch's activity (a late retry) must not overwrite the current one.
    if (update.launchNumber !== status.attempts.launches || TERMINAL_PHASES.includes(status.phase)) return;
    if (update.taskArn) status.taskArn = update.taskArn;
    if (update.progress) status.progress = update.progress;
    if (update.phase) setPhase(update.phase);
  });

  let lastPublished: string | undefined;
  function setPhase(phase: SlidePhase): void {
    status.phase = phase;
    const published = `${phase}|${status.tier?.name}|${status.attempts.launches}`;
    if (published === lastPublished) return;
    upsertSearchAttributes([
      // The slide itself, once: a start from the Temporal CLI carries no search attributes.
      ...(lastPublished === undefined
        ? [
            { key: SLIDE_BUCKET, value: input.bucket },
            { key: SLIDE_KEY, value: input.key },
          ]
        : []),
      { key: SLIDE_PHASE, value: phase },
      { key: SLIDE_ATTEMPTS, value: status.attempts.launches },
      ...(status.tier ? [{ key: SLIDE_TIER, value: status.tier.name }] : []),
    ]);
    lastPublished = published;
  }

  upsertMemo({ bucket: input.bucket, key: input.key });
  setPhase('PLANNING');

  let plan: SlidePlan | undefined;
  let handedOver = false;
  const ended = (result: 'succeeded' | 'failed' | 'cancelled'): void => {
    if (handedOver) return;
    slideMetrics.slideEnded({
      cluster: plan?.cluster,
      tier: status.tier?.name,
      result,
      durationSeconds: (Date.now() - workflowInfo().startTime.getTime()) / 1000,
      taskSeconds: status.taskSeconds ?? 0,
      cost: status.cost ?? 0,
    });
  };
  try {
    plan = await planSlide(input);
    status.slideId = plan.slideId;
    const ownId = handOverTarget(plan);
    if (ownId) {
      handedOver = true;
      // The run's own answer stays true: who holds the slide, then how it ended (older
      // histories did not say, and replay as they ran).
      const tellsHolder = patched('hand-over-status');
      if (tellsHolder) {
        status.heldBy = ownId;
        setPhase('HANDED_OVER');
      }
      const result = await handOver(input, ownId);
      if (tellsHolder) {
        status.progress = result.progress;
        status.taskSeconds = result.taskSeconds;
        status.cost = result.cost;
        status.attempts.launches = result.launches;
        setPhase('SUCCEEDED');
      }
      return result;
    }
    // A folder slide still being uploaded (a DICOM series, one object per level) waits until
    // it has settled; plans recorded before folders never set settleMs, so replay is unchanged.
    while (plan.settleMs) {
      await sleep(plan.settleMs);
      plan = await planSlide(input);
    }
    const result = await runLaunches(input, plan, status, setPhase);
    ended('succeeded');
    return result;
  } catch (err) {
    if (isCancellation(err)) {
      setPhase('STOPPING');
      const cluster = plan?.cluster ?? input.cluster;
      if (cluster && status.attempts.launches > 0) {
        // The task must not outlive its workflow: stop it even though we are being cancelled.
        await CancellationScope.nonCancellable(async () => {
          await stopEcsTask({ cluster, taskArn: status.taskArn, reason: 'slide workflow cancelled' });
          await releaseLease(cluster, status.attempts.launches);
        });
      }
      setPhase('CANCELLED');
      ended('cancelled');
      throw err;
    }
    const { message, type } = rootMessage(err);
    // Name the slide once: some causes (e.g. "slide s3://b/k does not exist") already do.
    const uri = `s3://${input.bucket}/${input.key}`;
    const named = (m: string): string => (m.includes(uri) ? m : `slide ${uri} failed: ${m}`);
    status.failure = message;
    setPhase('FAILED');
    ended('failed');
    throw ApplicationFailure.create({
      type: type ?? FailureType.SlideFailed,
      message: `${named(message)}\n${storyOf(status.history)}`,
      nonRetryable: true,
      details: [status.history],
    });
  }
}

/**
 * Returns a launch's lease to the cluster budget once its task is STOPPED (or never ran).
 * Awaited, so the release reaches the budget before the next launch asks for a lease.
 * A budget that is gone has nothing to release.
 */
async function releaseLease(cluster: string, launch: number): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  try {
    await getExternalWorkflowHandle(budgetWorkflowId(cluster)).signal(releaseSignal, {
      holder: workflowId,
      runId,
      launch,
    });
  } catch {
    // The budget workflow does not exist (never started, or terminated): nothing is held.
  }
}

async function runLaunches(
  input: SlideInput,
  plan: SlidePlan,
  status: SlideStatus,
  setPhase: (phase: SlidePhase) => void,
): Promise<SlideResult> {
  const { policy } = plan;
  const priority = slidePriority(input);
  // Waits for a lease as long as the backlog needs; a worker that dies mid-wait is replaced
  // after the heartbeat timeout, and the lease (if granted meanwhile) is found again.
  const { admitLaunch } = proxyActivities<AdmissionActivities>({
    taskQueue: plan.admissionTaskQueue,
    startToCloseTimeout: '1 day',
    heartbeatTimeout: policy.heartbeatTimeoutMs,
    retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
    priority,
  });
  const { runEcsTask } = proxyActivities<EcsActivities>({
    priority,
    taskQueue: plan.ecsTaskQueue,
    startToCloseTimeout: policy.maxTaskDurationMs,
    heartbeatTimeout: policy.heartbeatTimeoutMs,
    retry: {
      initialInterval: policy.retryInitialIntervalMs,
      maximumInterval: policy.retryMaxIntervalMs,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
    },
  });

  const prices = plan.prices ?? DEFAULT_PRICES;
  const record = (attempt: AttemptRecord): void => {
    status.history.push(attempt);
    status.taskSeconds = status.history.reduce((sum, a) => sum + a.taskSeconds, 0);
    status.cost = sumCosts(status.history.map((a) => a.cost));
    slideMetrics.taskEnded({
      cluster: plan.cluster,
      tier: attempt.tier,
      outcome: attempt.outcome,
      taskSeconds: attempt.taskSeconds,
      cost: attempt.cost ?? 0,
      spot: attempt.spot ?? false,
    });
  };
  let tierIndex = plan.firstTier;
  let relaunchCause: RelaunchCause | undefined;
  for (;;) {
    const tier = plan.tiers[tierIndex];
    if (!tier) throw new Error(`size tier index ${tierIndex} out of range`);
    status.tier = tier;
    status.taskArn = undefined;
    status.attempts = { ...status.attempts, launches: status.attempts.launches + 1 };
    const launchNumber = status.attempts.launches;
    setPhase('QUEUED');
    slideMetrics.launched({ cluster: plan.cluster, tier: tier.name, cause: relaunchCause });
    const { workflowId, runId } = workflowInfo();
    await admitLaunch({
      cluster: plan.cluster,
      holder: workflowId,
      runId,
      launch: launchNumber,
      cpu: tier.cpu,
      memory: tier.memory,
      priority: priority.priorityKey ?? DEFAULT_PRIORITY_KEY,
      source: priority.fairnessKey ?? input.bucket,
    });
    if (patched(PATCH_LAUNCHING_PHASE)) setPhase('LAUNCHING');

    let outcome: TaskOutcome;
    try {
      outcome = await runEcsTask({
        slideId: plan.slideId,
        bucket: input.bucket,
        key: input.key,
        cluster: plan.cluster,
        ...(plan.taskDefinition ? { taskDefinition: plan.taskDefinition } : {}),
        tier,
        launchNumber,
        checkpointUri: plan.checkpointUri,
        outputUri: plan.outputUri,
        stuckAfterMs: policy.stuckAfterMs,
        ...(policy.provisioningWaitsForCapacity ? { provisioningWaitsForCapacity: true } : {}),
        capacityDeadline: Date.now() + policy.capacityWaitMs,
      });
    } catch (err) {
      if (!isCancellation(err)) {
        record({
          launch: launchNumber,
          tier: tier.name,
          cpu: tier.cpu,
          memory: tier.memory,
          taskArn: status.taskArn,
          outcome: 'error',
          reason: rootMessage(err).message,
          taskSeconds: 0,
          cost: 0,
        });
        await releaseLease(plan.cluster, launchNumber);
      }
      throw err;
    }
    // Histories from before runEcsTask released the lease itself release it here, as they did.
    if (!outcome.leaseReleased || !patched(PATCH_LEASE_RELEASED_BY_ACTIVITY))
      await releaseLease(plan.cluster, launchNumber);

    const cls = classifyOutcome(outcome, policy);
    status.taskArn = outcome.taskArn;
    if (outcome.progress) status.progress = outcome.progress;
    status.attempts = countOutcome(status.attempts, cls);
    const seconds = taskSeconds(outcome);
    const spot = isSpot(outcome.capacityProviderName);
    record({
      launch: launchNumber,
      tier: tier.name,
      cpu: tier.cpu,
      memory: tier.memory,
      taskArn: outcome.taskArn,
      outcome: cls,
      stopCode: outcome.stopCode,
      exitCode: outcome.exitCode,
      reason: outcome.containerReason || outcome.stoppedReason,
      taskSeconds: seconds,
      cost: estimateCost(tier, seconds, spot, prices),
      ...(spot ? { spot } : {}),
    });

    const decision = decide(cls, outcome, { tiers: plan.tiers, tierIndex, counts: status.attempts, policy });
    if (decision.kind === 'succeed') {
      setPhase('SUCCEEDED');
      return {
        slideId: plan.slideId,
        outputUri: plan.outputUri,
        checkpointUri: plan.checkpointUri,
        tier: tier.name,
        attempts: status.history,
        launches: launchNumber,
        taskSeconds: status.taskSeconds ?? 0,
        cost: status.cost ?? 0,
        progress: status.progress,
      };
    }
    if (decision.kind === 'fail') {
      throw ApplicationFailure.nonRetryable(decision.reason, FailureType.SlideFailed);
    }
    setPhase('RELAUNCHING');
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    tierIndex = decision.tierIndex;
    relaunchCause = cls as RelaunchCause;
  }
}
