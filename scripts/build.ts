// `npm run build`: compiles every package that runs in production to JavaScript, and prebuilds
// the worker's workflow bundle:
// - packages/task-contract and packages/settings-errors into their own dist/ (what the
//   orchestrator and the processor load as @wsi-orchestrator/...);
// - the orchestrator, src/, into dist/src (tsconfig.build.json);
// - the processor into packages/processor/dist;
// - dist/workflow-bundle.js from the compiled workflows: the compiled worker loads it
//   (src/temporal/workflow-bundle.ts) instead of running webpack at start.
// The local ECS is a development tool and runs from its sources.
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

async function build(): Promise<void> {
  // Fresh output: a module deleted from the sources must not live on in the build.
  for (const dir of ['dist', 'packages/processor/dist', 'packages/task-contract/dist', 'packages/settings-errors/dist']) {
    rmSync(path.join(ROOT, dir), { recursive: true, force: true });
  }
  tsc('-b', 'packages/task-contract', 'packages/settings-errors');
  tsc('-p', 'tsconfig.build.json');
  tsc('-p', 'packages/processor');
  const { code } = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'dist', 'src', 'workflows') });
  writeFileSync(path.join(ROOT, 'dist', WORKFLOW_BUNDLE_NAME), code);
  console.log(`build: dist/ (with ${WORKFLOW_BUNDLE_NAME}), packages/*/dist written`);
}

build().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
