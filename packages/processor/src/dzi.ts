// DeepZoom pyramid geometry: pure arithmetic, no I/O, so it is unit-tested against hand-computed
// values. Level `maxLevel` is the full-resolution image; each level below halves it (rounding
// up) down to level 0, which is 1x1. Tiles are `tileSize` square plus `overlap` pixels shared
// with each neighbour, as the DeepZoom format (and OpenSeadragon) defines them.

export interface DziLevel {
  level: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
  /** Index of this level's first tile in the global processing order. */
  firstTile: number;
}

export interface DziGeometry {
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
  /** The full-resolution level: ceil(log2(max(width, height))). */
  maxLevel: number;
  /** Indexed by level number (0..maxLevel). */
  levels: DziLevel[];
  totalTiles: number;
}

export interface TileRef {
  /** Position in the global order (highest level first, then row-major). */
  index: number;
  level: number;
  col: number;
  row: number;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** ceil(log2(n)) for n >= 1, in integers: Math.log2 rounding must not decide a level count. */
export function ceilLog2(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

export function dziGeometry(width: number, height: number, tileSize: number, overlap: number): DziGeometry {
  for (const [name, v] of Object.entries({ width, height, tileSize })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(overlap) || overlap < 0) {
    throw new RangeError(`overlap must be a non-negative integer, got ${overlap}`);
  }
  const maxLevel = ceilLog2(Math.max(width, height));
  const sizes: Omit<DziLevel, 'firstTile'>[] = [];
  for (let level = 0; level <= maxLevel; level++) {
    const scale = 2 ** (maxLevel - level);
    const w = Math.ceil(width / scale);
    const h = Math.ceil(height / scale);
    sizes.push({ level, width: w, height: h, cols: Math.ceil(w / tileSize), rows: Math.ceil(h / tileSize) });
  }
  // Highest level first: it is most of the work, so progress early means progress on what matters.
  const levels: DziLevel[] = new Array<DziLevel>(maxLevel + 1);
  let next = 0;
  for (let level = maxLevel; level >= 0; level--) {
    const s = sizes[level]!;
    levels[level] = { ...s, firstTile: next };
    next += s.cols * s.rows;
  }
  return { width, height, tileSize, overlap, maxLevel, levels, totalTiles: next };
}

export function levelOf(geo: DziGeometry, level: number): DziLevel {
  const l = geo.levels[level];
  if (!l) throw new RangeError(`no level ${level} (0..${geo.maxLevel})`);
  return l;
}

/** The tile at a position in the global order. */
export function tileAt(geo: DziGeometry, index: number): TileRef {
  if (!Number.isInteger(index) || index < 0 || index >= geo.totalTiles) {
    throw new RangeError(`tile index ${index} out of range 0..${geo.totalTiles - 1}`);
  }
  for (let level = geo.maxLevel; level >= 0; level--) {
    const l = levelOf(geo, level);
    const local = index - l.firstTile;
    if (local < l.cols * l.rows)
      return { index, level, col: local % l.cols, row: Math.floor(local / l.cols) };
  }
  throw new Error('unreachable: tile index inside totalTiles but in no level');
}

/** The pixel rectangle of a tile within its level image: the tile plus overlap, clipped to the image. */
export function tileRect(geo: DziGeometry, tile: Pick<TileRef, 'level' | 'col' | 'row'>): Rect {
  const l = levelOf(geo, tile.level);
  if (tile.col < 0 || tile.col >= l.cols || tile.row < 0 || tile.row >= l.rows) {
    throw new RangeError(`tile ${tile.col}_${tile.row} outside level ${tile.level} (${l.cols}x${l.rows})`);
  }
  const { tileSize: ts, overlap: ov } = geo;
  const left = Math.max(0, tile.col * ts - ov);
  const top = Math.max(0, tile.row * ts - ov);
  const right = Math.min(l.width, (tile.col + 1) * ts + ov);
  const bottom = Math.min(l.height, (tile.row + 1) * ts + ov);
  return { left, top, width: right - left, height: bottom - top };
}

/** Chunk k covers tiles [k*chunkTiles, (k+1)*chunkTiles), the last one cut at totalTiles. */
export function chunkRange(
  geo: DziGeometry,
  chunkTiles: number,
  chunk: number,
): { start: number; end: number } {
  const start = chunk * chunkTiles;
  return { start, end: Math.min(geo.totalTiles, start + chunkTiles) };
}

export function chunkCount(geo: DziGeometry, chunkTiles: number): number {
  return Math.ceil(geo.totalTiles / chunkTiles);
}

/** Path of a tile relative to the output prefix: `slide_files/<level>/<col>_<row>.<ext>`. */
export function tilePath(tile: Pick<TileRef, 'level' | 'col' | 'row'>, ext: string, name = 'slide'): string {
  return `${name}_files/${tile.level}/${tile.col}_${tile.row}.${ext}`;
}

/** The `.dzi` XML descriptor viewers such as OpenSeadragon read. */
export function dziXml(geo: DziGeometry, format: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="${format}" ` +
    `Overlap="${geo.overlap}" TileSize="${geo.tileSize}">\n` +
    `  <Size Width="${geo.width}" Height="${geo.height}"/>\n` +
    '</Image>\n'
  );
}
