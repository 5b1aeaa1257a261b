// The worker's workflow code. Compiled code loads the bundle `npm run build` prebuilt
// (scripts/build.ts): no webpack at start-up, and what runs is exactly what was built.
// Sources (tsx, tests) bundle src/workflows at start, so they never run a stale bundle.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowBundleOption } from '@temporalio/worker';

/** The prebuilt bundle's file name, directly in dist/ (next to dist/src/). */
export const WORKFLOW_BUNDLE_NAME = 'workflow-bundle.js';

/** True when this module is the compiled JavaScript in dist/src/temporal/, not the source. */
const RUNS_COMPILED = path.extname(__filename) === '.js';

export function prebuiltWorkflowBundle(): WorkflowBundleOption | undefined {
  if (!RUNS_COMPILED) return undefined;
  const codePath = path.resolve(__dirname, '..', '..', WORKFLOW_BUNDLE_NAME);
  return existsSync(codePath) ? { codePath } : undefined;
}
