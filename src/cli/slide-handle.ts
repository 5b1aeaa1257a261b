// The run a workflow ID names, checked to be a slide. `status`, `cancel` and `watch` take any
// workflow ID, so one that names another workflow (a cluster budget, say) must be refused, not
// queried or cancelled. A slide run under an ID other than the slide's own (a UUID from
// `temporal workflow start`) does no work itself: it hands over to the slide's own workflow
// (src/workflows/hand-over.ts), which is where the task, the progress and a cancel belong.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { slideWorkflowId } from '../slides/identity';
import { statusQuery, WORKFLOW_TYPE } from '../workflows/definitions';
import { EXIT, ExitError } from './exit';

export interface SlideRun {
  handle: WorkflowHandle;
  /** What describe() said of it (pending activities carry the task's heartbeat). */
  description: Awaited<ReturnType<WorkflowHandle['describe']>>;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  execution: string;
  /** The slide's own workflow ID when it is not this run's: the run that does the work. */
  handedOverTo?: string;
}

interface SlideMemo {
  bucket?: unknown;
  key?: unknown;
}

/** The slide's bucket and key: from the memo, or (before the run has set it) its status query. */
async function slideOf(
  handle: WorkflowHandle,
  memo: SlideMemo | undefined,
  execution: string,
): Promise<{ bucket: string; key: string } | undefined> {
  if (typeof memo?.bucket === 'string' && typeof memo.key === 'string')
    return { bucket: memo.bucket, key: memo.key };
  if (execution !== 'RUNNING') return undefined;
  const status = await handle.query(statusQuery);
  return { bucket: status.bucket, key: status.key };
}

/** The latest run of `workflowId`, or undefined when there is none; throws when it is not a processSlide run. */
export async function findSlideRun(client: Client, workflowId: string): Promise<SlideRun | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  if (description.type !== WORKFLOW_TYPE) {
    throw new ExitError(
      `${workflowId} is a ${description.type} workflow, not a slide (${WORKFLOW_TYPE})`,
      EXIT.failed,
    );
  }
  const execution = description.status.name;
  const slide = await slideOf(handle, description.memo as SlideMemo | undefined, execution);
  const ownId = slide && slideWorkflowId(slide.bucket, slide.key);
  return {
    handle,
    description,
    execution,
    ...(ownId && ownId !== workflowId ? { handedOverTo: ownId } : {}),
  };
}
