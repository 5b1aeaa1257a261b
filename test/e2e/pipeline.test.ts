// End to end on the dev server, the local ECS and moto, with simulated tasks: every slide
// completes with exactly one RunTask, never more tasks in flight than the slots, never
// launched faster than the task-queue rate limit.
import { createEcsClient } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import { registerTaskDefinition, simulatedContainer, SLIDES_BUCKET } from '../../dev/stack/local-stack';
import type { SlideResult } from '../../src/workflows/types';
import { putSlide, startE2EStack, type E2EStack } from '../support/stack';
import { waitFor } from '../support/wait';

const SLOTS = 4;
const LAUNCHES_PER_SECOND = 4;
const SLIDES = 20;

describe('the pipeline with simulated tasks', () => {
  let stack: E2EStack;

  beforeAll(async () => {
    stack = await startE2EStack({
      ECS_TASK_DEFINITION: 'e2e-sim',
      ECS_TASK_SLOTS: String(SLOTS),
      ECS_LAUNCH_RATE: String(LAUNCHES_PER_SECOND),
      ECS_POLL_INTERVAL: '200ms',
      PROGRESS_INTERVAL: '200ms',
    });
    await registerTaskDefinition(
      createEcsClient(stack.env),
      'e2e-sim',
      simulatedContainer({ SIM_DURATION_MS: '1500' }),
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  test(`${SLIDES} slides complete, each with exactly one RunTask, within the slot and rate limits`, async () => {
    const keys = Array.from({ length: SLIDES }, (_, i) => `batch/slide ${i}.svs`);
    await Promise.all(keys.map((key) => putSlide(stack, key)));
    stack.localEcs.resetStats();

    const handles = await Promise.all(
      keys.map(async (key) => {
        const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
        const r = await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, workflowId);
        expect(r.started).toBe(true);
        return stack.client.workflow.getHandle(workflowId);
      }),
    );
    const results = (await Promise.all(handles.map((h) => h.result()))) as SlideResult[];

    expect(results.every((r) => r.launches === 1 && r.attempts[0]?.outcome === 'success')).toBe(true);
    const stats = stack.localEcs.stats();
    expect(stats.runTask.calls).toBe(SLIDES);
    expect(stats.tasksLaunched).toBe(SLIDES);
    // Never two live tasks for one slide, although new tasks were briefly MISSING (realistic ECS).
    expect(Math.max(...Object.values(stats.startedBy).map((s) => s.maxInFlight))).toBe(1);
    // Slots: never more of this worker's tasks alive at once than its activity slots.
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(stats.maxInFlight).toBeLessThanOrEqual(SLOTS);
    // Rate: in any one-second window, no more launches than the rate allows (+1 for the edge).
    const t = [...stats.launchTimestamps].sort((a, b) => a - b);
    for (let i = 0; i < t.length; i++) {
      const inWindow = t.filter((x) => x >= (t[i] as number) && x < (t[i] as number) + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(LAUNCHES_PER_SECOND + 1);
    }
    // The UI can find every slide by its key and sees it done (once visibility catches up).
    let listed: string[] = [];
    await waitFor('every slide listed as SUCCEEDED', async () => {
      listed = [];
      for await (const wf of stack.client.workflow.list({ query: `SlidePhase = 'SUCCEEDED'` })) {
        listed.push(String(wf.searchAttributes?.SlideKey?.[0]));
      }
      return listed.length >= keys.length;
    });
    expect(listed.sort()).toEqual([...keys].sort());
  });

  test('submitting a slide that is already running starts nothing new', async () => {
    const key = 'dup/slide.svs';
    await putSlide(stack, key);
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    const first = await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, workflowId);
    const second = await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, workflowId);
    expect(first.started).toBe(true);
    expect(second.started).toBe(false);
    await stack.client.workflow.getHandle(workflowId).result();
  });

  test('a slide that does not exist fails at once, naming it', async () => {
    const workflowId = slideWorkflowId(SLIDES_BUCKET, 'missing.svs');
    await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key: 'missing.svs' }, workflowId);
    await expect(stack.client.workflow.getHandle(workflowId).result()).rejects.toMatchObject({
      cause: { message: expect.stringContaining(`slide s3://${SLIDES_BUCKET}/missing.svs does not exist`) },
    });
  });
});
