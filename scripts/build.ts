// `npm run build`: compiles every package that runs in production to JavaScript, and prebuilds
// the worker's workflow bundle:
// - packages/task-contract and packages/settings-errors into their own dist/ (what the
//   orchestrator and the processor load as @wsi-orchestrator/...);
// - the orchestrator, src/, into dist/src (tsconfig.build.json);
// - the processor into packages/processor/dist;
// - dist/workflow-bundle.js from the compiled workflows: the compiled worker loads it
//   (src/temporal/workflow-bundle.ts) instead of running webpack at start.
// The local ECS is a development tool and runs from its sources.
// `npm run build -- orchestrator` or `-- processor` builds one image's part (the Dockerfiles).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_NAME } from '../src/temporal/workflow-bundle';

const ROOT = path.resolve(__dirname, '..');
const TSC = require.resolve('typescript/bin/tsc');

function tsc(...args: string[]): void {
  const run = spawnSync(process.execPath, [TSC, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`tsc ${args.join(' ')} failed (exit ${run.status})`);
}

const TARGETS = ['orchestrator', 'processor'] as const;
type Target = (typeof TARGETS)[number];

/** Fresh output: a module deleted from the sources must not live on in the build. */
function clean(...dirs: string[]): void {
  for (const dir of dirs) rmSync(path.join(ROOT, dir), { recursive: true, force: true });
}

async function build(targets: readonly Target[]): Promise<void> {
  // Incremental (tsc -b): up to date after `npm run setup`, so nothing a running test loads is
  // rewritten under it.
  tsc('-b', 'packages/task-contract', 'packages/settings-errors');
  if (targets.includes('orchestrator')) {
    clean('dist');
    tsc('-p', 'tsconfig.build.json');
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'dist', 'src', 'workflows') });
    writeFileSync(path.join(ROOT, 'dist', WORKFLOW_BUNDLE_NAME), code);
    console.log(`build: dist/src and dist/${WORKFLOW_BUNDLE_NAME}`);
  }
  if (targets.includes('processor')) {
    clean('packages/processor/dist');
    tsc('-p', 'packages/processor');
    console.log('build: packages/processor/dist');
  }
}

function targetsFrom(args: string[]): readonly Target[] {
  if (args.length === 0) return TARGETS;
  const unknown = args.filter((a) => !(TARGETS as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new Error(`unknown build target ${unknown.join(', ')}: use ${TARGETS.join(' or ')}`);
  return args as Target[];
}

Promise.resolve()
  .then(() => build(targetsFrom(process.argv.slice(2))))
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
