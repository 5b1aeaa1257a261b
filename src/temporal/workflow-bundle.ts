// The worker's workflow code. Compiled code loads the bundle `npm run build` prebuilt
// (scripts/build.ts): no webpack at start-up, and what runs is exactly what was built.
// Sources (tsx, tests) bundle src/workflows at start, so they never run a stale bundle.
import { existsSync } from 'node:fs';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { RUNS_COMPILED, WORKFLOW_BUNDLE_FILE } from '../tools/layout';

export function prebuiltWorkflowBundle(): WorkflowBundleOption | undefined {
  return RUNS_COMPILED && existsSync(WORKFLOW_BUNDLE_FILE) ? { codePath: WORKFLOW_BUNDLE_FILE } : undefined;
}
