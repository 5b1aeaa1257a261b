import { loadProcessorSettings } from '../src/settings';
import { SettingsError, EXIT } from '../src/errors';

const base = {
  SLIDE_BUCKET: 'slides',
  SLIDE_KEY: 'in/a b/ü.tif',
  SLIDE_ID: 's1',
  CHECKPOINT_URI: 's3://state/checkpoints/s1.json',
  OUTPUT_URI: 's3://out/tiles/s1/',
};

function settingsError(env: NodeJS.ProcessEnv): SettingsError {
  try {
    loadProcessorSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return err as SettingsError;
  }
  throw new Error('expected a SettingsError');
}

describe('processor configuration from the environment', () => {
  test('defaults', () => {
    const settings = loadProcessorSettings(base);
    expect(settings).toMatchObject({
      slide: { bucket: 'slides', key: 'in/a b/ü.tif' },
      slideId: 's1',
      checkpoint: { bucket: 'state', key: 'checkpoints/s1.json' },
      output: { bucket: 'out', key: 'tiles/s1' },
      chunkTiles: 64,
      tileSize: 254,
      overlap: 1,
      format: 'jpeg',
      tileDelayMs: 0,
    });
  });

  test('tuning variables are parsed; blank means default', () => {
    const settings = loadProcessorSettings({
      ...base,
      CHUNK_TILES: '8',
      TILE_SIZE: '510',
      TILE_OVERLAP: '0',
      TILE_FORMAT: 'JPG',
      TILE_DELAY_MS: '25',
      TILE_CONCURRENCY: '',
      OUTPUT_URI: 's3://out',
    });
    expect(settings).toMatchObject({
      chunkTiles: 8,
      tileSize: 510,
      overlap: 0,
      format: 'jpeg',
      tileDelayMs: 25,
      concurrency: 4,
    });
    expect(settings.output).toEqual({ bucket: 'out', key: '' });
  });

  test('a missing CHECKPOINT_URI is named, with exit code 64', () => {
    const { CHECKPOINT_URI: _omit, ...env } = base;
    const err = settingsError(env);
    expect(err.exitCode).toBe(EXIT.badEnvironment);
    expect(err.exitCode).toBe(64);
    expect(err.message).toMatch(/CHECKPOINT_URI: is required/);
  });

  test.each([
    [{ CHUNK_TILES: 'many' }, /CHUNK_TILES: must be an integer/],
    [{ CHUNK_TILES: '0' }, /CHUNK_TILES/],
    [{ TILE_SIZE: '12.5' }, /TILE_SIZE/],
    [{ TILE_FORMAT: 'webp' }, /TILE_FORMAT: must be one of jpeg, png/],
    [{ OUTPUT_URI: 'https://example.com/x' }, /OUTPUT_URI: must be s3:\/\/bucket\/prefix\//],
    [{ CHECKPOINT_URI: 's3://state/checkpoints/' }, /CHECKPOINT_URI: must name an object/],
    [{ SLIDE_KEY: '' }, /SLIDE_KEY: must not be empty/],
    [{ SLIDE_KEY: 'k'.repeat(1025) }, /SLIDE_KEY: must be at most 1024 bytes/],
    [{ SLIDE_BUCKET: 'no/slash' }, /SLIDE_BUCKET: must be an S3 bucket name/],
    [{ TILE_OVERLAP: '300' }, /TILE_OVERLAP/],
  ])('rejects %j', (override, message) => {
    expect(settingsError({ ...base, ...override }).message).toMatch(message);
  });

  test('a key of exactly 1024 bytes with multi-byte characters is accepted', () => {
    const key = 'ü'.repeat(512); // 2 bytes each in UTF-8
    expect(loadProcessorSettings({ ...base, SLIDE_KEY: key }).slide.key).toBe(key);
  });

  test('every problem is reported at once', () => {
    const err = settingsError({ SLIDE_BUCKET: 'slides' });
    expect(err.message).toMatch(/SLIDE_KEY/);
    expect(err.message).toMatch(/CHECKPOINT_URI/);
    expect(err.message).toMatch(/OUTPUT_URI/);
  });

  test('SLIDE_ID falls back to the last part of the key', () => {
    const { SLIDE_ID: _omit, ...env } = base;
    expect(loadProcessorSettings(env).slideId).toBe('ü.tif');
  });
});
