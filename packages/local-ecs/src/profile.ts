// Profiles: `default` answers as ECS's documentation reads; `realistic` also turns on the
// manners real ECS shows under load (eventual consistency, EC2-lookup throttles, Fargate's
// capacity message, short-lived stopped tasks, failed starts and waiting tasks without
// containers), with values
// small enough for tests. A manner the config sets explicitly always wins over the profile.
import type { Ec2LookupThrottle, LocalEcsConfig, VisibilityDelay } from './config';

/** What `profile: "realistic"` sets for each manner the config leaves unset. */
export const REALISTIC_PROFILE = {
  visibilityDelay: { minMs: 50, maxMs: 500 } satisfies VisibilityDelay,
  ec2LookupThrottle: { burst: 10, windowMs: 1000, probability: 0.3 } satisfies Ec2LookupThrottle,
  fargateCapacityMessage: true,
  /** AWS keeps stopped tasks about an hour; seconds here, so tests see them go. */
  stoppedTasksMs: 10_000,
  failedStartEmptyContainers: 0.5,
  waitingEmptyContainers: true,
} as const;

function setIn(input: unknown, ...path: string[]): boolean {
  let node: unknown = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== undefined;
}

/** Fills the manners the profile governs; `input` (the raw config) tells what was set. */
export function applyProfile(config: LocalEcsConfig, input: unknown): LocalEcsConfig {
  if (config.profile !== 'realistic') return config;
  const p = REALISTIC_PROFILE;
  return {
    ...config,
    visibilityDelay: config.visibilityDelay ?? { ...p.visibilityDelay },
    ec2LookupThrottle: config.ec2LookupThrottle ?? { ...p.ec2LookupThrottle },
    fargateCapacityMessage: config.fargateCapacityMessage ?? p.fargateCapacityMessage,
    failedStartEmptyContainers: config.failedStartEmptyContainers ?? p.failedStartEmptyContainers,
    waitingEmptyContainers: config.waitingEmptyContainers ?? p.waitingEmptyContainers,
    retention: {
      ...config.retention,
      stoppedTasksMs: setIn(input, 'retention', 'stoppedTasksMs')
        ? config.retention.stoppedTasksMs
        : p.stoppedTasksMs,
    },
  };
}
