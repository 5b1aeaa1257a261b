// `npm run demo`: the whole thing once. Starts the local stack and a worker, uploads a batch
// of synthetic slides (TIFFs for the TypeScript processor, an Aperio SVS with JPEG 2000 inside
// for the OpenSlide processor, which the stack's routes send it to), submits them, shows
// progress bars, prints a summary table and exits 0 when every slide succeeded.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import { makeTestSlides, uploadTestSlide } from '../slides/python-slides';
import { makeSyntheticSlide } from '../slides/synthetic';
import { createS3Client } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { watchSlides } from '../../src/cli/watch';
import { slideWorkflowId } from '../../src/slides/identity';
import { freePort, isPortFree } from '../../src/util/net';
import { LOCAL_ROUTES, SLIDES_BUCKET } from './local-stack';
import { describeStack, settingsFromEnvironment, startStackWithWorker } from './run-stack';

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

/** The usual UI port when it is free (so the README's link works), any free port otherwise. */
async function uiPort(): Promise<number> {
  return (await isPortFree(8233)) ? 8233 : freePort();
}

async function main(): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const o = new Command('demo')
    .option('--count <n>', 'TIFF slides to process (plus one SVS)', positive, 4)
    .option('--width <px>', 'slide width', positive, 3000)
    .option('--height <px>', 'slide height', positive, 2200)
    .parse()
    .opts<{ count: number; width: number; height: number }>();

  const started = Date.now();
  const stack = await startStackWithWorker({
    uiPort: await uiPort(),
    settings: { ECS_TASK_DEFINITION_ROUTES: LOCAL_ROUTES, ...settingsFromEnvironment() },
  });
  try {
    console.log(describeStack(stack).join('\n'));
    const s3 = createS3Client(stack.env);
    const keys = Array.from(
      { length: o.count },
      (_, i) => `demo/slide-${String(i + 1).padStart(3, '0')}.tif`,
    );
    console.log(
      `\nuploading ${o.count} synthetic ${o.width}x${o.height} TIFF slides and one SVS to s3://${SLIDES_BUCKET}/demo/ ...`,
    );
    for (const [i, key] of keys.entries()) {
      const body = await makeSyntheticSlide({ width: o.width, height: o.height, seed: i + 1 });
      await s3.send(new PutObjectCommand({ Bucket: SLIDES_BUCKET, Key: key, Body: body }));
    }
    // A vendor slide beside them: the `.svs` route sends it to the OpenSlide processor.
    const scratch = await mkdtemp(path.join(tmpdir(), 'wsi-demo-'));
    try {
      const [svs] = await makeTestSlides(scratch, ['svs-j2k'], { width: o.width, height: o.height });
      if (!svs) throw new Error('make_test_slides.py wrote no SVS');
      keys.push(await uploadTestSlide(s3, SLIDES_BUCKET, svs, 'demo/slide-jp2k.svs'));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const ids = keys.map((key) => slideWorkflowId(SLIDES_BUCKET, key));
    for (const [i, key] of keys.entries()) {
      await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, ids[i] as string);
    }
    console.log(`submitted; follow them in the UI at ${stack.uiUrl}\n`);
    const states = await watchSlides(stack.client, ids);

    const rows = states.map((s, i) => ({
      slide: keys[i] as string,
      result: s.execution,
      tiles: s.result?.progress?.total ?? 0,
      attempts: s.result?.launches ?? s.status?.attempts.launches ?? 0,
      taskSeconds: s.result?.taskSeconds ?? s.status?.taskSeconds ?? 0,
      cost: s.result?.cost ?? s.status?.cost ?? 0,
    }));
    console.log('');
    console.table(
      rows
        .map((r) => ({ ...r, taskSeconds: r.taskSeconds.toFixed(1), 'cost (USD)': r.cost.toFixed(6) }))
        .map(({ cost: _cost, ...r }) => r),
    );
    const ok = rows.filter((r) => r.result === 'COMPLETED').length;
    console.log(
      `${ok}/${rows.length} slides completed; ${rows.reduce((a, r) => a + r.tiles, 0)} tiles, ` +
        `${rows.reduce((a, r) => a + r.attempts, 0)} launches, ` +
        `${rows.reduce((a, r) => a + r.taskSeconds, 0).toFixed(1)} task-seconds, ~$${rows.reduce((a, r) => a + r.cost, 0).toFixed(6)} at Fargate prices, wall time ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const s of states.filter((x) => x.failure)) console.log(`${s.workflowId}: ${s.failure}`);
    return ok === rows.length ? 0 : 1;
  } finally {
    await stack.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
