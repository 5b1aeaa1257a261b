// planSlide picks the processor: the input's taskDefinition, else the one its key's suffix is
// routed to (ECS_TASK_DEFINITION_ROUTES), else none (the worker's ECS_TASK_DEFINITION).
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { planSlide } from '../../src/activities/plan-slide';
import { loadSettings } from '../../src/settings/settings';
import type { SlidePlan } from '../../src/workflows/types';
import { TEST_CREDENTIALS } from '../support/ecs';

describe('planSlide routes a slide to its processor', () => {
  let moto: MotoServer;
  let s3: S3Client;
  const settings = loadSettings({ ECS_TASK_DEFINITION_ROUTES: '.svs=wsi-openslide,.ndpi=wsi-openslide' });

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'lab' }));
    for (const key of ['a.SVS', 'b.tif', 'c.ndpi'])
      await s3.send(new PutObjectCommand({ Bucket: 'lab', Key: key, Body: 'slide' }));
  });

  afterAll(async () => {
    s3?.destroy();
    await moto?.close();
  });

  const plan = (input: { key: string; taskDefinition?: string }): Promise<SlidePlan> =>
    new MockActivityEnvironment().run(
      planSlide,
      { s3, settings },
      { bucket: 'lab', ...input },
    ) as Promise<SlidePlan>;

  test('by suffix, by the input, or the default', async () => {
    expect((await plan({ key: 'a.SVS' })).taskDefinition).toBe('wsi-openslide');
    expect((await plan({ key: 'c.ndpi' })).taskDefinition).toBe('wsi-openslide');
    expect((await plan({ key: 'b.tif' })).taskDefinition).toBeUndefined();
    expect((await plan({ key: 'a.SVS', taskDefinition: 'my-own:7' })).taskDefinition).toBe('my-own:7');
  });
});
