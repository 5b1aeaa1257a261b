import { resumeFrom, type Checkpoint } from '../src/checkpoint';

describe('where a run resumes from its checkpoint', () => {
  const identity = { etag: '"abc"', size: 1000, tileSize: 254, overlap: 1, format: 'jpeg', total: 52 };
  const written: Checkpoint = {
    done: 24,
    total: 52,
    tileSize: 254,
    overlap: 1,
    format: 'jpeg',
    slide: { etag: '"abc"', size: 1000 },
  };

  test('no checkpoint: from the start', () => {
    expect(resumeFrom(undefined, identity)).toEqual({ done: 0, reason: 'no checkpoint' });
  });

  test('a checkpoint of this slide and these settings: from its done', () => {
    expect(resumeFrom(written, identity)).toEqual({ done: 24 });
  });

  test('a minimal hand-written {done, total} is honoured when the total matches', () => {
    expect(resumeFrom({ done: 10, total: 52 }, identity)).toEqual({ done: 10 });
    expect(resumeFrom({ done: 10, total: 60 }, identity).done).toBe(0);
  });

  test.each([
    ['the slide changed', { slide: { etag: '"other"', size: 1000 } }, /etag/],
    ['the slide size changed', { slide: { etag: '"abc"', size: 5 } }, /size/],
    ['another tile size', { tileSize: 510 }, /tileSize/],
    ['another overlap', { overlap: 0 }, /overlap/],
    ['another format', { format: 'png' }, /format/],
    ['done beyond total', { done: 60 }, /exceeds/],
  ])('%s: from the start, with the reason', (_what, change, reason) => {
    const result = resumeFrom({ ...written, ...change }, identity);
    expect(result.done).toBe(0);
    expect(result.reason).toMatch(reason);
  });

  test('before the slide is opened (total unknown) the identity fields alone decide', () => {
    const { total: _omit, ...beforeOpen } = identity;
    expect(resumeFrom(written, beforeOpen)).toEqual({ done: 24 });
  });
});
