// How every route in (CLI, bridge) starts a slide's workflow: same type, deterministic ID,
// memo and search attributes. Only what a second start for a running slide does differs.
import type { WorkflowStartOptions } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import { slidePriority } from '../workflows/priority';
import { SLIDE_BUCKET, SLIDE_KEY } from '../workflows/search-attributes';
import type { SlideInput } from '../workflows/types';
import { slideWorkflowId } from './identity';

export { WORKFLOW_TYPE };

/**
 * Start options for the slide's workflow. `ifRunning`: 'FAIL' reports a second start (the CLI
 * tells the person), 'USE_EXISTING' joins the running workflow (a duplicate delivery is a
 * no-op). Either way a slide whose workflow has finished runs again (ALLOW_DUPLICATE).
 */
export function slideStartOptions(
  taskQueue: string,
  input: SlideInput,
  ifRunning: 'FAIL' | 'USE_EXISTING',
  workflowId: string = slideWorkflowId(input.bucket, input.key),
): WorkflowStartOptions {
  return {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: ifRunning,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    memo: { bucket: input.bucket, key: input.key },
    // The same priority the workflow gives its activities, so its first task is ordered too.
    priority: slidePriority(input),
    typedSearchAttributes: [
      { key: SLIDE_BUCKET, value: input.bucket },
      { key: SLIDE_KEY, value: input.key },
    ],
  };
}
