// The vendor-format test slides (dev/slides/make_test_slides.py: Aperio SVS with JPEG or
// JPEG 2000 inside, a generic tiled TIFF, a DICOM WSI folder) and the output check against
// OpenSlide's own read (dev/slides/check_output.py), from TypeScript: the demo and the
// end-to-end tests call them. Both run with the pinned Python tools of `npm run setup`.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { projectPythonEnv, pythonInterpreter } from '../tools/binaries';
import { PROJECT_ROOT } from '../tools/layout';

const run = promisify(execFile);

export type TestSlideKind = 'svs-jpeg' | 'svs-j2k' | 'tiff' | 'dicom';

export interface TestSlide {
  kind: TestSlideKind;
  /** A file, or for a DICOM WSI the folder of its .dcm files. */
  path: string;
  folder: boolean;
  /** What OpenSlide itself reads from it. */
  openslide: { vendor: string; dimensions: [number, number]; level_count: number };
}

async function python(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    pythonInterpreter(),
    [path.join(PROJECT_ROOT, 'dev', 'slides', script), ...args],
    { env: projectPythonEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
  );
  return stdout;
}

/** Writes the test slides of `kinds` into `outDir`; returns what each is. */
export async function makeTestSlides(
  outDir: string,
  kinds: TestSlideKind[],
  size: { width: number; height: number } = { width: 2048, height: 1536 },
): Promise<TestSlide[]> {
  const stdout = await python('make_test_slides.py', [
    '--out',
    outDir,
    '--kinds',
    kinds.join(','),
    '--width',
    String(size.width),
    '--height',
    String(size.height),
  ]);
  // Its manifest: a list in the order of the kinds.
  return JSON.parse(stdout) as TestSlide[];
}

/**
 * Uploads a test slide under `key`: a file as one object, a folder as one object per file
 * under `key/` (returned, ending in `/`: the folder slide's key).
 */
export async function uploadTestSlide(
  s3: S3Client,
  bucket: string,
  slide: TestSlide,
  key: string,
): Promise<string> {
  if (!slide.folder) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(slide.path) }));
    return key;
  }
  const prefix = key.endsWith('/') ? key : `${key}/`;
  for (const name of (await readdir(slide.path)).sort()) {
    const body = await readFile(path.join(slide.path, name));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}`, Body: body }));
  }
  return prefix;
}

/**
 * Checks a processor's output (downloaded to `outputDir`) against OpenSlide's own read of the
 * slide: the .dzi, every level's tiles, metadata.json, sampled pixels. Throws with every
 * difference the checker names; returns its summary.
 */
export async function checkOutputAgainstOpenSlide(slidePath: string, outputDir: string): Promise<unknown> {
  try {
    return JSON.parse(
      await python('check_output.py', ['--slide', slidePath, '--output', outputDir]),
    ) as unknown;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`the output differs from OpenSlide's read:\n${e.stdout ?? ''}${e.stderr ?? e.message}`, {
      cause: err,
    });
  }
}
