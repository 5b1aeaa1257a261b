// One slide, one run at a time, whatever route started it. The bridge and `slides submit`
// use the slide's own workflow ID (src/slides/identity.ts); the Temporal CLI without
// --workflow-id gives a random one. A run under any other ID does no work itself: it starts
// the slide's own workflow as a child (ParentClosePolicy ABANDON, so the slide outlives this
// run), or, when that is already running, waits for it through an activity, and returns its
// result. Deterministic: the ID comes from the plan (an activity), the wait is an activity.
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { HandOverActivities } from '../activities/api';
import { WORKFLOW_TYPE } from './definitions';
import { FailureType } from './errors';
import type { SlideInput, SlidePlan, SlideResult } from './types';

/** How long one awaitSlideWorkflow call waits: a few history events per hour of waiting. */
const WAIT_PER_CALL_MS = 60 * 60_000;

const { awaitSlideWorkflow } = proxyActivities<HandOverActivities>({
  startToCloseTimeout: WAIT_PER_CALL_MS + 5 * 60_000,
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The slide's own workflow ID when this run is not it (then it must hand over), else undefined. */
export function handOverTarget(plan: SlidePlan): string | undefined {
  return plan.workflowId !== undefined && plan.workflowId !== workflowInfo().workflowId
    ? plan.workflowId
    : undefined;
}

function failedAs(workflowId: string, message: string, type?: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `handed over to workflow ${workflowId}, which failed: ${message}`,
    type ?? FailureType.SlideFailed,
  );
}

export async function handOver(input: SlideInput, workflowId: string): Promise<SlideResult> {
  try {
    const child = await startChild(WORKFLOW_TYPE, {
      workflowId,
      args: [input],
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: 'ABANDON',
      // Cancelling this run stops waiting; it does not cancel the slide, which another route
      // may share. The slide is cancelled by its own ID.
      cancellationType: 'ABANDON',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: { bucket: input.bucket, key: input.key },
    });
    return (await child.result()) as SlideResult;
  } catch (err) {
    if (err instanceof ChildWorkflowFailure) {
      const cause = err.cause;
      throw failedAs(
        workflowId,
        cause?.message ?? err.message,
        (cause as ApplicationFailure | undefined)?.type ?? undefined,
      );
    }
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  // Already running, started by another route: wait for it.
  for (;;) {
    const ended = await awaitSlideWorkflow({ workflowId, waitMs: WAIT_PER_CALL_MS });
    if (ended.status === 'completed') return ended.result;
    if (ended.status === 'failed') throw failedAs(workflowId, ended.message, ended.type);
  }
}
