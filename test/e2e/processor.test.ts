// End to end with the reference processor on real synthetic slides: DeepZoom tiles land in
// moto's S3, progress is visible through the `status` query; and a slide started with the
// Temporal CLI binary and plain JSON input completes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import { SLIDES_BUCKET } from '../../dev/stack/local-stack';
import { requireTemporalCli } from '../../dev/tools/binaries';
import { statusQuery } from '../../src/workflows/definitions';
import type { Progress, SlideResult } from '../../src/workflows/types';
import { makeSyntheticSlide } from '../../dev/slides/synthetic';
import { keysUnder } from '../support/s3';
import { putSlide, startE2EStack, type E2EStack } from '../support/stack';

const run = promisify(execFile);

async function countObjects(stack: E2EStack, uri: string): Promise<{ tiles: number; dzi: number }> {
  const { keys } = await keysUnder(createS3Client(stack.env), uri);
  return {
    tiles: keys.filter((k) => k.endsWith('.jpeg')).length,
    dzi: keys.filter((k) => k.endsWith('.dzi')).length,
  };
}

describe('the pipeline with the reference processor', () => {
  let stack: E2EStack;

  beforeAll(async () => {
    stack = await startE2EStack({ ECS_POLL_INTERVAL: '200ms', PROGRESS_INTERVAL: '200ms' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('3 synthetic slides are tiled into S3, with progress visible while they run', async () => {
    const keys = ['real/slide 1.tif', 'real/slide 2.tif', 'real/slide ü 3.tif'];
    for (const [i, key] of keys.entries()) {
      await putSlide(stack, key, await makeSyntheticSlide({ width: 2600, height: 1900, seed: i + 1 }));
    }
    const ids = keys.map((key) => slideWorkflowId(SLIDES_BUCKET, key));
    for (const [i, key] of keys.entries()) {
      await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, ids[i] as string);
    }

    // Watch the status query until some progress has been read from a checkpoint.
    const seen: Progress[] = [];
    const watching = (async () => {
      for (let i = 0; i < 600 && seen.length === 0; i++) {
        for (const id of ids) {
          const status = await stack.client.workflow.getHandle(id).query(statusQuery);
          if (status.progress && status.progress.total > 0 && status.phase === 'RUNNING')
            seen.push(status.progress);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const results = (await Promise.all(
      ids.map((id) => stack.client.workflow.getHandle(id).result()),
    )) as SlideResult[];
    await watching;

    expect(seen.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.attempts.map((a) => a.outcome)).toEqual(['success']);
      expect(result.progress).toBeDefined();
      const progress = result.progress as Progress;
      expect(progress.done).toBe(progress.total);
      const counted = await countObjects(stack, result.outputUri);
      expect(counted).toEqual({ tiles: progress.total, dzi: 1 });
    }
    // The DZI descriptor is what a viewer opens: it names the tile format and the image size.
    const { bucket, key } = parseS3Uri(`${results[0]?.outputUri}slide.dzi`);
    const dzi = await createS3Client(stack.env).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await dzi.Body?.transformToString()).toMatch(
      /Format="jpeg"[\s\S]*Width="2600"[\s\S]*Height="1900"/,
    );
    // Three real slides tiled by real processes: a loaded CI machine took over the default two
    // minutes once; the test is about what happens, not how fast.
  }, 360_000);

  test('a slide started with the Temporal CLI and plain JSON input completes', async () => {
    const key = 'cli/started by temporal.tif';
    await putSlide(stack, key, await makeSyntheticSlide({ width: 800, height: 600, seed: 9 }));
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    const input = JSON.stringify({ bucket: SLIDES_BUCKET, key });
    await run(requireTemporalCli(), [
      'workflow',
      'start',
      '--address',
      stack.temporalAddress,
      '--type',
      'processSlide',
      '--task-queue',
      'slides',
      '--workflow-id',
      workflowId,
      '--input',
      input,
    ]);
    const result = (await stack.client.workflow.getHandle(workflowId).result()) as SlideResult;
    expect(result.progress?.done).toBe(result.progress?.total);
    expect((await countObjects(stack, result.outputUri)).dzi).toBe(1);
  });
});
