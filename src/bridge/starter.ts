// One slide record -> its processSlide workflow, started exactly once however often the record
// is delivered: the workflow ID is derived from the slide, and a start for an ID that is
// already running joins that run instead of failing or starting another.
import type { Client } from '@temporalio/client';
import { slideWorkflowId } from '../slides/identity';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import { SLIDE_BUCKET, SLIDE_KEY } from '../workflows/search-attributes';
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
    client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [slideInput(record)],
      // A duplicate delivery while the slide runs joins the running workflow: a no-op.
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A slide uploaded again after its workflow finished is processed again.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: { bucket: record.bucket, key: record.key },
      typedSearchAttributes: [
        { key: SLIDE_BUCKET, value: record.bucket },
        { key: SLIDE_KEY, value: record.key },
      ],
    }),
  );
  return { workflowId, runId: handle.firstExecutionRunId };
}

/** The visibility query for the slides in flight on one task queue. */
export function inFlightQuery(taskQueue: string): string {
  return `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
}
