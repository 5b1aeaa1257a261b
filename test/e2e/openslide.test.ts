// Vendor slides end to end: each format the test-slide generator makes (Aperio SVS with JPEG
// and with JPEG 2000 inside, a generic tiled TIFF, a DICOM WSI folder) goes through
// processSlide on the realistic local ECS to the OpenSlide processor (by the stack's routes,
// or by the input's taskDefinition), is interrupted mid-slide and resumed, and its output is
// checked against OpenSlide's own read of the slide. Then docs/python-tasks.md's example, a
// lab's own Python program, runs as a slide task.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createEcsClient, createS3Client } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import { statusQuery } from '../../src/workflows/definitions';
import type { SlideInput, SlideResult } from '../../src/workflows/types';
import {
  checkOutputAgainstOpenSlide,
  makeTestSlides,
  uploadTestSlide,
  type TestSlide,
  type TestSlideKind,
} from '../../dev/slides/python-slides';
import {
  EXAMPLE_FAMILY,
  LOCAL_ROUTES,
  OPENSLIDE_FAMILY,
  openslideContainer,
  registerTaskDefinition,
  SLIDES_BUCKET,
  UPLOADS_PREFIX,
} from '../../dev/stack/local-stack';
import { keysUnder } from '../support/s3';
import { startE2EStack, type E2EStack } from '../support/stack';

const CHUNK_TILES = 8;

/** Where each generated slide goes, and whether its key's route or its input picks the processor. */
const CASES: { kind: TestSlideKind; key: string; vendor: string; input?: Partial<SlideInput> }[] = [
  { kind: 'svs-jpeg', key: 'vendor/aperio jpeg.svs', vendor: 'aperio' },
  { kind: 'svs-j2k', key: 'vendor/aperio jp2k.SVS', vendor: 'aperio' },
  // A plain TIFF's route is the TypeScript processor; a lab that wants OpenSlide's reading names it.
  {
    kind: 'tiff',
    key: 'vendor/generic.tiff',
    vendor: 'generic-tiff',
    input: { taskDefinition: OPENSLIDE_FAMILY },
  },
  // A folder slide: the `/` route; the bridge would announce it from any of its .dcm uploads.
  { kind: 'dicom', key: 'vendor/dicom case', vendor: 'dicom' },
];

/** Copies every object under an S3 prefix into `dir`, keeping the paths below the prefix. */
async function download(stack: E2EStack, uri: string, dir: string): Promise<number> {
  const s3 = createS3Client(stack.env);
  const { bucket, prefix, keys } = await keysUnder(s3, uri);
  for (const key of keys) {
    const file = path.join(dir, key.slice(prefix.length));
    await mkdir(path.dirname(file), { recursive: true });
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await writeFile(file, (await body.Body?.transformToByteArray()) ?? new Uint8Array());
  }
  return keys.length;
}

describe('vendor slides through the pipeline to the OpenSlide processor', () => {
  let stack: E2EStack;
  let scratch: string;
  let slides: Map<TestSlideKind, TestSlide>;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'wsi-openslide-e2e-'));
    const [made, started] = await Promise.all([
      makeTestSlides(
        path.join(scratch, 'slides'),
        CASES.map((c) => c.kind),
      ),
      startE2EStack(
        {
          ECS_POLL_INTERVAL: '200ms',
          PROGRESS_INTERVAL: '200ms',
          RELAUNCH_BACKOFF: '100ms',
          // Long enough that a series' slide, started by its first file, always waits for its last.
          SLIDE_FOLDER_SETTLE: '15s',
          ECS_TASK_DEFINITION_ROUTES: LOCAL_ROUTES,
        },
        // Uploads under incoming/ notify the queue, and the bridge starts their slides.
        { bridge: true },
      ),
    ]);
    stack = started;
    slides = new Map(made.map((s) => [s.kind, s]));
    // Small chunks and a pause per tile: each slide takes seconds, so an interruption lands
    // mid-slide on any machine. (A new revision: the family resolves to it.)
    await registerTaskDefinition(
      createEcsClient(stack.env),
      OPENSLIDE_FAMILY,
      openslideContainer({ CHUNK_TILES: String(CHUNK_TILES), TILE_DELAY_MS: '80' }),
    );
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** Submits a case, interrupts its first task once a chunk is done, and awaits its result. */
  async function runInterrupted(c: (typeof CASES)[number]): Promise<{ result: SlideResult; family: string }> {
    const slide = slides.get(c.kind);
    if (!slide) throw new Error(`the generator made no ${c.kind} slide`);
    const key = await uploadTestSlide(createS3Client(stack.env), SLIDES_BUCKET, slide, c.key);
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key, ...c.input }, workflowId);
    const handle = stack.client.workflow.getHandle(workflowId);
    let family = '';
    for (let i = 0; i < 1200 && !family; i++) {
      const status = await handle.query(statusQuery);
      if (status.phase === 'RUNNING' && status.taskArn && (status.progress?.done ?? 0) >= CHUNK_TILES) {
        family = String(stack.localEcs.describeTask(status.taskArn).taskDefinitionArn ?? '');
        // A spot interruption: SIGTERM now, SIGKILL well after the processor's last checkpoint.
        expect(stack.localEcs.interruptTask(status.taskArn, { warningMs: 20_000 })).toBe(true);
      } else {
        expect(status.phase).not.toBe('SUCCEEDED');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { result: (await handle.result()) as SlideResult, family };
  }

  test('every generated format completes: the right processor, interrupted and resumed, output as OpenSlide reads it', async () => {
    const runs = await Promise.all(CASES.map((c) => runInterrupted(c)));
    for (const [i, { result, family }] of runs.entries()) {
      const c = CASES[i] as (typeof CASES)[number];
      const slide = slides.get(c.kind) as TestSlide;
      expect([c.kind, family]).toEqual([
        c.kind,
        expect.stringContaining(`task-definition/${OPENSLIDE_FAMILY}:`),
      ]);
      expect([c.kind, result.attempts.map((a) => [a.outcome, a.exitCode])]).toEqual([
        c.kind,
        [
          ['interrupted', 143],
          ['success', 0],
        ],
      ]);
      expect(result.progress?.done).toBe(result.progress?.total);
      // The relaunch resumed from the interrupted task's last checkpoint (its log says where).
      const resumed = (await readFile(stack.localEcs.logFile(result.attempts[1]?.taskArn as string), 'utf8'))
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event?: string; resumedFrom?: number })
        .find((e) => e.event === 'started');
      expect([c.kind, resumed?.resumedFrom]).toEqual([c.kind, expect.any(Number)]);
      expect(resumed?.resumedFrom).toBeGreaterThanOrEqual(CHUNK_TILES);
      const out = path.join(scratch, 'outputs', c.kind);
      expect(await download(stack, result.outputUri, out)).toBeGreaterThan(result.progress?.total ?? 0);
      const summary = (await checkOutputAgainstOpenSlide(slide.path, out)) as Record<string, unknown>;
      expect(summary).toMatchObject({ ok: true, vendor: c.vendor, tiles: result.progress?.total });
      expect(summary.sampled).toEqual(expect.any(Number));
      expect(summary.sampled).toBeGreaterThan(0);
    }
  }, 600_000);

  test("docs/python-tasks.md's example, a lab's own program, runs as a slide task", async () => {
    const slide = slides.get('svs-jpeg') as TestSlide;
    const key = await uploadTestSlide(createS3Client(stack.env), SLIDES_BUCKET, slide, 'lab/example.svs');
    const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
    await submitSlide(
      stack.client,
      'slides',
      { bucket: SLIDES_BUCKET, key, taskDefinition: EXAMPLE_FAMILY },
      workflowId,
    );
    const result = (await stack.client.workflow.getHandle(workflowId).result()) as SlideResult;
    expect(result.attempts.map((a) => a.outcome)).toEqual(['success']);
    expect(result.progress?.total).toBeGreaterThan(0);
    expect(result.progress?.done).toBe(result.progress?.total);
    const out = path.join(scratch, 'outputs', 'example');
    // One JSON object per row of its 16x16 grid, then a summary.
    expect(await download(stack, result.outputUri, out)).toBe(17);
    const row = JSON.parse(await readFile(path.join(out, 'rows', '07.json'), 'utf8')) as {
      row: number;
      tissue: number[];
    };
    expect(row.row).toBe(7);
    expect(row.tissue).toHaveLength(16);
  }, 180_000);

  test('a DICOM series uploaded file by file starts one slide, for its folder, once it has settled', async () => {
    const slide = slides.get('dicom') as TestSlide;
    const folder = `${UPLOADS_PREFIX}dicom upload/`;
    const names = (await readdir(slide.path)).sort();
    const s3 = createS3Client(stack.env);
    for (const name of names) {
      await s3.send(
        new PutObjectCommand({
          Bucket: SLIDES_BUCKET,
          Key: `${folder}${name}`,
          Body: await readFile(path.join(slide.path, name)),
        }),
      );
    }
    const handle = stack.client.workflow.getHandle(slideWorkflowId(SLIDES_BUCKET, folder));
    // S3 notifies the queue and the bridge starts the folder's slide: wait for it to exist.
    for (let i = 0; i < 600; i++) {
      if (
        await handle.describe().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = (await handle.result()) as SlideResult;
    expect(result.attempts.map((a) => a.outcome)).toEqual(['success']);
    expect(result.progress?.done).toBe(result.progress?.total);
    // No file of the series became a slide of its own.
    for (const name of names) {
      await expect(
        stack.client.workflow.getHandle(slideWorkflowId(SLIDES_BUCKET, `${folder}${name}`)).describe(),
      ).rejects.toThrow(WorkflowNotFoundError);
    }
    // It waited for its last part to settle: its first plan asked for a wait (a timer) before any launch.
    const events = (await handle.fetchHistory()).events ?? [];
    const timer = events.findIndex((e) => e.timerStartedEventAttributes);
    const launch = events.findIndex((e) => e.activityTaskScheduledEventAttributes);
    expect(timer).toBeGreaterThan(-1);
    expect(timer).toBeLessThan(launch);
  }, 180_000);
});
