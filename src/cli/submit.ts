// Starting slides: the same deterministic workflow ID as every other route in, so a slide
// already running is reported, not started twice.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { SLIDE_BUCKET, SLIDE_KEY } from '../workflows/search-attributes';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import type { SlideInput } from '../workflows/types';

export interface SubmitResult {
  workflowId: string;
  runId?: string;
  started: boolean;
}

export async function submitSlide(client: Client, taskQueue: string, input: SlideInput, workflowId: string) {
  try {
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [input],
      // A second start while the slide runs is refused; after it finished, it runs again.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: { bucket: input.bucket, key: input.key },
      typedSearchAttributes: [
        { key: SLIDE_BUCKET, value: input.bucket },
        { key: SLIDE_KEY, value: input.key },
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId, started: true } satisfies SubmitResult;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId, started: false } satisfies SubmitResult;
    throw err;
  }
}
