// The three container images, built by `cdk deploy` (not by synth: synth only stages the build
// context into cdk.out) from the repository's own Dockerfiles, with the repository root as the
// context: the two Node Dockerfiles copy package.json, the lockfile and the shared packages
// from there, the OpenSlide one both Python packages (packages/task-py and
// packages/processor-openslide), so none of these may be excluded below.
import * as path from 'node:path';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Never part of a build context: state, caches, build output, and this app's own output. */
const EXCLUDE = [
  '.git',
  '**/node_modules',
  '.tools',
  '.data',
  '**/dist',
  'coverage',
  'bench/results',
  'deploy/aws/cdk.out',
  'deploy/aws/test',
  'test',
  'docs',
  'dev',
  'bench',
  'packages/local-ecs',
  // Python's own caches and build output (the OpenSlide image pip-installs the two Python packages).
  '**/__pycache__',
  '**/*.egg-info',
  '**/.pytest_cache',
  '**/.ruff_cache',
];

export interface Images {
  /** packages/processor/Dockerfile: the container one slide's task runs. */
  processor: ecs.ContainerImage;
  /** packages/processor-openslide/Dockerfile: the task for the slides ECS_TASK_DEFINITION_ROUTES sends it (vendor formats, folders). */
  openslideProcessor: ecs.ContainerImage;
  /** The project Dockerfile: `slides worker` (its CMD) and `slides bridge`. */
  orchestrator: ecs.ContainerImage;
}

export function repositoryImages(): Images {
  const options = { exclude: EXCLUDE, platform: Platform.LINUX_AMD64 };
  return {
    processor: ecs.ContainerImage.fromAsset(REPO_ROOT, { ...options, file: 'packages/processor/Dockerfile' }),
    openslideProcessor: ecs.ContainerImage.fromAsset(REPO_ROOT, {
      ...options,
      file: 'packages/processor-openslide/Dockerfile',
    }),
    orchestrator: ecs.ContainerImage.fromAsset(REPO_ROOT, { ...options, file: 'Dockerfile' }),
  };
}
