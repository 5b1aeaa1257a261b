// `make-slides`: writes synthetic pyramidal TIFF slides (dev/slides/synthetic.ts), optionally
// uploading them to S3.
//
//   tsx dev/scripts/make-slides.ts --count 3 --width 4096 --height 3072 --out .data/slides
//   tsx dev/scripts/make-slides.ts --count 10 --bucket slides --prefix incoming/ --create-bucket
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Command, InvalidArgumentError } from 'commander';
import { createS3Client } from '../../src/aws/clients';
import { slideFileName, uploadFile, writeSyntheticSlide } from '../slides/synthetic';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

interface CliOptions {
  count: number;
  width: number;
  height: number;
  seed: number;
  quality: number;
  out: string;
  bucket?: string;
  prefix: string;
  createBucket?: boolean;
}

export async function cli(argv: string[] = process.argv): Promise<void> {
  const program = new Command()
    .name('make-slides')
    .description('Write synthetic pyramidal TIFF slides, optionally uploading them to S3.')
    .option('--count <n>', 'how many slides', positiveInt, 1)
    .option('--width <px>', 'slide width', positiveInt, 4096)
    .option('--height <px>', 'slide height', positiveInt, 3072)
    .option('--seed <n>', 'seed of the first slide (slide i uses seed + i)', nonNegativeInt, 1)
    .option('--quality <q>', 'JPEG quality inside the TIFF', positiveInt, 85)
    .option('--out <dir>', 'directory to write the slides to', '.data/slides')
    .option('--bucket <bucket>', 'also upload to this S3 bucket (endpoint from AWS_ENDPOINT_URL_S3)')
    .option('--prefix <prefix>', 'key prefix for uploads', '')
    .option('--create-bucket', 'create the bucket first (for local emulators)')
    .parse(argv);
  const o = program.opts<CliOptions>();
  const s3 = o.bucket ? createS3Client() : undefined;
  try {
    if (s3 && o.bucket && o.createBucket) {
      await s3.send(new CreateBucketCommand({ Bucket: o.bucket })).catch((err: unknown) => {
        const name = (err as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
      });
    }
    for (let i = 0; i < o.count; i++) {
      const seed = o.seed + i;
      const name = slideFileName(seed, o.width, o.height);
      const file = await writeSyntheticSlide(path.join(o.out, name), {
        width: o.width,
        height: o.height,
        seed,
        quality: o.quality,
      });
      let line = file;
      if (s3 && o.bucket) {
        const key = o.prefix ? `${o.prefix.replace(/\/+$/, '')}/${name}` : name;
        await uploadFile(s3, file, o.bucket, key);
        line += `\ts3://${o.bucket}/${key}`;
      }
      process.stdout.write(`${line}\n`);
    }
  } finally {
    s3?.destroy();
  }
}

if (require.main === module) {
  cli().catch((err: unknown) => {
    process.stderr.write(`make-slides: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
