// docker-compose.yml must be a valid Compose file describing the whole stack; a Compose
// implementation checks it offline (no Docker engine runs on these machines).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/tools/binaries';
import { findCompose } from '../../src/tools/compose';

const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');

function compose(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const cmd = findCompose();
  if (!cmd)
    throw new Error('no Compose on this machine: `npm run setup` installs Debian docker-compose as root');
  const [bin, ...lead] = cmd as [string, ...string[]];
  const out = spawnSync(bin, [...lead, '-f', COMPOSE_FILE, ...args], { encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('docker-compose.yml', () => {
  test('is valid Compose', () => {
    const result = compose('config', '-q');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('describes the whole stack: Temporal with UI, an AWS emulator, the local ECS, set-up, the worker and the bridge', () => {
    const services = compose('config', '--services').stdout.trim().split('\n').sort();
    expect(services).toEqual(['aws', 'bridge', 'local-ecs', 'setup', 'temporal', 'worker']);
    const config = compose('config').stdout;
    expect(config).toMatch(/published: "?8233"?/);
    expect(config).toContain('TEMPORAL_ADDRESS: temporal:7233');
    expect(config).toContain('AWS_ENDPOINT_URL_ECS: http://local-ecs:5100');
    // Every search attribute the workflow upserts is registered with the dev server.
    for (const attribute of ['SlideBucket', 'SlideKey', 'SlidePhase', 'SlideTier', 'SlideAttempts']) {
      expect(config).toContain(`--search-attribute=${attribute}=`);
    }
    // The worker serves metrics and health; compose waits on /readyz.
    expect(config).toContain('METRICS_ADDRESS: 0.0.0.0:9464');
    expect(config).toContain('/readyz');
  });
});
