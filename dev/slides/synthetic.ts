// Synthetic whole-slide images for tests, the demo and benchmarks: tiled, pyramidal,
// JPEG-compressed TIFFs (the layout scanners write) with a tissue-like picture, the same bytes
// for the same seed. The picture is drawn small in JS (blobs of pink "tissue" dotted with purple
// "nuclei" on pale glass), then upscaled and grained by libvips as a stream, so even very
// large slides are made without holding their pixels in memory.
//
// The command line is dev/scripts/make-slides.ts.
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp, { type Sharp } from 'sharp';
import { seededRandom } from '@wsi-orchestrator/local-ecs';

export interface SyntheticSlideOptions {
  width: number;
  height: number;
  /** Same seed, same pixels (and, with the same libvips, the same bytes). Default 1. */
  seed?: number;
  /** JPEG quality inside the TIFF; default 85. */
  quality?: number;
}

const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Bilinearly interpolated random grid: cheap smooth noise in [0, 1). */
function valueNoise(
  rand: () => number,
  cells: number,
  w: number,
  h: number,
): (x: number, y: number) => number {
  const gw = cells + 2;
  const gh = Math.ceil((cells * h) / w) + 2;
  const grid = Float64Array.from({ length: gw * gh }, () => rand());
  const sx = cells / w;
  return (x, y) => {
    const fx = x * sx;
    const fy = y * sx;
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const tx = fx - x0;
    const ty = fy - y0;
    const g = (i: number, j: number) => grid[Math.min(j, gh - 1) * gw + Math.min(i, gw - 1)]!;
    const top = g(x0, y0) * (1 - tx) + g(x0 + 1, y0) * tx;
    const bottom = g(x0, y0 + 1) * (1 - tx) + g(x0 + 1, y0 + 1) * tx;
    return top * (1 - ty) + bottom * ty;
  };
}

/** The small RGB picture that is upscaled to the slide: at most ~2048 px on its long side. */
function drawSketch(width: number, height: number, seed: number) {
  const rand = seededRandom(seed);
  const scale = Math.max(4, Math.ceil(Math.max(width, height) / 2048));
  const w = Math.ceil(width / scale);
  const h = Math.ceil(height / scale);
  const data = Buffer.alloc(w * h * 3);
  const minSide = Math.min(w, h);
  const blobs = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => ({
    x: w * (0.15 + 0.7 * rand()),
    y: h * (0.15 + 0.7 * rand()),
    r: minSide * (0.08 + 0.1 * rand()),
  }));
  const shape = valueNoise(rand, 12, w, h);
  const stain = valueNoise(rand, 40, w, h);
  const tissue = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let f = 0;
      for (const b of blobs) {
        const dx = x - b.x;
        const dy = y - b.y;
        f += Math.exp(-(dx * dx + dy * dy) / (2 * b.r * b.r));
      }
      const t = smoothstep(0.45, 0.55, f + 0.5 * (shape(x, y) - 0.5));
      tissue[y * w + x] = t;
      const s = stain(x, y);
      // Glass (pale, faint left-right gradient) mixed with eosin pink of varying density.
      const glass = [244 - (6 * x) / w, 241, 246];
      const pink = [222 - 30 * s, 128 + 40 * s, 178 + 20 * s];
      const i = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(glass[c]! * (1 - t) + pink[c]! * t);
    }
  }
  // Haematoxylin-purple nuclei, only where there is tissue.
  const nuclei = Math.floor((w * h) / 30);
  for (let n = 0; n < nuclei; n++) {
    const cx = Math.floor(rand() * w);
    const cy = Math.floor(rand() * h);
    const r = 0.6 + rand() * 1.2;
    const shade = rand();
    if (tissue[cy * w + cx]! < 0.5) continue;
    const colour = [70 + 40 * shade, 40 + 30 * shade, 120 + 40 * shade];
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(h - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        const i = (y * w + x) * 3;
        for (let c = 0; c < 3; c++) data[i + c] = Math.round(colour[c]!);
      }
    }
  }
  return { data, width: w, height: h };
}

/** Fine grain, tiled over the whole slide, so tiles at full resolution are not flat colour. */
function grain(seed: number, size = 128): Buffer {
  const rand = seededRandom(seed ^ 0x9e3779b9);
  const data = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) data.fill(Math.round(128 + (rand() - 0.5) * 36), i * 3, i * 3 + 3);
  return data;
}

function validate({ width, height }: SyntheticSlideOptions): void {
  for (const [name, v] of Object.entries({ width, height })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
}

function slidePipeline(opts: SyntheticSlideOptions): Sharp {
  validate(opts);
  const seed = opts.seed ?? 1;
  const sketch = drawSketch(opts.width, opts.height, seed);
  return sharp(sketch.data, { raw: { width: sketch.width, height: sketch.height, channels: 3 } })
    .resize(opts.width, opts.height, { fit: 'fill', kernel: 'mitchell' })
    .composite([
      { input: grain(seed), raw: { width: 128, height: 128, channels: 3 }, tile: true, blend: 'soft-light' },
    ])
    .tiff({
      tile: true,
      pyramid: true,
      compression: 'jpeg',
      quality: opts.quality ?? 85,
      tileWidth: 256,
      tileHeight: 256,
    });
}

/** A synthetic slide as TIFF bytes: convenient for small slides in tests. */
export async function makeSyntheticSlide(opts: SyntheticSlideOptions): Promise<Buffer> {
  return slidePipeline(opts).toBuffer();
}

/** A synthetic slide written to `file` (streamed by libvips: fine for very large slides). */
export async function writeSyntheticSlide(file: string, opts: SyntheticSlideOptions): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await slidePipeline(opts).toFile(file);
  return file;
}

/** Uploads a file as a stream (PutObject takes up to 5 GB in one request). */
export async function uploadFile(s3: S3Client, file: string, bucket: string, key: string): Promise<void> {
  const { size } = await stat(file);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: createReadStream(file),
      ContentLength: size,
      ContentType: 'image/tiff',
    }),
  );
}

export function slideFileName(seed: number, width: number, height: number): string {
  return `slide-${String(seed).padStart(4, '0')}-${width}x${height}.tif`;
}
