import { UsageError } from '../../src/cli/exit';
import { parseSlideRef, slideLocation } from '../../src/cli/slide-ref';
import { slideWorkflowId } from '../../src/slides/identity';

describe('how the CLI names slides', () => {
  test('s3://bucket/key and a key with --bucket give the slide workflow ID and its location', () => {
    expect(parseSlideRef('s3://slides/a/b.tif')).toEqual({
      workflowId: slideWorkflowId('slides', 'a/b.tif'),
      bucket: 'slides',
      key: 'a/b.tif',
    });
    expect(parseSlideRef('a/b.tif', 'slides')).toEqual(parseSlideRef('s3://slides/a/b.tif'));
  });

  test.each([
    ['a UUID from `temporal workflow start` without --workflow-id', '5f0c3a52-2d0e-4b8e-9d55-0b1f5c0f7c2e'],
    ['a slide: ID', 'slide:slides/a/b.tif'],
    ['a slide-sha256: ID', `slide-sha256:${'0'.repeat(32)}:slides/a`],
    ['any other name someone chose', 'reprocess-2024-lab7'],
  ])('%s is taken as the workflow ID it is', (_what, id) => {
    expect(parseSlideRef(id)).toEqual({ workflowId: id });
  });

  test('an S3 URI without a key, or an empty name, is bad usage', () => {
    expect(() => parseSlideRef('s3://slides')).toThrow(UsageError);
    expect(() => parseSlideRef('s3://slides/')).toThrow(UsageError);
    expect(() => parseSlideRef('')).toThrow(UsageError);
  });

  test('commands that need a location (submit, id) refuse a bare workflow ID', () => {
    expect(slideLocation(parseSlideRef('s3://slides/k'), 'submit')).toEqual({ bucket: 'slides', key: 'k' });
    expect(() => slideLocation(parseSlideRef('some-uuid'), 'submit')).toThrow(
      'submit needs s3://bucket/key (or a key with --bucket), not a workflow ID: some-uuid',
    );
  });
});
