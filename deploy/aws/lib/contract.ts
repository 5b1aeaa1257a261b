// What the deployment must agree on with the orchestrator's own code, read from that code so
// that a rename there breaks the synth (and the tests) here instead of a deployed pipeline:
// the processor's container name and family (worker setting defaults), the variables RunTask
// sets on the container (src/ecs/requests.ts), the work prefixes, the bridge's timings, and
// the routes to the OpenSlide processor (parsed by src/slides/routing.ts, as the worker will).
import { loadBridgeSettings, type BridgeSettings } from '../../../src/bridge/settings';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import { loadSettings, SETTING_NAMES, type Settings } from '../../../src/settings/settings';
import { buildRunTaskInput } from '../../../src/ecs/requests';
import { BRIDGE_SETTING_NAMES } from '../../../src/bridge/settings';
import { OPENSLIDE_SUFFIXES, routesTo as workerRoutesTo } from '../../../src/slides/routing';

/** The key suffixes routed to the OpenSlide processor by default (src/slides/routing.ts). */
export const DEFAULT_OPENSLIDE_SUFFIXES = OPENSLIDE_SUFFIXES;

/**
 * ECS_TASK_DEFINITION_ROUTES sending `suffixes` to `family` (`.svs=FAMILY,...,/=FAMILY`), checked
 * with the worker's own parser now; undefined for no suffixes (routing off).
 */
export function routesTo(family: string, suffixes: readonly string[]): string | undefined {
  if (suffixes.length === 0) return undefined;
  try {
    return workerRoutesTo(family, suffixes);
  } catch (err) {
    throw new Error(`openslideSuffixes: ${(err as Error).message}`, { cause: err });
  }
}

/** The worker's settings with nothing set: every default. */
export function workerDefaults(): Settings {
  return loadSettings({});
}

/** A queue URL only to satisfy the bridge's validation; the real one is the deployed queue's. */
const PLACEHOLDER_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/placeholder';

/** The bridge's settings as they will run with `overrides` (literal values), validated now. */
export function bridgeSettings(overrides: Record<string, string> = {}): BridgeSettings {
  return loadBridgeSettings({ SQS_QUEUE_URL: PLACEHOLDER_QUEUE_URL, ...overrides });
}

/** The container RunTask overrides, and the variables it sets there, as runEcsTask sends them. */
export function runTaskContainerOverride(settings: Settings = workerDefaults()): {
  containerName: string;
  environmentNames: string[];
} {
  const input = buildRunTaskInput(
    settings.ecs,
    {
      slideId: 'contract',
      bucket: 'slides',
      key: 'a.svs',
      cluster: settings.ecs.cluster,
      tier: settings.tiers[0]!,
      launchNumber: 1,
      checkpointUri: 's3://work/checkpoints/contract/run.json',
      outputUri: 's3://work/outputs/contract/',
      stuckAfterMs: settings.policy.stuckAfterMs,
      capacityDeadline: 0,
    },
    { clientToken: 'contract', startedBy: 'contract', workflowRunId: 'contract' },
  );
  const override = input.overrides?.containerOverrides?.[0];
  if (!override?.name) throw new Error('runEcsTask sends no container override: the contract changed');
  return {
    containerName: override.name,
    environmentNames: (override.environment ?? []).map((e) => e.name ?? ''),
  };
}

/** The key prefix of an S3 URI prefix setting: `s3://wsi-work/checkpoints/` -> `checkpoints/`. */
export function keyPrefixOf(uriPrefix: string): string {
  const { key } = parseS3Uri(uriPrefix);
  return key.endsWith('/') || key === '' ? key : `${key}/`;
}

/** Throws naming every key that is not a setting of the worker (a typo must not be ignored). */
export function assertWorkerSettingNames(env: Record<string, string>): void {
  const unknown = Object.keys(env).filter((k) => !(SETTING_NAMES as string[]).includes(k));
  if (unknown.length > 0)
    throw new Error(`workerEnvironment: unknown worker setting(s) ${unknown.join(', ')}`);
}

/** Throws naming every key that is not a setting of the bridge. */
export function assertBridgeSettingNames(env: Record<string, string>): void {
  const unknown = Object.keys(env).filter((k) => !(BRIDGE_SETTING_NAMES as string[]).includes(k));
  if (unknown.length > 0)
    throw new Error(`bridgeEnvironment: unknown bridge setting(s) ${unknown.join(', ')}`);
}
