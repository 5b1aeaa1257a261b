// The OpenSlide processor (packages/processor-openslide) inside `npm test`: its pytest suite
// (synthetic JPEG and JPEG 2000 SVS against moto, SIGTERM and SIGKILL then resume) and ruff,
// with the pinned tools `npm run setup` put in .tools/python.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT, pythonTargetDir } from '../../dev/tools/binaries';

const PACKAGE = path.join(PROJECT_ROOT, 'packages', 'processor-openslide');
const TASK_PY_SRC = path.join(PROJECT_ROOT, 'packages', 'task-py', 'src');

function python(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.env.PYTHON ?? 'python3', args, {
    cwd: PROJECT_ROOT,
    // A clean environment: no AWS profile or endpoint of the developer's leaks into the tests,
    // and no __pycache__ is left in the work tree.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PYTHONPATH: [pythonTargetDir(), TASK_PY_SRC, path.join(PACKAGE, 'src')].join(path.delimiter),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.error?.message ?? ''}${result.stdout}${result.stderr}` };
}

function expectSuccess({ status, output }: { status: number | null; output: string }): void {
  if (status !== 0) throw new Error(`exit ${status}:\n${output}`);
}

describe('packages/processor-openslide', () => {
  test('pytest passes', () => {
    expectSuccess(python(['-m', 'pytest', PACKAGE, '-q']));
  }, 150_000);

  test('ruff finds nothing to fix', () => {
    expectSuccess(python(['-m', 'ruff', 'check', '--no-cache', PACKAGE]));
    expectSuccess(python(['-m', 'ruff', 'format', '--check', '--no-cache', PACKAGE]));
  });
});
