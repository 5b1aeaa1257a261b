import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fargateSizeError } from '../../src/settings/fargate';
import { loadSettings, SettingsError } from '../../src/settings/settings';

describe('settings', () => {
  test('defaults are complete and valid', () => {
    const s = loadSettings({});
    expect(s.slidesTaskQueue).toBe('slides');
    expect(s.ecsTaskQueue).toBe('ecs-tasks');
    expect(s.ecs).toMatchObject({
      cluster: 'default',
      launchType: 'FARGATE',
      taskSlots: 200,
      pollIntervalMs: 5000,
    });
    expect(s.budget).toEqual({
      refreshMs: 30_000,
      taskQueue: 'cluster-budget',
      admissionTaskQueue: 'ecs-admission',
      admissionSlots: 25,
      orphanGraceMs: 120_000,
      orphanDryRun: false,
    });
    expect(loadSettings({ ORPHAN_DRY_RUN: 'true', ORPHAN_GRACE: '10m' }).budget).toMatchObject({
      orphanDryRun: true,
      orphanGraceMs: 600_000,
    });
    expect(() => loadSettings({ ORPHAN_DRY_RUN: 'maybe' })).toThrow(/ORPHAN_DRY_RUN/);
    expect(s.tiers.map((t) => t.name)).toEqual(['small', 'medium', 'large', 'xlarge']);
    expect(s.policy.stuckAfterMs).toBe(15 * 60_000);
  });

  test('the cluster budget settings are read and checked', () => {
    expect(loadSettings({ ECS_MAX_TASKS: '40', BUDGET_REFRESH: '10s' }).budget).toMatchObject({
      maxTasks: 40,
      refreshMs: 10_000,
    });
    expect(() => loadSettings({ ECS_MAX_TASKS: '0' })).toThrow(/ECS_MAX_TASKS/);
    expect(() => loadSettings({ ADMISSION_SLOTS: 'many' })).toThrow(/ADMISSION_SLOTS/);
  });

  test('environment values are parsed: durations, lists, tiers, strategies', () => {
    const s = loadSettings({
      ECS_POLL_INTERVAL: '2s',
      STUCK_AFTER: '90000',
      ECS_SUBNETS: 'subnet-1, subnet-2',
      SIZE_TIERS: 'a:256:512,b:512:1024:5000',
      ECS_CAPACITY_PROVIDER_STRATEGY: 'FARGATE_SPOT:3,FARGATE:1:1',
      ECS_TASK_SLOTS: 'auto',
    });
    expect(s.ecs.pollIntervalMs).toBe(2000);
    expect(s.policy.stuckAfterMs).toBe(90_000);
    expect(s.ecs.subnets).toEqual(['subnet-1', 'subnet-2']);
    expect(s.tiers).toEqual([
      { name: 'a', cpu: 256, memory: 512 },
      { name: 'b', cpu: 512, memory: 1024, maxSlideBytes: 5000 },
    ]);
    expect(s.ecs.launchType).toBeUndefined();
    expect(s.ecs.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
      { capacityProvider: 'FARGATE', weight: 1, base: 1 },
    ]);
    expect(s.ecs.taskSlots).toBe('auto');
  });

  test.each([
    [{ ECS_TASK_SLOTS: 'many' }, 'ECS_TASK_SLOTS'],
    [{ ECS_POLL_INTERVAL: 'soon' }, 'ECS_POLL_INTERVAL: expected a duration'],
    [{ ECS_LAUNCH_TYPE: 'LAMBDA' }, 'ECS_LAUNCH_TYPE'],
    [{ CHECKPOINT_URI_PREFIX: '/tmp/x' }, 'CHECKPOINT_URI_PREFIX: expected an S3 URI'],
    [{ SIZE_TIERS: 'small:1000:4096' }, 'tier "small": cpu 1000 is not a Fargate size'],
    [{ SIZE_TIERS: 'a:1024:8192,b:1024:4096' }, 'tiers must grow in memory'],
    [{ ECS_LAUNCH_TYPE: 'EC2', ECS_CAPACITY_PROVIDER_STRATEGY: 'x:1' }, 'not both'],
    [{ HEARTBEAT_TIMEOUT: '1s' }, 'HEARTBEAT_TIMEOUT: must be longer'],
  ])('%j is rejected with a message naming the setting', (env, message) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(message);
  });

  test("permanent exit codes: the reference processor's by default, a list, or none; bad codes named", () => {
    expect(loadSettings({}).policy.permanentExitCodes).toEqual([2, 64, 65]);
    expect(loadSettings({ PERMANENT_EXIT_CODES: '3, 4,3' }).policy.permanentExitCodes).toEqual([3, 4]);
    expect(loadSettings({ PERMANENT_EXIT_CODES: 'none' }).policy.permanentExitCodes).toEqual([]);
    for (const bad of ['0', '143', '137', '256', 'two', '1.5']) {
      expect(() => loadSettings({ PERMANENT_EXIT_CODES: bad })).toThrow(
        /PERMANENT_EXIT_CODES: expected exit codes/,
      );
    }
  });

  test('METRICS_ADDRESS is host:port, off by default; bad values are named', () => {
    expect(loadSettings({}).metricsAddress).toBeUndefined();
    expect(loadSettings({ METRICS_ADDRESS: '0.0.0.0:9464' }).metricsAddress).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(loadSettings({ METRICS_ADDRESS: '[::1]:9464' }).metricsAddress).toEqual({
      host: '::1',
      port: 9464,
    });
    for (const bad of ['9464', 'localhost:99999', 'http://x:1']) {
      expect(() => loadSettings({ METRICS_ADDRESS: bad })).toThrow(/METRICS_ADDRESS: expected host:port/);
    }
  });

  test('Fargate prices default to us-east-1 on-demand, spot at 0.3 of it', () => {
    expect(loadSettings({}).prices).toEqual({ vcpuHour: 0.04048, gbHour: 0.004445, spotRatio: 0.3 });
    expect(loadSettings({ FARGATE_SPOT_PRICE_RATIO: '0.5' }).prices.spotRatio).toBe(0.5);
    expect(() => loadSettings({ FARGATE_SPOT_PRICE_RATIO: '2' })).toThrow(SettingsError);
  });

  test("relaunch bounds are capped so a slide's history stays bounded", () => {
    expect(() => loadSettings({ MAX_INTERRUPTIONS: '1000' })).toThrow(/more than 200 launches per slide/);
  });

  test('ECS_MISSING_GRACE is a duration, five minutes by default', () => {
    expect(loadSettings({}).ecs.missingGraceMs).toBe(5 * 60_000);
    expect(loadSettings({ ECS_MISSING_GRACE: '90s' }).ecs.missingGraceMs).toBe(90_000);
    expect(() => loadSettings({ ECS_MISSING_GRACE: 'soon' })).toThrow(/ECS_MISSING_GRACE/);
  });

  test('EC2 tiers need not be Fargate sizes', () => {
    expect(loadSettings({ ECS_LAUNCH_TYPE: 'EC2', SIZE_TIERS: 'a:1000:3000' }).tiers[0]?.cpu).toBe(1000);
  });

  test('a config file supplies settings, the environment wins, unknown keys are errors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wsi-settings-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ ECS_CLUSTER: 'from-file', ECS_TASK_SLOTS: 4 }));
    const s = loadSettings({ WSI_CONFIG_FILE: file, ECS_TASK_SLOTS: '7' });
    expect(s.ecs.cluster).toBe('from-file');
    expect(s.ecs.taskSlots).toBe(7);

    writeFileSync(file, JSON.stringify({ ECS_CLUSTR: 'typo' }));
    expect(() => loadSettings({ WSI_CONFIG_FILE: file })).toThrow('unknown setting(s) ECS_CLUSTR');
    expect(() => loadSettings({ WSI_CONFIG_FILE: path.join(dir, 'missing.json') })).toThrow(
      'WSI_CONFIG_FILE: cannot read',
    );
  });
});

describe('Fargate sizes', () => {
  test.each([
    [256, 512, true],
    [256, 3072, false],
    [1024, 2048, true],
    [1024, 9216, false],
    [4096, 30720, true],
    [8192, 20480, true],
    [8192, 18432, false],
    [3000, 8192, false],
  ])('cpu %i memory %i valid=%s', (cpu, memory, valid) => {
    expect(fargateSizeError(cpu, memory) === undefined).toBe(valid);
  });
});
