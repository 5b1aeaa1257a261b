// What an AWS error from ECS means for the slide: fix the configuration (never retried) or
// wait and try again (retried by the activity's retry policy, not here).
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/errors';

/** ECS's own names for requests it will never accept as sent. */
const CONFIGURATION_ERRORS = new Set([
  'ClientException',
  'InvalidParameterException',
  'AccessDeniedException',
  'AccessDenied',
  'ClusterNotFoundException',
  'PlatformUnknownException',
  'PlatformTaskDefinitionIncompatibilityException',
  'UnsupportedFeatureException',
  'ConflictException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

export type EcsErrorClass = 'configuration' | 'transient';

export function classifyEcsError(err: unknown): EcsErrorClass {
  const name = (err as { name?: string } | null)?.name ?? '';
  return CONFIGURATION_ERRORS.has(name) ? 'configuration' : 'transient';
}

/** An ApplicationFailure the workflow's retry policy can tell apart, with the AWS message. */
export function toActivityFailure(err: unknown, action: string): ApplicationFailure {
  const e = err as { name?: string; message?: string };
  const message = `ECS ${action}: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  return classifyEcsError(err) === 'configuration'
    ? ApplicationFailure.nonRetryable(message, FailureType.EcsConfiguration)
    : ApplicationFailure.retryable(message, FailureType.EcsTransient);
}

/** RunTask failures[] reasons that mean "no room right now", not "never". */
export function isCapacityFailure(reason: string | undefined): boolean {
  return /^(RESOURCE:|AGENT|ATTRIBUTE)/.test(reason ?? '') || /capacity/i.test(reason ?? '');
}
