// The Python side inside `npm test`, with the pinned tools `npm run setup` put in .tools/python:
// the task library (packages/task-py: its pytest suite against moto, the SIGTERM test, the
// contract-drift test, the docs' example) and the OpenSlide processor (packages/processor-
// openslide: synthetic JPEG and JPEG 2000 SVS, SIGTERM and SIGKILL then resume), and ruff over
// every Python file. One file, so the suites run one after the other: in parallel on a loaded
// 2-core machine their signal tests raced the clock.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT, projectPythonEnv, pythonInterpreter } from '../../dev/tools/binaries';

const TASK_PY = path.join(PROJECT_ROOT, 'packages', 'task-py');
const OPENSLIDE = path.join(PROJECT_ROOT, 'packages', 'processor-openslide');
const DEV_SLIDES = path.join(PROJECT_ROOT, 'dev', 'slides');

function python(args: string[], timeoutMs: number): { status: number | null; output: string } {
  const result = spawnSync(pythonInterpreter(), args, {
    cwd: PROJECT_ROOT,
    env: projectPythonEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, output: `${result.error?.message ?? ''}${result.stdout}${result.stderr}` };
}

function expectSuccess({ status, output }: { status: number | null; output: string }): void {
  if (status !== 0) throw new Error(`exit ${status}:\n${output}`);
}

describe('the Python packages', () => {
  test.each([
    ['packages/task-py', TASK_PY],
    ['packages/processor-openslide', OPENSLIDE],
  ])(
    '%s: pytest passes',
    (_name, dir) => {
      expectSuccess(python(['-m', 'pytest', dir, '-q', '-p', 'no:cacheprovider'], 240_000));
    },
    300_000,
  );

  test('ruff finds nothing to fix', () => {
    const paths = [TASK_PY, OPENSLIDE, DEV_SLIDES, path.join(PROJECT_ROOT, 'bench')];
    expectSuccess(python(['-m', 'ruff', 'check', '--no-cache', ...paths], 60_000));
    expectSuccess(python(['-m', 'ruff', 'format', '--check', '--no-cache', ...paths], 60_000));
  }, 120_000);
});
