// awaitSlideWorkflow: the waiting half of a hand-over. A processSlide run under a workflow ID
// that is not the slide's own joins the run that is (src/workflows/hand-over.ts); when that
// run was started by another route, only a client can wait for its result. Waits a bounded
// time per call, heartbeating, so a dead worker's wait is picked up by another.
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { AwaitSlideWorkflowInput, AwaitSlideWorkflowResult } from './api';
import type { SlideResult } from '../workflows/types';

export interface AwaitDeps {
  client?: Client;
}

const HEARTBEAT_EVERY_MS = 10_000;

export async function awaitSlideWorkflow(
  deps: AwaitDeps,
  input: AwaitSlideWorkflowInput,
): Promise<AwaitSlideWorkflowResult> {
  if (!deps.client) throw new Error('awaitSlideWorkflow needs a Temporal client (createWorkers passes one)');
  const ctx = Context.current();
  const result = deps.client.workflow.getHandle<() => Promise<SlideResult>>(input.workflowId).result();
  const ended = result.then(
    (value): AwaitSlideWorkflowResult => ({ status: 'completed', result: value }),
    (err: unknown): AwaitSlideWorkflowResult => {
      const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
      return {
        status: 'failed',
        message: cause?.message ?? (err instanceof Error ? err.message : String(err)),
        type: (cause as { type?: string } | undefined)?.type ?? undefined,
      };
    },
  );
  const deadline = Date.now() + input.waitMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { status: 'running' };
    ctx.heartbeat();
    const outcome = await Promise.race([
      ended,
      ctx.sleep(Math.min(HEARTBEAT_EVERY_MS, remaining)).then(() => undefined),
    ]);
    if (outcome) return outcome;
  }
}
