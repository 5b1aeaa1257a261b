// A Compose implementation that can parse and validate docker-compose.yml without a Docker
// engine: `docker-compose` (Debian's package) or the `docker compose` plugin.
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

/**
 * Installs Debian's docker-compose when no Compose is present and apt-get can be used (as
 * root): it validates the compose file offline. Returns the command, or undefined with a
 * logged hint when it cannot be had.
 */
export function ensureCompose(log: (line: string) => void = () => undefined): string[] | undefined {
  const found = findCompose();
  if (found) return found;
  const aptGet = findOnPath('apt-get');
  if (aptGet && process.getuid?.() === 0) {
    const install = (): boolean =>
      spawnSync(aptGet, ['install', '-y', '-q', 'docker-compose'], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status === 0;
    log('$ apt-get install -y docker-compose');
    if (!install()) {
      spawnSync(aptGet, ['update', '-q'], { stdio: 'ignore' });
      install();
    }
  }
  const after = findCompose();
  if (!after)
    log(
      'No Compose found: install docker-compose (Debian: apt-get install docker-compose) to validate docker-compose.yml',
    );
  return after;
}
