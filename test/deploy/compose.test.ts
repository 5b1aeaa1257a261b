// docker-compose.yml must be a valid Compose file describing the whole stack. It is checked
// against the Compose specification's JSON schema (vendored, test/deploy/compose-spec/), which
// needs no Docker; a Compose tool already on PATH checks it as well. Nothing is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { PROJECT_ROOT, PYTHON_REQUIREMENTS } from '../../dev/tools/binaries';
import { findCompose } from '../../dev/tools/compose';
import { LOCAL_ROUTES } from '../../dev/stack/local-stack';
import { readDockerfile, workspacesOf } from './dockerfile';

const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');
const SCHEMA_FILE = path.join(__dirname, 'compose-spec', 'compose-spec.json');

interface ComposeService {
  image?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  volumes?: string[];
  depends_on?: string[] | Record<string, unknown>;
}

/** A validator of the Compose schema: draft-07, under the https id the schema names as its $schema. */
function composeValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
  // Non-standard `format`s (durations, ports) are hints only: not validated.
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
}

/** The file as Compose reads it: YAML with merge keys (`<<: *aws-env`). */
function composeFile(): { services: Record<string, ComposeService> } {
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose specification JSON schema', () => {
    const validate = composeValidator();
    const valid = validate(composeFile());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check catches a mistake: an unknown service key', () => {
    const validate = composeValidator();
    const file = composeFile();
    (file.services.worker as Record<string, unknown>).restart_policy = 'always';
    expect(validate(file)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('restart_policy');
  });

  test('describes the whole stack: Temporal with UI, an AWS emulator, the local ECS, set-up, the worker and the bridge', () => {
    const { services } = composeFile();
    // The default profile: every service without `profiles`.
    const stack = Object.entries(services).filter(([, service]) => service.profiles === undefined);
    expect(stack.map(([name]) => name).sort()).toEqual([
      'aws',
      'bridge',
      'local-ecs',
      'setup',
      'temporal',
      'worker',
    ]);
    expect(services.temporal?.ports).toContain('8233:8233');
    expect(services.worker?.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      AWS_ENDPOINT_URL_ECS: 'http://local-ecs:5100',
    });
    expect(services.bridge?.environment).toMatchObject({ AWS_ENDPOINT_URL_ECS: 'http://local-ecs:5100' });
    // Every search attribute the workflow upserts is registered with the dev server.
    for (const attribute of ['SlideBucket', 'SlideKey', 'SlidePhase', 'SlideTier', 'SlideAttempts']) {
      expect(
        services.temporal?.command?.some((arg) => arg.startsWith(`--search-attribute=${attribute}=`)),
      ).toBe(true);
    }
    // The worker serves metrics and health; compose waits on /readyz.
    const raw = readFileSync(COMPOSE_FILE, 'utf8');
    expect(raw).toContain('METRICS_ADDRESS: 0.0.0.0:9464');
    expect(raw).toContain('/readyz');
  });

  test('profile `observability` adds Prometheus and Grafana, pinned, with the alert rules and the dashboard provisioned', () => {
    const { services } = composeFile();
    const observability = Object.entries(services).filter(([, service]) =>
      service.profiles?.includes('observability'),
    );
    expect(observability.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    for (const [name, service] of observability) {
      // A pinned tag: a version, not `latest` or none.
      expect({ name, image: service.image }).toEqual({
        name,
        image: expect.stringMatching(/^[\w./-]+:v?\d+\.\d+\.\d+$/),
      });
    }
    /** `./host/path:/container/path[:ro]` bind mounts of a service, host path resolved from the project root. */
    const binds = (service: ComposeService | undefined): Record<string, string> =>
      Object.fromEntries(
        (service?.volumes ?? [])
          .filter((v) => v.startsWith('./'))
          .map((v) => {
            const [host = '', container = ''] = v.split(':');
            return [container, host];
          }),
      );
    const prometheus = binds(services.prometheus);
    const grafana = binds(services.grafana);
    expect(prometheus).toEqual({
      '/etc/prometheus/prometheus.yml': './deploy/prometheus/prometheus.yml',
      '/etc/prometheus/alerts.yml': './deploy/prometheus/alerts.yml',
    });
    expect(grafana).toEqual({
      '/etc/grafana/provisioning': './deploy/grafana/provisioning',
      '/etc/grafana/dashboards': './deploy/grafana/dashboards',
    });
    // Every mounted file and directory exists, and holds what Prometheus and Grafana read.
    for (const host of [...Object.values(prometheus), ...Object.values(grafana)]) {
      expect({ host, exists: existsSync(path.join(PROJECT_ROOT, host)) }).toEqual({ host, exists: true });
    }
    for (const file of [
      'deploy/grafana/provisioning/datasources/prometheus.yml',
      'deploy/grafana/provisioning/dashboards/wsi.yml',
      'deploy/grafana/dashboards/wsi-orchestrator.json',
    ]) {
      expect({ file, exists: existsSync(path.join(PROJECT_ROOT, file)) }).toEqual({ file, exists: true });
    }
    expect(services.prometheus?.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(services.grafana?.depends_on).toEqual(['prometheus']);

    // Prometheus scrapes the worker's metrics port as job wsi-worker (the alerts' job) and loads
    // the mounted rules; Grafana's datasource points at the prometheus service.
    const config = parse(
      readFileSync(path.join(PROJECT_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8'),
    ) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const jobs = Object.fromEntries(
      config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]),
    );
    expect(jobs['wsi-worker']).toEqual(['worker:9464']);
    expect(services.worker?.ports).toContain('9464:9464');
    expect(jobs['wsi-bridge']).toEqual(['bridge:9464']);
    const datasources = parse(
      readFileSync(path.join(PROJECT_ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as { datasources: { type: string; url: string }[] };
    expect(datasources.datasources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    );
  });

  const compose = findCompose();
  if (compose) {
    test(`is accepted by \`${compose.join(' ')} config\``, () => {
      const [bin, ...lead] = compose as [string, ...string[]];
      const out = spawnSync(bin, [...lead, '-f', COMPOSE_FILE, 'config', '-q'], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
    });
  } else {
    console.info(
      'docker-compose.yml: no Compose tool (docker-compose, docker compose) on PATH: checked against the Compose JSON schema only',
    );
    test.skip('is accepted by a Compose tool (none on PATH: docker-compose or docker compose)', () =>
      undefined);
  }
});

// The three images, checked without a Docker engine (none runs here): every file they copy from
// the context exists, every `npm ci --workspace` has that workspace's package.json copied first,
// and the services point at real Dockerfiles, files and scripts. What the build stages produce is
// checked after a real build in build.test.ts.
const DOCKERFILES = ['Dockerfile', 'packages/processor/Dockerfile', 'dev/Dockerfile'];

// The Python images install from PyPI what `npm run setup` installs for the tests, at the same
// versions: an image never runs a library the suite did not.
test.each(['packages/processor-openslide/Dockerfile', 'dev/Dockerfile'])(
  '%s pins its Python packages as npm run setup does',
  (dockerfile) => {
    const runs = readDockerfile(path.join(PROJECT_ROOT, dockerfile)).flatMap((s) => s.runs);
    const pins = runs.flatMap((r) => r.command.match(/[A-Za-z0-9_.[\]-]+==[A-Za-z0-9_.-]+/g) ?? []);
    expect(pins.length).toBeGreaterThan(0);
    expect(pins.filter((pin) => !(PYTHON_REQUIREMENTS as readonly string[]).includes(pin))).toEqual([]);
  },
);

describe.each(DOCKERFILES)('%s', (dockerfile) => {
  const stages = readDockerfile(path.join(PROJECT_ROOT, dockerfile));

  test('copies only files that exist in the build context (the repository root)', () => {
    const sources = stages.flatMap((s) =>
      s.copies.filter((c) => c.from === undefined).flatMap((c) => c.sources),
    );
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((source) => !existsSync(path.join(PROJECT_ROOT, source)))).toEqual([]);
  });

  test('installs a workspace only after copying its package.json', () => {
    const installs = stages.flatMap((s) => s.runs).filter((run) => run.command.startsWith('npm ci'));
    expect(installs.length).toBeGreaterThan(0);
    for (const run of installs) {
      for (const workspace of workspacesOf(run.command)) {
        expect(run.copiedBefore).toContain(`${workspace}/package.json`);
      }
    }
  });
});

test('docker-compose.yml builds from real Dockerfiles and runs real files and scripts', () => {
  const { services } = composeFile() as unknown as {
    services: Record<string, { build?: string | { dockerfile?: string }; command?: string[] }>;
  };
  const scripts = (
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  for (const [name, service] of Object.entries(services)) {
    if (service.build === undefined) continue;
    const dockerfile =
      typeof service.build === 'string' ? 'Dockerfile' : (service.build.dockerfile ?? 'Dockerfile');
    expect({ name, exists: existsSync(path.join(PROJECT_ROOT, dockerfile)) }).toEqual({ name, exists: true });
    const command = service.command ?? [];
    if (command[0] === 'node') {
      for (const file of command.filter((arg) => /\.(js|json)$/.test(arg))) {
        expect({ name, file, exists: existsSync(path.join(PROJECT_ROOT, file)) }).toEqual({
          name,
          file,
          exists: true,
        });
      }
    }
    if (command[0] === 'npm') expect(scripts).toHaveProperty([command[2] as string]);
  }
  // The worker and the bridge run the production image's CLI (its ENTRYPOINT is bin/slides.js).
  expect(services.worker?.command).toEqual(['worker']);
  // Its routes are npm start's: vendor formats and folder slides to the OpenSlide processor.
  expect(
    (services.worker as { environment?: Record<string, string> }).environment?.ECS_TASK_DEFINITION_ROUTES,
  ).toBe(LOCAL_ROUTES);
  expect(services.bridge?.command).toEqual(['bridge']);
});

test("the compose stack's local ECS config is valid against the local ECS's JSON Schema", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const schema = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'packages/local-ecs/local-ecs.schema.json'), 'utf8'),
  ) as object;
  const validate = ajv.compile(schema);
  const config = JSON.parse(
    readFileSync(path.join(PROJECT_ROOT, 'dev/local-ecs.compose.json'), 'utf8'),
  ) as Record<string, unknown>;
  expect(validate(config) ? [] : validate.errors).toEqual([]);
  // And the schema can fail: a misspelt field is refused.
  expect(validate({ ...config, clusters: [{ name: 'default', cpu: 1024, memroy: 2048 }] })).toBe(false);
});
