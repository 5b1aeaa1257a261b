// planSlide picks the processor: the input's taskDefinition, else the one its key's suffix is
// routed to (ECS_TASK_DEFINITION_ROUTES), else none (the worker's ECS_TASK_DEFINITION). A
// folder slide (a DICOM series) is sized by its objects and waits until they have settled.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { planSlide } from '../../src/activities/plan-slide';
import { loadSettings } from '../../src/settings/settings';
import type { SlidePlan } from '../../src/workflows/types';
import { s3ClientFor } from '../support/ecs';

describe('planSlide routes a slide to its processor', () => {
  let moto: MotoServer;
  let s3: S3Client;
  const settings = loadSettings({
    ECS_TASK_DEFINITION_ROUTES: '.svs=wsi-openslide,.ndpi=wsi-openslide,/=wsi-openslide',
    SLIDE_FOLDER_SETTLE: '1h',
  });

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = s3ClientFor(moto.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'lab' }));
    for (const key of [
      'a.SVS',
      'b.tif',
      'c.ndpi',
      'case 7/',
      'case 7/l0.dcm',
      'case 7/l1.dcm',
      'empty/',
      'mrxs/s.mrxs',
      'mrxs/s/Slidedat.ini',
      'mrxs/s/Data0000.dat',
      'mrxs/lonely.MRXS',
    ])
      await s3.send(
        new PutObjectCommand({ Bucket: 'lab', Key: key, Body: key.endsWith('/') ? '' : 'slide' }),
      );
  });

  afterAll(async () => {
    s3?.destroy();
    await moto?.close();
  });

  const plan = (
    input: { key: string; taskDefinition?: string; sizeBytes?: number },
    folderSettleMs?: number,
  ): Promise<SlidePlan> =>
    new MockActivityEnvironment().run(
      planSlide,
      { s3, settings: { ...settings, folderSettleMs: folderSettleMs ?? settings.folderSettleMs } },
      { bucket: 'lab', ...input },
    ) as Promise<SlidePlan>;

  test('by suffix, by the input, or the default', async () => {
    expect((await plan({ key: 'a.SVS' })).taskDefinition).toBe('wsi-openslide');
    expect((await plan({ key: 'c.ndpi' })).taskDefinition).toBe('wsi-openslide');
    expect((await plan({ key: 'b.tif' })).taskDefinition).toBeUndefined();
    expect((await plan({ key: 'a.SVS', taskDefinition: 'my-own:7' })).taskDefinition).toBe('my-own:7');
  });

  test("a folder slide: its objects' size, routed by `/`, waiting while it was written lately", async () => {
    const folder = await plan({ key: 'case 7/' });
    expect(folder.sizeBytes).toBe(10); // two 5-byte parts; the folder marker is no part
    expect(folder.taskDefinition).toBe('wsi-openslide');
    // Just uploaded: wait out most of the hour before the first launch.
    expect(folder.settleMs).toBeGreaterThan(50 * 60_000);
    expect(folder.settleMs).toBeLessThanOrEqual(60 * 60_000);
    // Settled: no wait.
    expect((await plan({ key: 'case 7/' }, 0)).settleMs).toBeUndefined();
    // A plain object never waits.
    expect((await plan({ key: 'a.SVS' })).settleMs).toBeUndefined();
  });

  test('a folder slide with no objects is not found, naming the folder', async () => {
    await expect(plan({ key: 'empty/' })).rejects.toThrow(/slide folder s3:\/\/lab\/empty\/ has no objects/);
    await expect(plan({ key: 'nothing here/' })).rejects.toThrow(/has no objects/);
  });

  test('an MRXS slide: its .mrxs and its data folder, waiting while either was written lately', async () => {
    const mrxs = await plan({ key: 'mrxs/s.mrxs' });
    expect(mrxs.sizeBytes).toBe(15); // the .mrxs and its two data files, 5 bytes each
    expect(mrxs.settleMs).toBeGreaterThan(50 * 60_000);
    expect((await plan({ key: 'mrxs/s.mrxs' }, 0)).settleMs).toBeUndefined();
    // An upload event's size is the .mrxs file's alone: the slide's is all of it.
    expect((await plan({ key: 'mrxs/s.mrxs', sizeBytes: 5 }, 0)).sizeBytes).toBe(15);
    // Its data folder not (yet) there: it waits while the .mrxs is new, then fails naming the folder.
    expect((await plan({ key: 'mrxs/lonely.MRXS' })).settleMs).toBeGreaterThan(0);
    await expect(plan({ key: 'mrxs/lonely.MRXS' }, 0)).rejects.toThrow(
      'MRXS slide s3://lab/mrxs/lonely.MRXS has no data folder: upload s3://lab/mrxs/lonely/',
    );
  });
});
