// The tiler in-process, without S3: every way of keeping a level (memory, the slide file,
// a temporary file) must produce the same tiles, and odd inputs must still give RGB tiles.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { dziGeometry, tileAt, tileRect, type DziGeometry } from '../src/dzi';
import { SlideFormatError } from '../src/errors';
import { openSlide, Tiler, type RasterKind } from '../src/tiler';
import { makeSyntheticSlide } from '../../../dev/slides/synthetic';

async function renderAll(tiler: Tiler, geo: DziGeometry): Promise<{ tiles: Buffer[]; kinds: RasterKind[] }> {
  const tiles: Buffer[] = [];
  const kinds: RasterKind[] = [];
  for (let i = 0; i < geo.totalTiles; i++) {
    const tile = tileAt(geo, i);
    if (tiler.currentLevel !== tile.level) kinds[tile.level] = await tiler.prepareLevel(tile.level);
    tiles.push(await tiler.renderTile(tile));
  }
  await tiler.close();
  return { tiles, kinds };
}

describe('tiler', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tiler-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('tiles are the same whether levels are kept in memory, read from the slide or from a temp file', async () => {
    const file = path.join(dir, 'slide.tif');
    await writeFile(file, await makeSyntheticSlide({ width: 700, height: 500, seed: 3 }));
    const slide = await openSlide(file);
    expect(slide).toMatchObject({ width: 700, height: 500, format: 'tiff' });
    const geo = dziGeometry(700, 500, 254, 1);
    const opts = { format: 'jpeg' as const, quality: 90, workDir: dir };

    const inMemory = await renderAll(new Tiler(slide, geo, { ...opts, memoryBudgetBytes: 64 << 20 }), geo);
    // With a 200 KB budget the top level (700x500x3 bytes) is cut from the slide file and the next
    // (350x250x3) from a temp file; the rest fit in memory.
    const onDisk = await renderAll(new Tiler(slide, geo, { ...opts, memoryBudgetBytes: 200_000 }), geo);

    expect(inMemory.kinds.every((k) => k === 'memory')).toBe(true);
    expect(onDisk.kinds[geo.maxLevel]).toBe('source');
    expect(onDisk.kinds[geo.maxLevel - 1]).toBe('tempfile');
    expect(onDisk.kinds[geo.maxLevel - 2]).toBe('memory');
    expect(onDisk.tiles).toHaveLength(geo.totalTiles);
    onDisk.tiles.forEach((t, i) => expect(t.equals(inMemory.tiles[i]!)).toBe(true));
    expect(await readdir(dir)).toEqual(['slide.tif']); // temp level files are removed

    for (const i of [0, 5, geo.totalTiles - 1]) {
      const meta = await sharp(inMemory.tiles[i]).metadata();
      const rect = tileRect(geo, tileAt(geo, i));
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', rect.width, rect.height]);
    }
  });

  test('a non-TIFF slide too big for memory goes through temp files; alpha and grey become RGB', async () => {
    const file = path.join(dir, 'grey-alpha.png');
    // Grey 128 at half opacity.
    await sharp(Buffer.alloc(600 * 300 * 2, 128), { raw: { width: 600, height: 300, channels: 2 } })
      .png()
      .toFile(file);
    const slide = await openSlide(file);
    expect(slide).toMatchObject({ format: 'png', hasAlpha: true });
    const geo = dziGeometry(600, 300, 254, 1);
    const tiler = new Tiler(slide, geo, {
      format: 'png',
      quality: 90,
      workDir: dir,
      memoryBudgetBytes: 1000,
    });
    expect(await tiler.prepareLevel(geo.maxLevel)).toBe('tempfile');
    const png = await tiler.renderTile({ level: geo.maxLevel, col: 1, row: 1 });
    expect(await readdir(dir)).toContain(`level-${geo.maxLevel}.tif`);
    await tiler.close();
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([256, 47, 3]);
    // Grey 128 at alpha 128/255 over white.
    expect(Math.abs(data[0]! - 191)).toBeLessThanOrEqual(2);
  });

  test('a file that is not an image is a SlideFormatError', async () => {
    const file = path.join(dir, 'not-an-image');
    await writeFile(file, 'definitely not pixels');
    await expect(openSlide(file)).rejects.toBeInstanceOf(SlideFormatError);
    await rm(file);
  });
});

describe('synthetic slides', () => {
  test('are tiled pyramidal TIFFs, deterministic from the seed', async () => {
    const a = await makeSyntheticSlide({ width: 900, height: 600, seed: 5 });
    const b = await makeSyntheticSlide({ width: 900, height: 600, seed: 5 });
    const c = await makeSyntheticSlide({ width: 900, height: 600, seed: 6 });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    const meta = await sharp(a).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['tiff', 900, 600]);
    expect(meta.pages).toBeGreaterThan(1); // the pyramid's smaller levels
    // Not a flat picture: the pixels vary.
    const stats = await sharp(a).stats();
    expect(stats.channels[0]!.stdev).toBeGreaterThan(5);
  });
});
