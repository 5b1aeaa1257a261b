// The two container images, built by `cdk deploy` (not by synth: synth only stages the build
// context into cdk.out) from the repository's own Dockerfiles, with the repository root as the
// context because both Dockerfiles copy package.json, the lockfile and the shared packages
// from there.
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
];

export interface Images {
  /** packages/processor/Dockerfile: the container one slide's task runs. */
  processor: ecs.ContainerImage;
  /** The project Dockerfile: `slides worker` (its CMD) and `slides bridge`. */
  orchestrator: ecs.ContainerImage;
}

export function repositoryImages(): Images {
  const options = { exclude: EXCLUDE, platform: Platform.LINUX_AMD64 };
  return {
    processor: ecs.ContainerImage.fromAsset(REPO_ROOT, { ...options, file: 'packages/processor/Dockerfile' }),
    orchestrator: ecs.ContainerImage.fromAsset(REPO_ROOT, { ...options, file: 'Dockerfile' }),
  };
}
