// A Compose tool already on this machine's PATH, if any: `docker-compose`, or the `docker
// compose` plugin. Nothing is installed: without one, docker-compose.yml is still checked
// against the Compose specification's JSON schema (test/deploy/compose.test.ts).
import { spawnSync } from 'node:child_process';
import { findOnPath } from './binaries';

/** The command (and its leading arguments) that runs Compose, if this machine has one. */
export function findCompose(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const standalone = findOnPath('docker-compose', env);
  if (standalone) return [standalone];
  const docker = findOnPath('docker', env);
  if (docker && spawnSync(docker, ['compose', 'version'], { stdio: 'ignore', env }).status === 0) {
    return [docker, 'compose'];
  }
  return undefined;
}
