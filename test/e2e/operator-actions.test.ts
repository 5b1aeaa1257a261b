// What operators do to running slides with Temporal's own tools, on the whole stack with ECS
// as it really answers: terminate and re-submit, terminate alone, reset, start without the
// slide's ID. After each, at most one task of the slide was alive at any instant, nothing is
// left running, and the status says what happened.
import { randomUUID } from 'node:crypto';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import type { WorkflowHandle } from '@temporalio/client';
import { createEcsClient } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId, startedByFor } from '../../src/slides/identity';
import { registerTaskDefinition, simulatedContainer, SLIDES_BUCKET } from '../../dev/stack/local-stack';
import { statusQuery } from '../../src/workflows/definitions';
import type { SlideResult } from '../../src/workflows/types';
import { putSlide, startE2EStack, type E2EStack } from '../support/stack';
import { waitFor } from '../support/wait';

const SIM = 'operator-sim';

describe('operator actions on running slides', () => {
  let stack: E2EStack;
  let n = 0;

  beforeAll(async () => {
    stack = await startE2EStack({
      ECS_TASK_DEFINITION: SIM,
      ECS_TASK_SLOTS: '10',
      ECS_POLL_INTERVAL: '200ms',
      PROGRESS_INTERVAL: '200ms',
      RETRY_INITIAL_INTERVAL: '200ms',
      RETRY_MAX_INTERVAL: '1s',
      // The budget reads the cluster (and looks for orphans) every second here.
      BUDGET_REFRESH: '1s',
      ORPHAN_GRACE: '1s',
    });
    // Long enough to act on while it runs; short enough for the slide to finish in the test.
    await registerTaskDefinition(
      createEcsClient(stack.env),
      SIM,
      simulatedContainer({ SIM_DURATION_MS: '4000' }),
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function submit(): Promise<{ workflowId: string; key: string; handle: WorkflowHandle }> {
    const key = `operators/slide-${++n}.svs`;
    await putSlide(stack, key);
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, workflowId);
    return { workflowId, key, handle: stack.client.workflow.getHandle(workflowId) };
  }

  async function untilRunning(handle: WorkflowHandle): Promise<string> {
    let taskArn: string | undefined;
    await waitFor(
      'the slide to run its task',
      async () => {
        const status = await handle.query(statusQuery);
        taskArn = status.taskArn;
        return status.phase === 'RUNNING' && taskArn !== undefined;
      },
      60_000,
      100,
    );
    return taskArn as string;
  }

  /** Tasks of the slide alive now, and the most alive at once, as the local ECS counted them. */
  const tasksOf = (workflowId: string) =>
    stack.localEcs.stats().startedBy[startedByFor(workflowId)] ?? { inFlight: 0, maxInFlight: 0 };

  async function stoppedReason(taskArn: string): Promise<string | undefined> {
    const out = await createEcsClient(stack.env).send(
      new DescribeTasksCommand({ cluster: 'default', tasks: [taskArn] }),
    );
    return out.tasks?.[0]?.stoppedReason;
  }

  test('terminate + re-submit: the new run stops the old task before it launches; one task alive at a time', async () => {
    const { workflowId, handle } = await submit();
    const first = await untilRunning(handle);
    await handle.terminate('operator: stuck, trying again');
    await submitSlide(
      stack.client,
      'slides',
      { bucket: SLIDES_BUCKET, key: `operators/slide-${n}.svs` },
      workflowId,
    );

    const result = (await stack.client.workflow.getHandle(workflowId).result()) as SlideResult;

    expect(result.launches).toBe(1);
    expect(await stoppedReason(first)).toMatch(/replaced by launch 1 of workflow run|orphan/);
    expect(tasksOf(workflowId)).toEqual({ inFlight: 0, maxInFlight: 1 });
    expect(await stack.client.workflow.getHandle(workflowId).query(statusQuery)).toMatchObject({
      phase: 'SUCCEEDED',
    });
  });

  test('terminate alone: the orphan reaper stops the task no run owns any more', async () => {
    const { workflowId, handle } = await submit();
    const task = await untilRunning(handle);
    await handle.terminate('operator: not wanted');

    await waitFor('the reaper to stop the orphan', () => tasksOf(workflowId).inFlight === 0, 30_000, 200);

    expect(await stoppedReason(task)).toContain('orphan; its workflow run');
    expect(tasksOf(workflowId).maxInFlight).toBe(1);
  });

  test('reset to the first workflow task: the new run replaces the old task and completes', async () => {
    const { workflowId, handle } = await submit();
    const first = await untilRunning(handle);
    const { runId } = await handle.describe();
    const history = await handle.fetchHistory();
    const firstTaskDone = (history.events ?? []).find((e) => e.workflowTaskCompletedEventAttributes);
    await stack.client.workflowService.resetWorkflowExecution({
      namespace: stack.client.options.namespace,
      workflowExecution: { workflowId, runId },
      workflowTaskFinishEventId: firstTaskDone?.eventId,
      requestId: randomUUID(),
      reason: 'operator: reset to the start',
    });

    const latest = stack.client.workflow.getHandle(workflowId);
    const result = (await latest.result()) as SlideResult;

    expect((await latest.describe()).runId).not.toBe(runId);
    expect(result.launches).toBe(1);
    expect(await stoppedReason(first)).toMatch(/replaced by launch 1 of workflow run|orphan/);
    expect(tasksOf(workflowId)).toEqual({ inFlight: 0, maxInFlight: 1 });
    expect(await latest.query(statusQuery)).toMatchObject({ phase: 'SUCCEEDED' });
  });

  test("started without the slide's ID (as `temporal workflow start` without --workflow-id): one task, and a true status", async () => {
    const key = `operators/slide-${++n}.svs`;
    await putSlide(stack, key);
    const random = await stack.client.workflow.start('processSlide', {
      taskQueue: 'slides',
      workflowId: randomUUID(),
      args: [{ bucket: SLIDES_BUCKET, key }],
    });
    const own = slideWorkflowId(SLIDES_BUCKET, key);

    const result = (await random.result()) as SlideResult;

    expect(result.launches).toBe(1);
    expect(await random.query(statusQuery)).toMatchObject({
      phase: 'SUCCEEDED',
      heldBy: own,
      attempts: { launches: 1 },
    });
    expect(tasksOf(own)).toEqual({ inFlight: 0, maxInFlight: 1 });
  });
});
