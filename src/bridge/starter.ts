// One slide record -> its processSlide workflow, started exactly once however often the record
// is delivered: the workflow ID is derived from the slide, and a start for an ID that is
// already running joins that run instead of failing or starting another.
import type { Client } from '@temporalio/client';
import { slideWorkflowId } from '../slides/identity';
import { slideStartOptions, WORKFLOW_TYPE } from '../slides/start-options';
import type { SlideInput } from '../workflows/types';
import type { SlideRecord } from './parse-message';

export interface StartedSlide {
  workflowId: string;
  /** The run that now handles the slide: a new one, or the one already running. */
  runId: string;
}

/** The workflow input for a record: bucket, key and, when the event carried it, the size. */
export function slideInput(record: SlideRecord): SlideInput {
  return {
    bucket: record.bucket,
    key: record.key,
    ...(record.sizeBytes !== undefined ? { sizeBytes: record.sizeBytes } : {}),
  };
}

/** Starts (or joins) the slide's workflow; throws when Temporal did not accept it in time. */
export async function startSlideWorkflow(
  client: Client,
  taskQueue: string,
  record: SlideRecord,
  timeoutMs: number,
): Promise<StartedSlide> {
  const workflowId = slideWorkflowId(record.bucket, record.key);
  const handle = await client.withDeadline(Date.now() + timeoutMs, () =>
    // USE_EXISTING: a duplicate delivery while the slide runs joins the running workflow.
    client.workflow.start(
      WORKFLOW_TYPE,
      slideStartOptions(taskQueue, slideInput(record), 'USE_EXISTING', workflowId),
    ),
  );
  return { workflowId, runId: handle.firstExecutionRunId };
}

/** The visibility query for the slides in flight on one task queue. */
export function inFlightQuery(taskQueue: string): string {
  return `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
}
