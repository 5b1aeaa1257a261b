// Starting slides: the same deterministic workflow ID as every other route in, so a slide
// already running is reported, not started twice.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { slideStartOptions, WORKFLOW_TYPE } from '../slides/start-options';
import type { SlideInput } from '../workflows/types';

export interface SubmitResult {
  workflowId: string;
  runId?: string;
  started: boolean;
}

export async function submitSlide(client: Client, taskQueue: string, input: SlideInput, workflowId: string) {
  try {
    // FAIL: a second submit while the slide runs is reported to the person, not joined.
    const handle = await client.workflow.start(
      WORKFLOW_TYPE,
      slideStartOptions(taskQueue, input, 'FAIL', workflowId),
    );
    return { workflowId, runId: handle.firstExecutionRunId, started: true } satisfies SubmitResult;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId, started: false } satisfies SubmitResult;
    throw err;
  }
}
