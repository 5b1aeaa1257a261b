// `npm run build` gives what the Docker images run: compiled JavaScript in dist/ and a prebuilt
// workflow bundle, with no TypeScript and no tsx loaded. (The images themselves need Docker,
// which these machines do not have: this runs their entry points the way they do.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../dev/tools/binaries';
import { inImage, readDockerfile } from './dockerfile';

const DIST = path.join(PROJECT_ROOT, 'dist');

/** Runs `node -e script` in the project root; exit 97 when any .ts file or tsx was loaded. */
function nodeCompiledOnly(script: string, env: NodeJS.ProcessEnv = {}) {
  const guard = `process.on('exit', () => {
    const sources = Object.keys(require.cache).filter((k) => k.includes('/tsx/') || k.endsWith('.ts'));
    if (sources.length > 0) { console.error('loaded from sources: ' + sources[0]); process.exitCode = 97; }
  });`;
  return spawnSync(process.execPath, ['-e', `${guard}\n${script}`], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
}

describe('the production build', () => {
  beforeAll(() => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  }, 600_000);

  test('writes the compiled CLI, worker, workflow bundle, processor and the shared packages', () => {
    for (const file of [
      'dist/src/client.js',
      'dist/src/worker.js',
      'dist/workflow-bundle.js',
      'packages/processor/dist/main.js',
      'packages/task-contract/dist/index.js',
      'packages/settings-errors/dist/index.js',
    ]) {
      expect(existsSync(path.join(PROJECT_ROOT, file))).toBe(true);
    }
  });

  test('bin/slides.js runs the compiled CLI', () => {
    const out = nodeCompiledOnly(
      `process.argv = [process.argv[0], 'slides', '--help']; require('./bin/slides.js');`,
    );
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Usage: slides');
  });

  test('the compiled worker loads the prebuilt bundle, and stops on a bad setting naming it', () => {
    const bundle = nodeCompiledOnly(
      `console.log(JSON.stringify(require('./dist/src/temporal/workflow-bundle').prebuiltWorkflowBundle()));`,
    );
    expect(JSON.parse(bundle.stdout)).toEqual({ codePath: path.join(DIST, 'workflow-bundle.js') });
    const worker = nodeCompiledOnly(
      `process.argv = [process.argv[0], 'slides', 'worker']; require('./bin/slides.js');`,
      { ECS_TASK_SLOTS: 'many' },
    );
    expect(worker.status).toBe(1);
    expect(worker.stderr).toContain('invalid settings:\n  ECS_TASK_SLOTS');
  });

  test('the compiled processor names a missing variable and exits 64 (the task contract)', () => {
    const processor = nodeCompiledOnly(`require('./packages/processor/dist/main.js');`);
    expect(processor.status).toBe(64);
    expect(processor.stderr).toContain('SLIDE_BUCKET: is required');
  });

  test.each(['Dockerfile', 'packages/processor/Dockerfile'])(
    '%s: what its runtime stage copies from the build stage is built, and what it starts exists',
    (dockerfile) => {
      const stages = readDockerfile(path.join(PROJECT_ROOT, dockerfile));
      const runtime = stages[stages.length - 1]!;
      const fromBuild = runtime.copies.filter((c) => c.from !== undefined);
      expect(fromBuild.length).toBeGreaterThan(0);
      for (const copy of fromBuild) {
        const build = stages.find((s) => s.name === copy.from)!;
        for (const source of copy.sources)
          expect(existsSync(path.join(PROJECT_ROOT, inImage(build, source)))).toBe(true);
      }
      const started = [...runtime.entrypoint, ...runtime.cmd].filter((arg) => arg.endsWith('.js'));
      expect(started.length).toBeGreaterThan(0);
      for (const file of started) expect(existsSync(path.join(PROJECT_ROOT, file))).toBe(true);
    },
  );
});
