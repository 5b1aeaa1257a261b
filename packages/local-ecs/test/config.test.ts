import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveCliConfig } from '../src/cli';
import {
  loadLocalEcsConfigFile,
  localEcsConfigJsonSchema,
  LocalEcsConfigError,
  parseFaultRule,
  parseLocalEcsConfig,
} from '../src/config';
import { tempDir } from './helpers';

const ISSUE_EXAMPLE = {
  clusters: [{ name: 'default', cpu: 8192, memory: 16384 }],
  rateLimits: {
    runTask: { burst: 100, perSecond: 40 },
    taskLaunch: { burst: 100, perSecond: 20 },
    describeTasks: { burst: 50, perSecond: 20 },
  },
};

describe('config', () => {
  test('accepts the documented example and fills in defaults', () => {
    const c = parseLocalEcsConfig(ISSUE_EXAMPLE);
    expect(c.clusters).toEqual(ISSUE_EXAMPLE.clusters);
    expect(c.rateLimits).toEqual(ISSUE_EXAMPLE.rateLimits);
    expect(c.lifecycle).toEqual({ provisioningMs: 100, pendingMs: 200, deprovisioningMs: 100 });
    expect(c.retention).toEqual({ stoppedTasksMs: 3_600_000, clientTokensMs: 86_400_000 });
    expect(c.defaultStopTimeoutSeconds).toBe(30);
    expect(c.logDir).toBe('.data/local-ecs/logs');
    expect(c.port).toBe(0);
  });

  test('defaults are ECS defaults', () => {
    const c = parseLocalEcsConfig({});
    expect(c.rateLimits).toEqual(ISSUE_EXAMPLE.rateLimits);
    expect(c.clusters).toEqual([{ name: 'default', cpu: 8192, memory: 16384 }]);
  });

  test('a bad value is reported with its field path', () => {
    expect(() => parseLocalEcsConfig({ rateLimits: { runTask: { burst: 'lots', perSecond: 1 } } })).toThrow(
      /rateLimits\.runTask/,
    );
    expect(() => parseLocalEcsConfig({ clusters: [{ name: 'a b', cpu: 1, memory: 1 }] })).toThrow(
      /clusters\.0\.name/,
    );
    expect(() => parseLocalEcsConfig({ lifecycle: { provisioningMs: -1 } })).toThrow(
      /lifecycle\.provisioningMs/,
    );
    expect(() => parseLocalEcsConfig({ clusterz: [] })).toThrow(/clusterz/);
    expect(() => parseLocalEcsConfig({ faults: [{ type: 'oom', probability: 2 }] })).toThrow(
      /faults\.0\.probability/,
    );
    expect(() =>
      parseLocalEcsConfig({
        clusters: [
          { name: 'a', cpu: 1, memory: 1 },
          { name: 'a', cpu: 1, memory: 1 },
        ],
      }),
    ).toThrow(/duplicate cluster a/);
  });

  test('fault rules of every type parse, with defaults', () => {
    expect(parseFaultRule({ type: 'spotInterruption', afterRunningMs: 100 })).toMatchObject({
      match: {},
      probability: 1,
    });
    expect(parseFaultRule({ type: 'stuck' })).toMatchObject({ status: 'PROVISIONING' });
    expect(parseFaultRule({ type: 'throttlingStorm', durationMs: 500 })).toMatchObject({
      actions: ['RunTask', 'DescribeTasks'],
      startAfterMs: 0,
    });
    expect(parseFaultRule({ type: 'capacity', cluster: 'default', cpu: 1024 })).toMatchObject({ atMs: 0 });
    expect(() => parseFaultRule({ type: 'stop', stopCode: 'Bored' })).toThrow(/stopCode/);
    expect(() => parseFaultRule({ type: 'meteor' })).toThrow(LocalEcsConfigError);
  });

  test('a config file is read and validated; errors name the file and the field', () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...ISSUE_EXAMPLE, port: 4599 }));
    expect(loadLocalEcsConfigFile(good).port).toBe(4599);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ clusters: [{ name: 'x', cpu: -1, memory: 1 }] }));
    expect(() => loadLocalEcsConfigFile(bad)).toThrow(new RegExp(`${bad}.*clusters\\.0\\.cpu`));
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expect(() => loadLocalEcsConfigFile(broken)).toThrow(/not JSON/);
    expect(() => loadLocalEcsConfigFile(path.join(dir, 'missing.json'))).toThrow(/cannot read/);
  });
});

describe('CLI', () => {
  test('--port and --host override the config file', () => {
    const file = path.join(tempDir(), 'c.json');
    writeFileSync(file, JSON.stringify({ port: 1234, clusters: [{ name: 'x', cpu: 1, memory: 2 }] }));
    const c = resolveCliConfig({ config: file, port: 0, host: '0.0.0.0' });
    expect(c).toMatchObject({ port: 0, host: '0.0.0.0', clusters: [{ name: 'x', cpu: 1, memory: 2 }] });
    expect(resolveCliConfig({}).port).toBe(0);
  });
});

describe('the JSON Schema', () => {
  test('local-ecs.schema.json is the schema of the config the code accepts (regenerate: local-ecs --print-schema)', () => {
    const committed = JSON.parse(
      readFileSync(path.join(__dirname, '..', 'local-ecs.schema.json'), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(localEcsConfigJsonSchema());
  });

  test('a config file may point at it with $schema', () => {
    const c = parseLocalEcsConfig({
      $schema: './local-ecs.schema.json',
      clusters: [{ name: 'x', cpu: 1, memory: 2 }],
    });
    expect(c.clusters[0]?.name).toBe('x');
  });
});
