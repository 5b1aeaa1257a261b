// Where the project's files are, whether this code runs from the TypeScript sources (tsx,
// ts-jest) or compiled by `npm run build` into dist/ (dist/src/..., dist/processor/...), as
// the Docker images run it.
import path from 'node:path';

/** True when this module is the compiled JavaScript in dist/, not the TypeScript source. */
export const RUNS_COMPILED = path.extname(__filename) === '.js';

/** The repository (or image) root: src/tools/ is two levels below it, dist/src/tools/ three. */
export const PROJECT_ROOT = path.resolve(__dirname, ...(RUNS_COMPILED ? ['..', '..', '..'] : ['..', '..']));

/** Where src/ and processor/ are as code that runs: the project root, or dist/ when compiled. */
export const CODE_ROOT = RUNS_COMPILED ? path.join(PROJECT_ROOT, 'dist') : PROJECT_ROOT;

/** The prebuilt workflow bundle `npm run build` writes (scripts/build.ts). */
export const WORKFLOW_BUNDLE_FILE = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');

/**
 * `node` arguments that run one of the project's entry modules (`processor/main`, say) the way
 * this code runs: the compiled file, or the source through tsx (a development dependency).
 */
export function nodeArgsFor(entry: string): string[] {
  return RUNS_COMPILED
    ? [path.join(CODE_ROOT, `${entry}.js`)]
    : ['--require', 'tsx/cjs', path.join(CODE_ROOT, `${entry}.ts`)];
}
