// Where the repository's files are, for the development harness (dev/ always runs from its
// TypeScript sources through tsx or ts-jest).
import path from 'node:path';

/** The repository root: dev/tools/ is two levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The processor's entry, run as a local process by the local ECS (as its task's command). */
export const PROCESSOR_ENTRY = path.join(PROJECT_ROOT, 'packages', 'processor', 'src', 'main.ts');

/** `node` arguments that run a TypeScript entry module through tsx (a development dependency). */
export function tsxNodeArgs(entry: string): string[] {
  return ['--require', 'tsx/cjs', entry];
}

/** The Python packages the local stack runs as task processes (their sources, no install). */
export const PYTHON_SOURCE_DIRS = [
  path.join(PROJECT_ROOT, 'packages', 'task-py', 'src'),
  path.join(PROJECT_ROOT, 'packages', 'processor-openslide', 'src'),
];

/** The lab-style example program of docs/python-tasks.md, run as a slide task locally. */
export const PYTHON_EXAMPLE_ENTRY = path.join(
  PROJECT_ROOT,
  'packages',
  'task-py',
  'examples',
  'tissue_fraction.py',
);
