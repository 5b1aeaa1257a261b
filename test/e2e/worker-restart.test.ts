// Workers die and restart; slides do not notice. Workers run as real OS processes: one is
// SIGKILLed mid-task and another reattaches to its tasks; one drains on SIGTERM, its tasks
// keep running on ECS, and a restarted worker reattaches. No task is ever launched twice.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createEcsClient } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import {
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
  type LocalStack,
} from '../../dev/stack/local-stack';
import { statusQuery } from '../../src/workflows/definitions';
import type { SlideResult } from '../../src/workflows/types';
import { putSlide, REALISTIC_ECS, REALISTIC_SETTINGS } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const FAMILY = 'restart-sim';

async function waitUntilRunning(handles: WorkflowHandle[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const phases = await Promise.all(handles.map((h) => h.query(statusQuery).then((s) => s.phase)));
    if (phases.every((p) => p === 'RUNNING')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('slides did not reach RUNNING');
}

async function submitAll(
  client: Client,
  prefix: string,
  count: number,
  stack: LocalStack,
): Promise<WorkflowHandle[]> {
  const handles: WorkflowHandle[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${prefix}/slide-${i}.svs`;
    await putSlide(stack, key);
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    await submitSlide(client, 'slides', { bucket: SLIDES_BUCKET, key }, workflowId);
    handles.push(client.workflow.getHandle(workflowId));
  }
  return handles;
}

/** The attempt numbers at which runEcsTask started, from the workflow's history. */
async function runEcsTaskAttempts(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.activityTaskStartedEventAttributes)
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
}

describe('worker crashes and restarts', () => {
  let stack: LocalStack;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ localEcs: REALISTIC_ECS });
    await registerTaskDefinition(
      createEcsClient(stack.env),
      FAMILY,
      simulatedContainer({ SIM_DURATION_MS: '8000' }),
    );
    env = {
      ...stack.env,
      ...REALISTIC_SETTINGS,
      ECS_TASK_DEFINITION: FAMILY,
      ECS_TASK_SLOTS: '10',
      ECS_POLL_INTERVAL: '500ms',
      PROGRESS_INTERVAL: '1s',
      HEARTBEAT_TIMEOUT: '3s',
      RETRY_INITIAL_INTERVAL: '200ms',
      WORKER_SHUTDOWN_GRACE: '1s',
    };
  });

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.close();
  });

  test('SIGKILL mid-task: another worker process reattaches to the same tasks', async () => {
    const a = await startWorkerProcess(env);
    workers.push(a);
    stack.localEcs.resetStats();
    const handles = await submitAll(stack.client, 'kill', 4, stack);
    await waitUntilRunning(handles);
    const arnsBefore = await Promise.all(handles.map((h) => h.query(statusQuery).then((s) => s.taskArn)));

    a.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const b = await startWorkerProcess(env);
    workers.push(b);

    const results = (await Promise.all(handles.map((h) => h.result()))) as SlideResult[];
    expect(results.map((r) => r.launches)).toEqual([1, 1, 1, 1]);
    expect(results.map((r) => r.attempts[0]?.taskArn)).toEqual(arnsBefore);
    expect(stack.localEcs.stats().tasksLaunched).toBe(4);
    // The activity that completed was a retry (attempt > 1), run by the second worker.
    for (const h of handles) expect(Math.max(...(await runEcsTaskAttempts(h)))).toBeGreaterThan(1);
    b.kill('SIGTERM');
    await b.exited;
  });

  test('SIGTERM drains the worker; its tasks keep running and are reattached after a restart', async () => {
    const c = await startWorkerProcess(env);
    workers.push(c);
    stack.localEcs.resetStats();
    const handles = await submitAll(stack.client, 'drain', 3, stack);
    await waitUntilRunning(handles);

    const stoppedAt = Date.now();
    c.kill('SIGTERM');
    const exit = await c.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    // The shutdown stopped no task: they are still running on ECS.
    expect(stack.localEcs.stats().inFlight).toBe(3);

    const d = await startWorkerProcess(env);
    workers.push(d);
    const results = (await Promise.all(handles.map((h) => h.result()))) as SlideResult[];
    expect(results.every((r) => r.launches === 1 && r.attempts[0]?.outcome === 'success')).toBe(true);
    expect(stack.localEcs.stats().tasksLaunched).toBe(3);
    d.kill('SIGTERM');
    await d.exited;
  });
});
