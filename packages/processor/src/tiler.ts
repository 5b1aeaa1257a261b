// Renders DeepZoom tiles with sharp, one level at a time, so the work can be cut into chunks and
// resumed (sharp's all-at-once `.tile()` cannot resume). Per level the image is produced once
// per process, from the level above when that is still at hand (halving it is far cheaper than
// shrinking the full-resolution slide again), and tiles are cut out of it.
//
// Memory stays bounded by choosing where a level raster lives:
// - at most `memoryBudgetBytes` of 8-bit RGB: an in-memory raw buffer, the fastest to cut;
// - larger, at full resolution, when the slide is a TIFF: the slide file itself. TIFF is
//   tiled or stripped, so libvips decodes only the part under each extract;
// - larger otherwise: a temporary tiled, LZW-compressed BigTIFF that libvips writes as a stream
//   (bounded memory) and then reads by random access, tile by tile.
// Cutting each tile of a reduced level straight from the slide (extract + resize per tile) would
// also bound memory, but every tile would decode and shrink a 2^k times larger area of the
// full-resolution slide, with edge effects at every tile border; one streamed render per level
// reads the slide (or the level above) once.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { levelOf, tileRect, type DziGeometry, type TileRef } from './dzi';
import { errorMessage, SlideFormatError } from './errors';
import type { TileFormat } from './settings';

/**
 * Slides are trusted inputs we were asked to process and are routinely larger than sharp's
 * default pixel limit (0x3FFF squared), so the limit is off. `failOn: 'error'` still rejects
 * corrupt data but tolerates the odd unknown TIFF tag scanners write.
 */
const SOURCE_OPTIONS: SharpOptions = { limitInputPixels: false, failOn: 'error' };

export interface SlideImage {
  file: string;
  width: number;
  height: number;
  format: string;
  hasAlpha: boolean;
}

export type RasterKind = 'memory' | 'source' | 'tempfile';

type Raster =
  | { kind: 'memory'; level: number; width: number; height: number; channels: 1 | 2 | 3 | 4; data: Buffer }
  | { kind: 'source' | 'tempfile'; level: number; width: number; height: number; file: string };

export interface TilerOptions {
  format: TileFormat;
  quality: number;
  memoryBudgetBytes: number;
  /** Directory for temporary level files; it must exist. */
  workDir: string;
}

/** Reads the slide's header (not its pixels). Page 0 of a multi-page TIFF is the full resolution. */
export async function openSlide(file: string): Promise<SlideImage> {
  let meta: Metadata;
  try {
    meta = await sharp(file, SOURCE_OPTIONS).metadata();
  } catch (err) {
    throw new SlideFormatError(`slide is not a readable image: ${errorMessage(err)}`, { cause: err });
  }
  const { width, height, format } = meta;
  if (!width || !height || !format) throw new SlideFormatError('slide has no image dimensions');
  return { file, width, height, format, hasAlpha: meta.hasAlpha ?? false };
}

export class Tiler {
  private current: Raster | undefined;

  constructor(
    private readonly slide: SlideImage,
    private readonly geo: DziGeometry,
    private readonly opts: TilerOptions,
  ) {
    if (slide.width !== geo.width || slide.height !== geo.height) {
      throw new Error(
        `geometry ${geo.width}x${geo.height} does not match slide ${slide.width}x${slide.height}`,
      );
    }
  }

  /** The level whose raster is held now, if any. */
  get currentLevel(): number | undefined {
    return this.current?.level;
  }

  /** Where level `level` would be kept: decided by size alone, so tests can predict it. */
  rasterKind(level: number): RasterKind {
    const l = levelOf(this.geo, level);
    if (l.width * l.height * 3 <= this.opts.memoryBudgetBytes) return 'memory';
    return level === this.geo.maxLevel && this.slide.format === 'tiff' ? 'source' : 'tempfile';
  }

  /** Makes `level` the current level (rendering it unless it already is); returns how it is kept. */
  async prepareLevel(level: number): Promise<RasterKind> {
    if (this.current?.level === level) return this.current.kind;
    const target = levelOf(this.geo, level);
    const kind = this.rasterKind(level);
    const from = this.current?.level === level + 1 ? this.current : this.sourceRaster();
    let next: Raster;
    if (kind === 'memory') {
      const { data, info } = await this.resized(from, target).raw({ depth: 'uchar' }).toBuffer({
        resolveWithObject: true,
      });
      next = { kind, level, width: info.width, height: info.height, channels: info.channels, data };
    } else if (kind === 'source') {
      next = { ...this.sourceRaster(), level };
    } else {
      const file = path.join(this.opts.workDir, `level-${level}.tif`);
      await this.resized(from, target)
        .tiff({ tile: true, tileWidth: 256, tileHeight: 256, compression: 'lzw', bigtiff: true })
        .toFile(file);
      next = { kind, level, width: target.width, height: target.height, file };
    }
    if (next.width !== target.width || next.height !== target.height) {
      throw new Error(
        `level ${level} rendered as ${next.width}x${next.height}, expected ${target.width}x${target.height}`,
      );
    }
    await this.release();
    this.current = next;
    return kind;
  }

  /** Encodes one tile of the current level. */
  async renderTile(tile: Pick<TileRef, 'level' | 'col' | 'row'>): Promise<Buffer> {
    const raster = this.current;
    if (raster?.level !== tile.level) {
      throw new Error(`level ${tile.level} is not prepared (current: ${raster?.level ?? 'none'})`);
    }
    const rect = tileRect(this.geo, tile);
    const image =
      raster.kind === 'memory'
        ? sharp(raster.data, {
            raw: { width: raster.width, height: raster.height, channels: raster.channels },
          })
        : sharp(raster.file, SOURCE_OPTIONS);
    let out = image.extract(rect);
    if (raster.kind === 'source') out = this.normalised(out);
    return this.opts.format === 'png'
      ? out.png().toBuffer()
      : out.jpeg({ quality: this.opts.quality }).toBuffer();
  }

  async close(): Promise<void> {
    await this.release();
  }

  private sourceRaster(): Raster {
    const { file, width, height } = this.slide;
    return { kind: 'source', level: this.geo.maxLevel, width, height, file };
  }

  /** A pipeline that reads `from` whole and produces the level `target` in 8-bit sRGB. */
  private resized(from: Raster, target: { width: number; height: number }): Sharp {
    let image: Sharp;
    if (from.kind === 'memory') {
      image = sharp(from.data, { raw: { width: from.width, height: from.height, channels: from.channels } });
    } else {
      // One top-to-bottom pass over the file: sequential access lets libvips stream it.
      image = sharp(from.file, { ...SOURCE_OPTIONS, sequentialRead: true });
      if (from.kind === 'source') image = this.normalised(image);
    }
    if (from.width !== target.width || from.height !== target.height) {
      image = image.resize(target.width, target.height, { fit: 'fill' });
    }
    return image;
  }

  /** Slides may be greyscale, 16-bit or have alpha; tiles are 8-bit sRGB on a white background. */
  private normalised(image: Sharp): Sharp {
    const flat = this.slide.hasAlpha ? image.flatten({ background: '#ffffff' }) : image;
    return flat.toColourspace('srgb');
  }

  private async release(): Promise<void> {
    const old = this.current;
    this.current = undefined;
    if (old?.kind === 'tempfile') await rm(old.file, { force: true });
  }
}
