// `npm run build`: compiles src/ and processor/ into dist/ (tsconfig.build.json) and prebuilds
// the worker's workflow bundle, dist/workflow-bundle.js, from the compiled workflows: the
// compiled worker loads it (src/temporal/workflow-bundle.ts) instead of running webpack at start.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT, WORKFLOW_BUNDLE_FILE } from '../src/tools/layout';

async function build(): Promise<void> {
  // A fresh dist/: a module deleted from src/ must not live on in the build.
  rmSync(path.join(PROJECT_ROOT, 'dist'), { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status})`);
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(PROJECT_ROOT, 'dist', 'src', 'workflows'),
  });
  writeFileSync(WORKFLOW_BUNDLE_FILE, code);
  console.log(`build: dist/ and ${path.relative(PROJECT_ROOT, WORKFLOW_BUNDLE_FILE)} written`);
}

build().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
