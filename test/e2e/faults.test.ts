// Every fault ECS can throw at a slide, injected into the local ECS while the real pipeline
// runs (dev server, worker, moto): each slide ends as the outcome table says, and no fault
// ever makes a second task for one launch.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { WorkflowHandle } from '@temporalio/client';
import { createEcsClient, createS3Client } from '../../src/aws/clients';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import {
  processorContainer,
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
} from '../../dev/stack/local-stack';
import { statusQuery } from '../../src/workflows/definitions';
import type { SlideInput, SlidePhase, SlideResult } from '../../src/workflows/types';
import { makeSyntheticSlide } from '../../dev/slides/synthetic';
import { putSlide, startE2EStack, type E2EStack } from '../support/stack';

const SIM = 'faults-sim';
const SLOW_PROCESSOR = 'faults-processor';
const HUNGRY = 'faults-sim-hungry';
const CHUNK_TILES = 8;

describe('faults on the whole stack', () => {
  let stack: E2EStack;
  let n = 0;

  beforeAll(async () => {
    stack = await startE2EStack({
      ECS_TASK_DEFINITION: SIM,
      ECS_TASK_SLOTS: '10',
      ECS_POLL_INTERVAL: '200ms',
      PROGRESS_INTERVAL: '200ms',
      STUCK_AFTER: '2s',
      RELAUNCH_BACKOFF: '100ms',
      RETRY_INITIAL_INTERVAL: '200ms',
      RETRY_MAX_INTERVAL: '1s',
    });
    const ecs = createEcsClient(stack.env);
    await registerTaskDefinition(ecs, SIM, simulatedContainer({ SIM_DURATION_MS: '1500' }));
    await registerTaskDefinition(
      ecs,
      HUNGRY,
      simulatedContainer({ SIM_DURATION_MS: '1500', SIM_MEMORY_MIB: '700', SIM_MEMORY_AFTER_MS: '300' }),
    );
    await registerTaskDefinition(
      ecs,
      SLOW_PROCESSOR,
      processorContainer({ TILE_DELAY_MS: '60', CHUNK_TILES: String(CHUNK_TILES), TILE_CONCURRENCY: '1' }),
    );
  });

  beforeEach(() => {
    stack.localEcs.clearFaultRules();
    stack.localEcs.setClusterCapacity('default', { cpu: 4096, memory: 8192 });
    stack.localEcs.resetStats();
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Submits a slide (a stand-in object unless a body is given) and returns its handle and key. */
  async function submit(
    extra: Partial<SlideInput> = {},
    body?: Buffer,
  ): Promise<{ handle: WorkflowHandle; key: string }> {
    const key = `faults/slide-${++n}.tif`;
    await putSlide(stack, key, body);
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key, ...extra }, workflowId);
    return { handle: stack.client.workflow.getHandle(workflowId), key };
  }

  async function failureMessage(handle: WorkflowHandle): Promise<string> {
    const err = await handle.result().then(
      () => undefined,
      (e: { cause?: Error }) => e,
    );
    expect(err).toBeDefined();
    return err?.cause?.message ?? '';
  }

  async function waitForPhase(handle: WorkflowHandle, phase: SlidePhase): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if ((await handle.query(statusQuery)).phase === phase) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never reached ${phase}`);
  }

  test('OOM in the first tier: relaunched one tier larger and completes', async () => {
    stack.localEcs.addFaultRule({ type: 'oom', match: { taskMemoryAtMost: 512 }, afterRunningMs: 200 });
    const { handle } = await submit();
    const result = (await handle.result()) as SlideResult;
    expect(result.attempts.map((a) => [a.outcome, a.tier, a.exitCode])).toEqual([
      ['out-of-memory', 'small', 137],
      ['success', 'medium', 0],
    ]);
    expect(stack.localEcs.stats().tasksLaunched).toBe(2);
  });

  test('OOM in the largest tier fails the slide, saying which tier and what memory', async () => {
    stack.localEcs.addFaultRule({ type: 'oom', afterRunningMs: 100 });
    const { handle } = await submit();
    const message = await failureMessage(handle);
    expect(message).toContain('out of memory in the largest tier "large" (cpu 1024, memory 2048 MiB)');
    expect(message).toContain('OutOfMemoryError');
    expect(message).toMatch(
      /launch 1: out-of-memory in tier small[\s\S]*launch 3: out-of-memory in tier large/,
    );
  });

  test('a container over its memory limit is killed with 137 and relaunched larger', async () => {
    // The hungry container peaks at 700 MiB: over the small tier's 512, within medium's 1024.
    const { handle } = await submit({ taskDefinition: HUNGRY });
    const result = (await handle.result()) as SlideResult;
    expect(result.attempts.map((a) => [a.outcome, a.tier, a.exitCode])).toEqual([
      ['out-of-memory', 'small', 137],
      ['success', 'medium', 0],
    ]);
    expect(result.attempts[0]?.reason).toContain('OutOfMemoryError');
  });

  test('spot interruption mid-run: resumed from the checkpoint, at most one chunk redone', async () => {
    stack.localEcs.addFaultRule({
      type: 'spotInterruption',
      times: 1,
      afterRunningMs: 2500,
      warningMs: 5000,
    });
    const slide = await makeSyntheticSlide({ width: 2000, height: 1500, seed: 5 });
    const { handle } = await submit({ taskDefinition: SLOW_PROCESSOR }, slide);
    const result = (await handle.result()) as SlideResult;
    expect(result.attempts.map((a) => [a.outcome, a.stopCode])).toEqual([
      ['interrupted', 'SpotInterruption'],
      ['success', 'EssentialContainerExited'],
    ]);
    const { bucket, key } = parseS3Uri(result.checkpointUri);
    const out = await createS3Client(stack.env).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const checkpoint = JSON.parse((await out.Body?.transformToString()) ?? '{}') as {
      done: number;
      total: number;
      processedTotal: number;
      runs: number;
    };
    expect(checkpoint.runs).toBe(2);
    expect(checkpoint.done).toBe(checkpoint.total);
    // Work redone = tiles processed beyond the slide's tiles: at most one chunk per interruption.
    expect(checkpoint.processedTotal - checkpoint.total).toBeLessThanOrEqual(CHUNK_TILES);
  });

  test.each(['TerminationNotice', 'ServiceSchedulerInitiated'] as const)(
    '%s: relaunched without using up the failure budget',
    async (stopCode) => {
      stack.localEcs.addFaultRule({ type: 'stop', stopCode, times: 1, afterRunningMs: 200 });
      const { handle } = await submit();
      const result = (await handle.result()) as SlideResult;
      expect(result.attempts.map((a) => [a.outcome, a.stopCode])).toEqual([
        ['interrupted', stopCode],
        ['success', 'EssentialContainerExited'],
      ]);
    },
  );

  test('a task stuck in PROVISIONING is stopped after STUCK_AFTER and launched again', async () => {
    stack.localEcs.addFaultRule({ type: 'stuck', status: 'PROVISIONING', times: 1 });
    const { handle } = await submit();
    const result = (await handle.result()) as SlideResult;
    expect(result.attempts.map((a) => a.outcome)).toEqual(['stuck', 'success']);
    const stuck = stack.localEcs.describeTask(result.attempts[0]?.taskArn as string) as {
      lastStatus: string;
      stopCode: string;
    };
    expect(stuck).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
  });

  test('TaskFailedToStart: retried a few times, then fails with CannotPullContainerError', async () => {
    stack.localEcs.addFaultRule({ type: 'failToStart', times: 2 });
    const recovers = await submit();
    expect(((await recovers.handle.result()) as SlideResult).attempts.map((a) => a.outcome)).toEqual([
      'start-failure',
      'start-failure',
      'success',
    ]);

    stack.localEcs.addFaultRule({ type: 'failToStart' });
    const fails = await submit();
    const message = await failureMessage(fails.handle);
    expect(message).toContain('failed to start 3 times');
    expect(message).toContain('CannotPullContainerError');
  });

  test('a full cluster makes launches wait, not fail, until capacity frees up', async () => {
    stack.localEcs.setClusterCapacity('default', { cpu: 0, memory: 0 });
    const slides = await Promise.all([submit(), submit(), submit()]);
    for (const s of slides) await waitForPhase(s.handle, 'WAITING_FOR_CAPACITY');
    expect(stack.localEcs.stats().runTask.withFailures).toBeGreaterThan(0);

    stack.localEcs.setClusterCapacity('default', { cpu: 4096, memory: 8192 });
    const results = (await Promise.all(slides.map((s) => s.handle.result()))) as SlideResult[];
    expect(results.map((r) => r.launches)).toEqual([1, 1, 1]);
    expect(stack.localEcs.stats().tasksLaunched).toBe(3);
  });

  test('a throttling storm on RunTask and DescribeTasks fails no slide and duplicates no task', async () => {
    // Long and partial, so the launches fall inside it however slowly a loaded machine gets
    // them to RunTask, and still get through in the end.
    stack.localEcs.throttle({ actions: ['RunTask', 'DescribeTasks'], durationMs: 20_000, probability: 0.6 });
    const slides = await Promise.all(Array.from({ length: 5 }, () => submit()));
    const results = (await Promise.all(slides.map((s) => s.handle.result()))) as SlideResult[];
    expect(results.every((r) => r.launches === 1)).toBe(true);
    const stats = stack.localEcs.stats();
    expect(stats.runTask.throttled + stats.describeTasks.throttled).toBeGreaterThan(0);
    expect(stats.tasksLaunched).toBe(5);
  });
});
