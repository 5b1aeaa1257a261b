// The processor's main loop, free of process concerns (env, signals, exit codes) so it reads as
// the algorithm: find the slide, read the checkpoint, download, then tile chunk by chunk, each
// chunk's tiles uploaded before the checkpoint that counts them is written.
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { formatS3Uri } from '@wsi-orchestrator/task-contract';
import { CHECKPOINT_VERSION, CheckpointStore, resumeFrom, type Checkpoint } from './checkpoint';
import type { ProcessorSettings } from './settings';
import { chunkRange, dziGeometry, dziXml, levelOf, tileAt, tilePath, type DziGeometry } from './dzi';
import { errorMessage } from './errors';
import { asFormatError } from './formats';
import type { JsonLogger } from './log';
import { downloadSlide, headSlide, outputKey, putObject, type SlideObject } from './s3-io';
import type { StopSignal } from './stop';
import { openSlide, Tiler } from './tiler';

export interface RunResult {
  status: 'complete' | 'stopped';
  done: number;
  total: number;
  /** Tiles rendered and uploaded by this run (including any a relaunch will redo). */
  processed: number;
}

export interface RunDeps {
  s3: S3Client;
  log: JsonLogger;
  stop: StopSignal;
}

const CONTENT_TYPES = { jpeg: 'image/jpeg', png: 'image/png' } as const;

export async function runProcessor(
  settings: ProcessorSettings,
  { s3, log, stop }: RunDeps,
): Promise<RunResult> {
  const store = new CheckpointStore(s3, settings.checkpoint);
  const outputUri = formatS3Uri({
    bucket: settings.output.bucket,
    key: settings.output.key === '' ? '' : `${settings.output.key}/`,
  });
  const contentType = CONTENT_TYPES[settings.format];

  // Progress so far; `geo` is set once the slide is opened, and only then can a checkpoint be written.
  let geo: DziGeometry | undefined;
  let slideObject: SlideObject = {};
  let done = 0;
  let processedBefore = 0;
  let processed = 0;
  let processedAtChunkStart = 0;
  let runs = 1;

  const checkpoint = (complete: boolean): Checkpoint => ({
    version: CHECKPOINT_VERSION,
    done,
    total: geo!.totalTiles,
    processedTotal: processedBefore + processed,
    runs,
    complete,
    chunkTiles: settings.chunkTiles,
    tileSize: settings.tileSize,
    overlap: settings.overlap,
    format: settings.format,
    width: geo!.width,
    height: geo!.height,
    levels: geo!.maxLevel + 1,
    slide: {
      bucket: settings.slide.bucket,
      key: settings.slide.key,
      etag: slideObject.etag,
      size: slideObject.size,
    },
    output: outputUri,
    updatedAt: new Date().toISOString(),
  });

  const putDzi = (g: DziGeometry) =>
    putObject(s3, outputKey(settings.output, 'slide.dzi'), dziXml(g, settings.format), 'application/xml');

  /**
   * After a stop: record exactly what is uploaded. If that write fails the run still ends as
   * stopped: the previous checkpoint is a valid lower bound, and the interruption is what the
   * orchestrator must see (exit 143 means "relaunch", not "failed").
   */
  const finishStopped = async (): Promise<RunResult> => {
    if (geo) {
      await store.write(checkpoint(false)).catch((e: unknown) => {
        log.event('checkpoint-failed', { error: errorMessage(e) });
      });
    }
    const tiles = processed - processedAtChunkStart;
    log.event('stopped', { reason: stop.why, done, total: geo?.totalTiles, tiles, processed });
    return { status: 'stopped', done, total: geo?.totalTiles ?? 0, processed };
  };

  let workDir: string | undefined;
  let tiler: Tiler | undefined;
  try {
    slideObject = await stop.race(headSlide(s3, settings.slide));
    const { checkpoint: prior, warning } = await stop.race(store.read());
    if (warning) log.event('checkpoint-ignored', { reason: warning });
    const identity = {
      ...slideObject,
      tileSize: settings.tileSize,
      overlap: settings.overlap,
      format: settings.format,
    };

    // A relaunch after success (e.g. the orchestrator lost the exit code): nothing to download.
    if (prior?.complete && prior.width && prior.height && resumeFrom(prior, identity).done === prior.total) {
      const g = dziGeometry(prior.width, prior.height, settings.tileSize, settings.overlap);
      if (g.totalTiles === prior.total) {
        await putDzi(g);
        log.event('complete', { done: prior.total, total: prior.total, processed: 0, alreadyComplete: true });
        return { status: 'complete', done: prior.total, total: prior.total, processed: 0 };
      }
    }

    workDir = await mkdtemp(path.join(settings.workDir, 'wsi-processor-'));
    const slideFile = path.join(workDir, 'slide');
    const t0 = Date.now();
    const got = await stop.race(downloadSlide(s3, settings.slide, slideFile, stop.signal));
    slideObject = { etag: got.etag ?? slideObject.etag, size: got.size ?? slideObject.size };
    const image = await openSlide(slideFile);
    const g = dziGeometry(image.width, image.height, settings.tileSize, settings.overlap);

    const resume = resumeFrom(prior, { ...identity, ...slideObject, total: g.totalTiles });
    done = resume.done;
    if (prior && resume.reason === undefined) {
      processedBefore = prior.processedTotal ?? 0;
      runs = (prior.runs ?? 0) + 1;
    }
    geo = g;
    log.event('start', {
      slide: formatS3Uri(settings.slide),
      bytes: slideObject.size,
      format: image.format,
      width: g.width,
      height: g.height,
      levels: g.maxLevel + 1,
      total: g.totalTiles,
      resumeFrom: done,
      ...(prior && resume.reason ? { restartReason: resume.reason } : {}),
      downloadMs: Date.now() - t0,
    });
    // Written at once so the orchestrator sees the total (and a changed slide's reset) early.
    await store.write(checkpoint(false));

    tiler = new Tiler(image, g, {
      format: settings.format,
      quality: settings.quality,
      memoryBudgetBytes: settings.levelMemoryBytes,
      workDir,
    });
    const uploaded = new Set<number>();
    const ext = settings.format;

    /** Renders and uploads tiles [from, end) of one level with a small pool; stops taking new ones on stop. */
    const processRun = async (from: number, end: number): Promise<void> => {
      let next = from;
      let failure: { error: unknown } | undefined;
      const worker = async () => {
        while (!failure && !stop.requested && next < end) {
          const index = next++;
          // The artificial delay is abandoned on stop; a tile being rendered or uploaded is finished.
          if (!(await stop.sleep(settings.tileDelayMs))) return;
          const tile = tileAt(g, index);
          const body = await tiler!.renderTile(tile);
          await putObject(s3, outputKey(settings.output, tilePath(tile, ext)), body, contentType);
          uploaded.add(index);
          processed++;
        }
      };
      const n = Math.min(settings.concurrency, end - from);
      await Promise.all(
        Array.from({ length: n }, () =>
          worker().catch((error: unknown) => {
            failure ??= { error };
          }),
        ),
      );
      // The pool finishes tiles out of order; the checkpoint may only count an unbroken prefix.
      while (uploaded.delete(done)) done++;
      if (failure) throw failure.error;
    };

    for (let chunk = Math.floor(done / settings.chunkTiles); done < g.totalTiles; chunk++) {
      const { end } = chunkRange(g, settings.chunkTiles, chunk);
      const chunkStart = Date.now();
      processedAtChunkStart = processed;
      while (done < end && !stop.requested) {
        const level = levelOf(g, tileAt(g, done).level);
        const levelStart = Date.now();
        const fresh = tiler.currentLevel !== level.level;
        const kind = await stop.race(tiler.prepareLevel(level.level));
        if (fresh) {
          log.event('level', {
            level: level.level,
            width: level.width,
            height: level.height,
            raster: kind,
            ms: Date.now() - levelStart,
          });
        }
        const levelEnd = Math.min(end, level.firstTile + level.cols * level.rows);
        const before = done;
        await processRun(done, levelEnd);
        if (done === before && !stop.requested) throw new Error(`no progress at tile ${done}`);
      }
      if (stop.requested) return await finishStopped();
      const tiles = processed - processedAtChunkStart;
      await store.write(checkpoint(false));
      const level = tileAt(g, end - 1).level;
      log.event('chunk', { chunk, level, done, total: g.totalTiles, tiles, ms: Date.now() - chunkStart });
    }

    // The descriptor last: its presence tells a viewer the pyramid is whole.
    await putDzi(g);
    await store.write(checkpoint(true));
    log.event('complete', {
      done,
      total: g.totalTiles,
      processed,
      processedTotal: processedBefore + processed,
    });
    return { status: 'complete', done, total: g.totalTiles, processed };
  } catch (err) {
    // Stopped during a long step (download, level render), or a step failed because of the stop.
    if (stop.requested) return await finishStopped();
    if (geo) {
      // Keep the tiles uploaded since the last chunk; a failure here must not hide the real error.
      await store.write(checkpoint(false)).catch((e: unknown) => {
        log.event('checkpoint-failed', { error: errorMessage(e) });
      });
    }
    throw asFormatError(settings.slide.key, err);
  } finally {
    await tiler?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}
