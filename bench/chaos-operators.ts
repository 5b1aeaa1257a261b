// Operators at work during the chaos run, with Temporal's own tools as a person would use
// them: terminate a running slide and submit it again, reset a slide to its first workflow
// task, terminate the cluster budget. The pipeline must keep one live task per slide and
// leave nothing running (docs/operations.md, "Operator actions").
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { submitSlide } from '../src/cli/submit';
import { statusQuery } from '../src/workflows/definitions';
import type { SlideInput } from '../src/workflows/types';

export interface OperatorActions {
  resubmitted: number;
  reset: number;
  budgetTerminated: number;
}

/** The slide input a run was started with (its first event), to submit the same slide again. */
async function inputOf(handle: WorkflowHandle): Promise<SlideInput> {
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!payload?.data) throw new Error(`no input in ${handle.workflowId}'s history`);
  return JSON.parse(Buffer.from(payload.data).toString('utf8')) as SlideInput;
}

async function terminateAndResubmit(client: Client, handle: WorkflowHandle): Promise<void> {
  const input = await inputOf(handle);
  const { taskQueue } = await handle.describe();
  await handle.terminate('chaos: an operator terminates a running slide');
  await submitSlide(client, taskQueue, input, handle.workflowId);
}

async function resetToStart(client: Client, handle: WorkflowHandle): Promise<void> {
  const { runId } = await handle.describe();
  const history = await handle.fetchHistory();
  const firstTask = history.events?.find((e) => e.workflowTaskCompletedEventAttributes);
  await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId, runId },
    workflowTaskFinishEventId: firstTask?.eventId,
    requestId: randomUUID(),
    reason: 'chaos: an operator resets a running slide',
  });
}

/**
 * `count` slides with a running task terminated and re-submitted, `count` queued slides reset
 * (a queued slide cannot complete between the look and the reset, which would make a second
 * completed run), then the budget terminated. The operator looks again until it has found
 * enough slides in each phase (on a loaded machine one look may find only one running), each
 * slide acted on at most once, and gives up at `lookFor` so a run without such slides ends.
 */
export async function operate(
  client: Client,
  slides: WorkflowHandle[],
  count: number,
  budgetWorkflowId: string,
  lookFor = 90_000,
): Promise<OperatorActions> {
  const done: OperatorActions = { resubmitted: 0, reset: 0, budgetTerminated: 0 };
  const actedOn = new Set<string>();
  const until = Date.now() + lookFor;
  while (done.resubmitted + done.reset < 2 * count && Date.now() < until) {
    for (const handle of slides) {
      if (done.resubmitted + done.reset >= 2 * count) break;
      if (actedOn.has(handle.workflowId)) continue;
      const phase = await handle.query(statusQuery).then(
        (s) => s.phase,
        () => undefined, // closed meanwhile
      );
      try {
        if (phase === 'RUNNING' && done.resubmitted < count) {
          actedOn.add(handle.workflowId);
          await terminateAndResubmit(client, handle);
          done.resubmitted++;
        } else if (phase === 'QUEUED' && done.reset < count) {
          actedOn.add(handle.workflowId);
          await resetToStart(client, handle);
          done.reset++;
        }
      } catch (err) {
        // The slide finished between the look and the act: an operator would pick another.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    if (done.resubmitted + done.reset < 2 * count) await new Promise((r) => setTimeout(r, 500));
  }
  await client.workflow.getHandle(budgetWorkflowId).terminate('chaos: an operator terminates the budget');
  done.budgetTerminated = 1;
  return done;
}
