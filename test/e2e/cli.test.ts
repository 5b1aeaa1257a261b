// The `slides` CLI as a person runs it (a child process), against a running stack:
// submit, status, cancel (which stops the ECS task after it checkpoints), any workflow ID of a
// processSlide run, and exit codes.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createEcsClient, createS3Client } from '../../src/aws/clients';
import { slideWorkflowId } from '../../src/slides/identity';
import { processorContainer, registerTaskDefinition, SLIDES_BUCKET } from '../../dev/stack/local-stack';
import { PROJECT_ROOT } from '../../dev/tools/binaries';
import { budgetWorkflowId } from '../../src/workflows/budget-definitions';
import { DEFAULT_SLIDES_TASK_QUEUE, WORKFLOW_TYPE } from '../../src/workflows/definitions';
import type { SlideStatus } from '../../src/workflows/types';
import { readProgress } from '../../src/activities/checkpoint';
import { makeSyntheticSlide } from '../../dev/slides/synthetic';
import { putSlide, startE2EStack, type E2EStack } from '../support/stack';

const execFileAsync = promisify(execFile);
const SLIDES_BIN = path.join(PROJECT_ROOT, 'bin', 'slides.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function slides(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    // The sources under test, not a dist/ that may be older than them.
    const { stdout, stderr } = await execFileAsync(process.execPath, [SLIDES_BIN, ...args], {
      env: { ...process.env, SLIDES_FROM_SOURCE: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the slides CLI against a running stack', () => {
  let stack: E2EStack;
  let env: Record<string, string>;

  beforeAll(async () => {
    // A slowed-down processor, so there is time to look at a slide and cancel it mid-run.
    stack = await startE2EStack({
      ECS_TASK_DEFINITION: 'wsi-processor-slow',
      ECS_POLL_INTERVAL: '200ms',
      PROGRESS_INTERVAL: '200ms',
    });
    await registerTaskDefinition(
      createEcsClient(stack.env),
      'wsi-processor-slow',
      processorContainer({ TILE_DELAY_MS: '500', CHUNK_TILES: '8', TILE_CONCURRENCY: '1' }),
    );
    env = { TEMPORAL_ADDRESS: stack.temporalAddress };
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('submit, status, cancel: the task is stopped after its checkpoint, nothing left running', async () => {
    const key = 'cli/slide to cancel.tif';
    await putSlide(stack, key, await makeSyntheticSlide({ width: 2000, height: 1500, seed: 3 }));
    const uri = `s3://${SLIDES_BUCKET}/${key}`;
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);

    const submitted = await slides(env, 'submit', uri);
    expect(submitted).toMatchObject({ code: 0 });
    expect(submitted.stdout).toContain(`started ${workflowId}`);

    const again = await slides(env, 'submit', uri);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running ${workflowId}`);

    let status: SlideStatus | undefined;
    for (let i = 0; i < 100; i++) {
      const out = await slides(env, 'status', uri, '--json');
      expect(out.code).toBe(0);
      status = (JSON.parse(out.stdout) as { status?: SlideStatus }).status;
      if (status?.phase === 'RUNNING' && (status.progress?.done ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toMatchObject({ phase: 'RUNNING', tier: { name: 'small' }, attempts: { launches: 1 } });
    const taskArn = status?.taskArn as string;
    expect(taskArn).toMatch(/^arn:aws:ecs:/);

    const human = await slides(env, 'status', uri);
    expect(human.stdout).toMatch(/phase\s+RUNNING/);
    expect(human.stdout).toContain(taskArn);

    const cancelled = await slides(env, 'cancel', uri);
    expect(cancelled).toMatchObject({ code: 0 });
    await expect(stack.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
    expect((await stack.client.workflow.getHandle(workflowId).describe()).status.name).toBe('CANCELLED');

    // The workflow ends only once the task is STOPPED; the processor checkpointed on SIGTERM.
    const task = stack.localEcs.describeTask(taskArn) as {
      lastStatus: string;
      stopCode: string;
      containers: { exitCode?: number }[];
    };
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.stopCode).toBe('UserInitiated');
    expect(task.containers[0]?.exitCode).toBe(143);
    expect(stack.localEcs.stats().inFlight).toBe(0);
    const runId = (await stack.client.workflow.getHandle(workflowId).describe()).runId;
    const progress = await readProgress(
      createS3Client(stack.env),
      `s3://wsi-work/checkpoints/${status?.slideId}/${runId}.json`,
    );
    expect(progress?.done).toBeGreaterThan(0);
  });

  test('status and cancel take any workflow ID of a processSlide run, e.g. the UUID `temporal workflow start` gives', async () => {
    const key = 'cli/started by hand.tif';
    await putSlide(stack, key, await makeSyntheticSlide({ width: 2000, height: 1500, seed: 4 }));
    const workflowId = randomUUID();
    await stack.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: DEFAULT_SLIDES_TASK_QUEUE,
      workflowId,
      args: [{ bucket: SLIDES_BUCKET, key }],
    });

    // The run hands the slide over to the slide's own workflow; status shows that one's task.
    const ownId = slideWorkflowId(SLIDES_BUCKET, key);
    let state: { handedOverTo?: string; status?: SlideStatus } = {};
    for (let i = 0; i < 60 && state.status?.phase !== 'RUNNING'; i++) {
      const out = await slides(env, 'status', workflowId, '--json');
      expect(out).toMatchObject({ code: 0 });
      state = JSON.parse(out.stdout) as typeof state;
      if (state.status?.phase !== 'RUNNING') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toMatchObject({
      handedOverTo: ownId,
      status: { bucket: SLIDES_BUCKET, key, phase: 'RUNNING' },
    });
    expect(state.status?.taskArn).toMatch(/^arn:aws:ecs:/);

    // Cancel by that ID stops the slide, not only the wait.
    const cancelled = await slides(env, 'cancel', workflowId);
    expect(cancelled).toMatchObject({ code: 0 });
    expect(cancelled.stdout).toContain(`cancel requested ${workflowId}`);
    expect(cancelled.stdout).toContain(`cancel requested ${ownId}`);
    await expect(stack.client.workflow.getHandle(ownId).result()).rejects.toThrow();
    expect((await stack.client.workflow.getHandle(ownId).describe()).status.name).toBe('CANCELLED');
    const task = stack.localEcs.describeTask(state.status?.taskArn as string) as { lastStatus: string };
    expect(task.lastStatus).toBe('STOPPED');
    // The waiting run ends too: cancelled, or failed with its slide's cancellation (a race the
    // workflow decides, src/workflows/hand-over.ts).
    await expect(stack.client.workflow.getHandle(workflowId).result()).rejects.toThrow();
    const after = await slides(env, 'status', workflowId);
    expect(after.stdout).toMatch(new RegExp(`${workflowId}: (CANCELLED|FAILED)`));

    // A workflow ID of another type (the cluster's budget) is refused, not queried or cancelled.
    for (const command of ['status', 'cancel']) {
      const other = await slides(env, command, budgetWorkflowId('default'));
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('not a slide');
    }
    expect((await stack.client.workflow.getHandle(budgetWorkflowId('default')).describe()).status.name).toBe(
      'RUNNING',
    );
  });

  test('exit codes: 2 for usage errors, 1 for an unknown slide, 3 when Temporal is unreachable', async () => {
    const usage = await slides(env, 'status', 's3://no-key-here');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('expected s3://bucket/key');

    const unknownId = await slides(env, 'status', 'not-a-workflow');
    expect(unknownId.code).toBe(1);
    expect(unknownId.stderr).toContain('no slide workflow not-a-workflow');

    const unknown = await slides(env, 'status', `s3://${SLIDES_BUCKET}/never submitted.tif`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no slide workflow');

    const unreachable = await slides(
      { TEMPORAL_ADDRESS: '127.0.0.1:1' },
      'status',
      `s3://${SLIDES_BUCKET}/x.tif`,
    );
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
  });
});
