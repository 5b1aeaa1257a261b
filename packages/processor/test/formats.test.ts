import { SlideFormatError, SlideNotFoundError } from '../src/errors';
import { asFormatError, openSlideSuffixOf } from '../src/formats';

describe('slides this processor cannot read', () => {
  test('vendor suffixes are recognised whatever their case; plain TIFF is not one', () => {
    expect(openSlideSuffixOf('lab/Case 1.SVS')).toBe('.svs');
    expect(openSlideSuffixOf('lab/a.mrxs')).toBe('.mrxs');
    expect(openSlideSuffixOf('lab/a.tif')).toBeUndefined();
  });

  test('a decode failure on a vendor slide becomes a bad slide (65) naming the OpenSlide processor', () => {
    const err = asFormatError('lab/a.svs', new Error('VipsJpeg: premature end of input'));
    expect(err).toBeInstanceOf(SlideFormatError);
    expect((err as SlideFormatError).exitCode).toBe(65);
    expect((err as Error).message).toMatch(/lab\/a\.svs is a \.svs slide.*OpenSlide processor/);
  });

  test('a codec libvips lacks is a bad slide for any key, not a retryable failure', () => {
    const err = asFormatError('lab/a.tif', new Error('libvips built without JPEG2000 support'));
    expect(err).toBeInstanceOf(SlideFormatError);
  });

  test('other failures keep their own meaning', () => {
    const network = new Error('socket hang up');
    expect(asFormatError('lab/a.tif', network)).toBe(network);
    const missing = new SlideNotFoundError('no such slide');
    expect(asFormatError('lab/a.svs', missing)).toBe(missing);
  });
});
