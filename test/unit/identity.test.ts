import {
  clientTokenFor,
  isOurStartedBy,
  legacyStartedByFor,
  slideId,
  slideStartedBys,
  slideWorkflowId,
  startedByFor,
} from '../../src/slides/identity';

describe('slide identity', () => {
  test('short printable keys keep a readable workflow ID', () => {
    expect(slideWorkflowId('lab', 'case 1/slide ü.svs')).toBe('slide:lab/case 1/slide ü.svs');
  });

  test('the same slide always gets the same workflow ID; different slides never share one', () => {
    expect(slideWorkflowId('lab', 'a.svs')).toBe(slideWorkflowId('lab', 'a.svs'));
    expect(slideWorkflowId('lab', 'a.svs')).not.toBe(slideWorkflowId('lab2', 'a.svs'));
    // A bucket/key split must not collide: ("a", "b/c") versus ("a/b", "c") cannot both exist
    // (bucket names have no "/"), but the hashed form separates them anyway.
    const long = 'x'.repeat(1000);
    expect(slideWorkflowId('lab', `${long}1`)).not.toBe(slideWorkflowId('lab', `${long}2`));
  });

  test('a 1024-byte key gives a bounded, hashed ID', () => {
    const key = 'é'.repeat(512); // 1024 bytes
    const id = slideWorkflowId('lab', key);
    expect(id).toMatch(/^slide-sha256:[0-9a-f]{32}:lab\//);
    expect(Buffer.byteLength(id)).toBeLessThan(300);
  });

  test('control characters never reach the workflow ID', () => {
    const id = slideWorkflowId('lab', 'bad\u0000key\nname');
    expect(id).toMatch(/^slide-sha256:/);
    expect(id.includes('\u0000') || id.includes('\n')).toBe(false);
  });

  test('slideId is short and safe for S3 paths and env vars', () => {
    expect(slideId('lab', 'case 1/Slide #7.svs')).toMatch(/^Slide-7-[0-9a-f]{16}$/);
    expect(slideId('lab', '....')).toMatch(/^[0-9a-f]{16}$/);
  });

  test('startedBy fits ECS: at most 36 letters, digits, - / _', () => {
    for (const startedBy of [
      startedByFor('slide:lab/' + 'k'.repeat(900)),
      legacyStartedByFor('slide:lab/' + 'k'.repeat(900), 'run-1'),
    ]) {
      expect(startedBy).toMatch(/^[A-Za-z0-9/_-]{1,36}$/);
      expect(isOurStartedBy(startedBy)).toBe(true);
    }
  });

  test('startedBy names the slide, not the run: every run of a slide finds its tasks', () => {
    expect(startedByFor('slide:lab/a.svs')).not.toBe(startedByFor('slide:lab/b.svs'));
    expect(slideStartedBys('slide:lab/a.svs', 'r1')[0]).toBe(slideStartedBys('slide:lab/a.svs', 'r2')[0]);
    // The legacy per-run value still differs by run, and is searched too.
    expect(legacyStartedByFor('w', 'r1')).not.toBe(legacyStartedByFor('w', 'r2'));
    expect(slideStartedBys('w', 'r1')).toEqual([startedByFor('w'), legacyStartedByFor('w', 'r1')]);
    expect(isOurStartedBy('ecs-svc/123')).toBe(false);
  });

  test('clientToken is per run and launch, within 64 characters', () => {
    const token = clientTokenFor('w', 'r', 1);
    expect(token).toHaveLength(64);
    expect(clientTokenFor('w', 'r', 1)).toBe(token);
    expect(clientTokenFor('w', 'r', 2)).not.toBe(token);
  });
});
