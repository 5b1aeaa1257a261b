// The processor as the local ECS runs it: a child process against a real S3 emulator (moto).
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { startMotoServer, type MotoServer } from '../../../dev/aws/moto-server';
import { dziGeometry, tileAt, tilePath, type DziGeometry } from '../src/dzi';
import { makeSyntheticSlide } from '../../../dev/slides/synthetic';
import { killAllProcessors, runProcessorToExit, startProcessor } from './child';

const SLIDES = 'slides';
const OUT = 'out';

describe('processor against moto', () => {
  let moto: MotoServer;
  let s3: S3Client;
  // 1500x1100 with the default tiles (254, overlap 1): 52 tiles in 12 levels.
  const geo = dziGeometry(1500, 1100, 254, 1);

  const env = (over: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    ...over,
  });

  async function getText(bucket: string, key: string): Promise<string> {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return res.Body!.transformToString('utf-8');
  }

  async function getJson(bucket: string, key: string): Promise<Record<string, unknown>> {
    return JSON.parse(await getText(bucket, key)) as Record<string, unknown>;
  }

  async function listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(res.Contents ?? []).map((o) => o.Key!));
      token = res.NextContinuationToken;
    } while (token);
    return keys.sort();
  }

  function expectedKeys(prefix: string, g: DziGeometry): string[] {
    const keys = [`${prefix}slide.dzi`];
    for (let i = 0; i < g.totalTiles; i++) keys.push(prefix + tilePath(tileAt(g, i), 'jpeg'));
    return keys.sort();
  }

  async function exists(bucket: string, key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: SLIDES }));
    await s3.send(new CreateBucketCommand({ Bucket: OUT }));
    const slide = await makeSyntheticSlide({ width: 1500, height: 1100, seed: 11 });
    await s3.send(new PutObjectCommand({ Bucket: SLIDES, Key: 'plain/slide-1.tif', Body: slide }));
  });

  afterEach(async () => {
    await killAllProcessors();
  });

  afterAll(async () => {
    await killAllProcessors();
    s3?.destroy();
    await moto?.close();
  });

  test('tiles a slide: exit 0, the .dzi and every tile in S3, checkpoint done === total', async () => {
    const run = await runProcessorToExit(
      env({
        SLIDE_BUCKET: SLIDES,
        SLIDE_KEY: 'plain/slide-1.tif',
        SLIDE_ID: 'slide-1',
        CHECKPOINT_URI: `s3://${OUT}/checkpoints/slide-1.json`,
        OUTPUT_URI: `s3://${OUT}/tiles/slide-1/`,
        CHUNK_TILES: '16',
      }),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(await listKeys(OUT, 'tiles/slide-1/')).toEqual(expectedKeys('tiles/slide-1/', geo));
    const dzi = await getText(OUT, 'tiles/slide-1/slide.dzi');
    expect(dzi).toContain('Format="jpeg" Overlap="1" TileSize="254"');
    expect(dzi).toContain('<Size Width="1500" Height="1100"/>');

    const cp = await getJson(OUT, 'checkpoints/slide-1.json');
    expect(cp).toMatchObject({ done: 52, total: 52, complete: true, processedTotal: 52, chunkTiles: 16 });
    expect(cp).toMatchObject({ width: 1500, height: 1100, levels: 12, tileSize: 254, overlap: 1 });

    // Tiles have their DeepZoom sizes: overlap inside, clipped at the edges.
    const size = async (key: string) => {
      const body = await s3.send(
        new GetObjectCommand({ Bucket: OUT, Key: `tiles/slide-1/slide_files/${key}` }),
      );
      const meta = await sharp(Buffer.from(await body.Body!.transformToByteArray())).metadata();
      return [meta.format, meta.width, meta.height];
    };
    expect(await size('11/0_0.jpeg')).toEqual(['jpeg', 255, 255]);
    expect(await size('11/1_1.jpeg')).toEqual(['jpeg', 256, 256]);
    expect(await size('11/5_4.jpeg')).toEqual(['jpeg', 231, 85]);
    expect(await size('0/0_0.jpeg')).toEqual(['jpeg', 1, 1]);

    // One JSON line per chunk, with the level and done/total.
    const chunks = run.events.filter((e) => e.event === 'chunk');
    expect(chunks.map((e) => e.done)).toEqual([16, 32, 48, 52]);
    expect(chunks.every((e) => e.total === 52 && typeof e.level === 'number')).toBe(true);
  });

  test('SIGTERM mid-run: exit 143 quickly with an honest checkpoint; a relaunch finishes the rest', async () => {
    const slideEnv = env({
      SLIDE_BUCKET: SLIDES,
      SLIDE_KEY: 'plain/slide-1.tif',
      SLIDE_ID: 'slide-1-term',
      CHECKPOINT_URI: `s3://${OUT}/checkpoints/slide-1-term.json`,
      OUTPUT_URI: `s3://${OUT}/tiles/slide-1-term/`,
      CHUNK_TILES: '8',
    });
    // Slowed down so the signal lands mid-run whatever the machine's speed.
    const first = startProcessor({ ...slideEnv, TILE_DELAY_MS: '100' });
    await first.waitFor((e) => e.event === 'chunk');
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    const stopMs = Date.now() - signalledAt;
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(143);
    // Well inside ECS's default 30 s stop timeout, with room for a loaded machine. That it
    // stopped rather than finished first is the checkpoint's done < total below.
    expect(stopMs).toBeLessThan(10_000);

    const cp1 = await getJson(OUT, 'checkpoints/slide-1-term.json');
    const done1 = cp1.done as number;
    expect(done1).toBeGreaterThan(0);
    expect(done1).toBeLessThan(geo.totalTiles);
    expect(cp1).toMatchObject({ total: geo.totalTiles, complete: false, runs: 1 });
    const stopEvent = stopped.events.find((e) => e.event === 'stopped');
    expect(stopEvent).toMatchObject({ done: done1, reason: 'SIGTERM' });
    // The checkpoint never counts a tile that is not in S3.
    for (let i = 0; i < done1; i++) {
      expect(await exists(OUT, `tiles/slide-1-term/${tilePath(tileAt(geo, i), 'jpeg')}`)).toBe(true);
    }
    expect(await exists(OUT, 'tiles/slide-1-term/slide.dzi')).toBe(false);

    const second = await runProcessorToExit(slideEnv);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.events.find((e) => e.event === 'start')).toMatchObject({ resumeFrom: done1 });
    const cp2 = await getJson(OUT, 'checkpoints/slide-1-term.json');
    expect(cp2).toMatchObject({ done: geo.totalTiles, total: geo.totalTiles, complete: true, runs: 2 });
    expect(await listKeys(OUT, 'tiles/slide-1-term/')).toEqual(expectedKeys('tiles/slide-1-term/', geo));

    // Redone work is at most one chunk, counted both from the logs and by the checkpoint.
    const tilesLogged = (events: Record<string, unknown>[]) =>
      events
        .filter((e) => e.event === 'chunk' || e.event === 'stopped')
        .reduce((n, e) => n + (e.tiles as number), 0);
    const processed = tilesLogged(stopped.events) + tilesLogged(second.events);
    expect(processed).toBe(cp2.processedTotal);
    expect(processed).toBeGreaterThanOrEqual(geo.totalTiles);
    expect(processed).toBeLessThanOrEqual(geo.totalTiles + 8);

    // A relaunch after success does no work.
    const third = await runProcessorToExit(slideEnv);
    expect(third.code).toBe(0);
    expect(third.events.find((e) => e.event === 'complete')).toMatchObject({
      processed: 0,
      alreadyComplete: true,
    });
    expect((await getJson(OUT, 'checkpoints/slide-1-term.json')).processedTotal).toBe(processed);
  });

  test('a key with spaces and unicode works, in the slide, the checkpoint and the output', async () => {
    const key = 'incoming/Pätient 42/日本 slide #1 (copy) ü.tif';
    await s3.send(
      new PutObjectCommand({
        Bucket: SLIDES,
        Key: key,
        Body: await makeSyntheticSlide({ width: 600, height: 400, seed: 2 }),
      }),
    );
    const run = await runProcessorToExit(
      env({
        SLIDE_BUCKET: SLIDES,
        SLIDE_KEY: key,
        SLIDE_ID: 'ünï',
        CHECKPOINT_URI: `s3://${OUT}/checkpoints/Pätient 42/日本 slide.json`,
        OUTPUT_URI: `s3://${OUT}/tiles/Pätient 42/日本 slide/`,
      }),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const small = dziGeometry(600, 400, 254, 1);
    expect(await listKeys(OUT, 'tiles/Pätient 42/日本 slide/')).toEqual(
      expectedKeys('tiles/Pätient 42/日本 slide/', small),
    );
    const cp = await getJson(OUT, 'checkpoints/Pätient 42/日本 slide.json');
    expect(cp).toMatchObject({ done: small.totalTiles, total: small.totalTiles, slide: { key } });
  });

  test('a missing slide: exit 2, naming the bucket and key', async () => {
    const run = await runProcessorToExit(
      env({
        SLIDE_BUCKET: SLIDES,
        SLIDE_KEY: 'nowhere/missing slide.tif',
        CHECKPOINT_URI: `s3://${OUT}/checkpoints/missing.json`,
        OUTPUT_URI: `s3://${OUT}/tiles/missing/`,
      }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('slide not found');
    expect(run.stderr).toContain('"nowhere/missing slide.tif"');
    expect(run.stderr).toContain('"slides"');
    expect(await exists(OUT, 'checkpoints/missing.json')).toBe(false);
  });

  test('a slide that is not an image: exit 65', async () => {
    await s3.send(new PutObjectCommand({ Bucket: SLIDES, Key: 'bad/notes.tif', Body: 'not pixels' }));
    const run = await runProcessorToExit(
      env({
        SLIDE_BUCKET: SLIDES,
        SLIDE_KEY: 'bad/notes.tif',
        CHECKPOINT_URI: `s3://${OUT}/checkpoints/bad.json`,
        OUTPUT_URI: `s3://${OUT}/tiles/bad/`,
      }),
    );
    expect(run.code).toBe(65);
    expect(run.stderr).toContain('not a readable image');
  });

  test('a vendor slide it cannot read: exit 65, naming the OpenSlide processor', async () => {
    await s3.send(new PutObjectCommand({ Bucket: SLIDES, Key: 'vendor/case 1.ndpi', Body: 'not a tiff' }));
    const run = await runProcessorToExit(
      env({
        SLIDE_BUCKET: SLIDES,
        SLIDE_KEY: 'vendor/case 1.ndpi',
        CHECKPOINT_URI: `s3://${OUT}/checkpoints/vendor.json`,
        OUTPUT_URI: `s3://${OUT}/tiles/vendor/`,
      }),
    );
    expect(run.code).toBe(65);
    expect(run.stderr).toContain('is a .ndpi slide');
    expect(run.stderr).toContain('OpenSlide processor');
  });

  test('a bad environment: exit 64, naming the variable', async () => {
    const run = await runProcessorToExit(
      env({ SLIDE_BUCKET: SLIDES, SLIDE_KEY: 'plain/slide-1.tif', OUTPUT_URI: `s3://${OUT}/tiles/x/` }),
    );
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('CHECKPOINT_URI');
  });
});
