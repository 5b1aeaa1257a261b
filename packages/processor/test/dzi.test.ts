import {
  ceilLog2,
  chunkCount,
  chunkRange,
  dziGeometry,
  dziXml,
  tileAt,
  tilePath,
  tileRect,
} from '../src/dzi';

describe('DeepZoom geometry', () => {
  // 1500x1100, tiles of 254 with overlap 1: computed by hand from the DeepZoom definition.
  const geo = dziGeometry(1500, 1100, 254, 1);

  test('level count is ceil(log2(max side)) + 1', () => {
    expect(ceilLog2(1)).toBe(0);
    expect(ceilLog2(2)).toBe(1);
    expect(ceilLog2(1024)).toBe(10);
    expect(ceilLog2(1025)).toBe(11);
    expect(geo.maxLevel).toBe(11);
    expect(geo.levels).toHaveLength(12);
    expect(dziGeometry(1, 1, 254, 1).maxLevel).toBe(0);
    expect(dziGeometry(1024, 3, 254, 1).maxLevel).toBe(10);
    expect(dziGeometry(3, 1025, 254, 1).maxLevel).toBe(11);
  });

  test('each level halves the one above, rounding up, down to 1x1', () => {
    const sizes = geo.levels.map((l) => [l.width, l.height]);
    expect(sizes).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [6, 5],
      [12, 9],
      [24, 18],
      [47, 35],
      [94, 69],
      [188, 138],
      [375, 275],
      [750, 550],
      [1500, 1100],
    ]);
  });

  test('tile grid per level and total', () => {
    const grid = (level: number) => [geo.levels[level]!.cols, geo.levels[level]!.rows];
    expect(grid(11)).toEqual([6, 5]);
    expect(grid(10)).toEqual([3, 3]);
    expect(grid(9)).toEqual([2, 2]);
    expect(grid(8)).toEqual([1, 1]);
    expect(grid(0)).toEqual([1, 1]);
    expect(geo.totalTiles).toBe(30 + 9 + 4 + 1 + 8);
  });

  test('tile rectangles carry the overlap inside the image and are clipped at its edges', () => {
    expect(tileRect(geo, { level: 11, col: 0, row: 0 })).toEqual({
      left: 0,
      top: 0,
      width: 255,
      height: 255,
    });
    expect(tileRect(geo, { level: 11, col: 1, row: 0 })).toEqual({
      left: 253,
      top: 0,
      width: 256,
      height: 255,
    });
    expect(tileRect(geo, { level: 11, col: 2, row: 3 })).toEqual({
      left: 507,
      top: 761,
      width: 256,
      height: 256,
    });
    expect(tileRect(geo, { level: 11, col: 5, row: 4 })).toEqual({
      left: 1269,
      top: 1015,
      width: 231,
      height: 85,
    });
    expect(tileRect(geo, { level: 10, col: 2, row: 2 })).toEqual({
      left: 507,
      top: 507,
      width: 243,
      height: 43,
    });
    expect(tileRect(geo, { level: 8, col: 0, row: 0 })).toEqual({ left: 0, top: 0, width: 188, height: 138 });
    expect(tileRect(geo, { level: 0, col: 0, row: 0 })).toEqual({ left: 0, top: 0, width: 1, height: 1 });
    expect(() => tileRect(geo, { level: 11, col: 6, row: 0 })).toThrow(RangeError);
  });

  test('a side that is an exact multiple of the tile size ends in a tile with overlap on one side only', () => {
    const g = dziGeometry(508, 254, 254, 1);
    expect(g.levels[g.maxLevel]).toMatchObject({ width: 508, height: 254, cols: 2, rows: 1 });
    expect(tileRect(g, { level: g.maxLevel, col: 1, row: 0 })).toEqual({
      left: 253,
      top: 0,
      width: 255,
      height: 254,
    });
  });

  test('overlap 0 gives disjoint tiles', () => {
    const g = dziGeometry(600, 300, 256, 0);
    expect(tileRect(g, { level: g.maxLevel, col: 1, row: 1 })).toEqual({
      left: 256,
      top: 256,
      width: 256,
      height: 44,
    });
  });

  test('tiles are ordered highest level first, then row-major', () => {
    expect(tileAt(geo, 0)).toEqual({ index: 0, level: 11, col: 0, row: 0 });
    expect(tileAt(geo, 5)).toEqual({ index: 5, level: 11, col: 5, row: 0 });
    expect(tileAt(geo, 6)).toEqual({ index: 6, level: 11, col: 0, row: 1 });
    expect(tileAt(geo, 29)).toEqual({ index: 29, level: 11, col: 5, row: 4 });
    expect(tileAt(geo, 30)).toEqual({ index: 30, level: 10, col: 0, row: 0 });
    expect(tileAt(geo, 39)).toEqual({ index: 39, level: 9, col: 0, row: 0 });
    expect(tileAt(geo, 43)).toEqual({ index: 43, level: 8, col: 0, row: 0 });
    expect(tileAt(geo, 51)).toEqual({ index: 51, level: 0, col: 0, row: 0 });
    expect(geo.levels.map((l) => l.firstTile)).toEqual([51, 50, 49, 48, 47, 46, 45, 44, 43, 39, 30, 0]);
    expect(() => tileAt(geo, 52)).toThrow(RangeError);
    expect(() => tileAt(geo, -1)).toThrow(RangeError);
  });

  test('every tile appears exactly once in the order', () => {
    const seen = new Set<string>();
    for (let i = 0; i < geo.totalTiles; i++) {
      const t = tileAt(geo, i);
      seen.add(`${t.level}/${t.col}_${t.row}`);
    }
    const expected = geo.levels.reduce((n, l) => n + l.cols * l.rows, 0);
    expect(seen.size).toBe(expected);
    expect(seen.size).toBe(geo.totalTiles);
  });

  test('chunks are consecutive runs of chunkTiles tiles, the last one short', () => {
    expect(chunkCount(geo, 8)).toBe(7);
    expect(chunkRange(geo, 8, 0)).toEqual({ start: 0, end: 8 });
    expect(chunkRange(geo, 8, 3)).toEqual({ start: 24, end: 32 });
    expect(chunkRange(geo, 8, 6)).toEqual({ start: 48, end: 52 });
    expect(chunkCount(geo, 52)).toBe(1);
    expect(chunkCount(geo, 1000)).toBe(1);
    expect(chunkRange(geo, 1000, 0)).toEqual({ start: 0, end: 52 });
  });

  test('tile paths and the descriptor follow the DeepZoom layout', () => {
    expect(tilePath({ level: 11, col: 5, row: 4 }, 'jpeg')).toBe('slide_files/11/5_4.jpeg');
    const xml = dziXml(geo, 'jpeg');
    expect(xml).toContain(
      '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="jpeg" Overlap="1" TileSize="254">',
    );
    expect(xml).toContain('<Size Width="1500" Height="1100"/>');
  });

  test('rejects impossible sizes', () => {
    expect(() => dziGeometry(0, 10, 254, 1)).toThrow(RangeError);
    expect(() => dziGeometry(10, 10, 0, 1)).toThrow(RangeError);
    expect(() => dziGeometry(10, 10, 254, -1)).toThrow(RangeError);
    expect(() => dziGeometry(10.5, 10, 254, 1)).toThrow(RangeError);
  });
});
