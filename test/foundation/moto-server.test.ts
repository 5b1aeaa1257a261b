import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { s3ClientFor } from '../support/ecs';

describe('moto server from the project-local install', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.close();
  });

  test('the real S3 client stores and reads an object through it', async () => {
    const s3 = s3ClientFor(moto.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'slides' }));
    await s3.send(new PutObjectCommand({ Bucket: 'slides', Key: 'a b/ü.svs', Body: 'pixels' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'slides', Key: 'a b/ü.svs' }));
    expect(await got.Body?.transformToString()).toBe('pixels');
  });
});
