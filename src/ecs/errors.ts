// What ECS means by an answer, whatever class the SDK gave it: ONE table for the errors an
// ECS call throws and the failures[] RunTask answers with. ECS wraps EC2's throttles of
// subnet/ENI/security-group lookups in InvalidParameterException (HTTP 400), e.g.
// "Error retrieving subnet information for [subnet-...]: Rate exceeded (ErrorCode:
// Throttling)", so the class name alone would fail a slide for a throttle.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/errors';

/** transient: retry with backoff; no-capacity: wait for room; configuration: fail at once. */
export type EcsVerdict = 'transient' | 'no-capacity' | 'configuration';

/** The parts of an SDK error (or a failures[] entry) the table reads. */
export interface EcsAnswer {
  name: string;
  message: string;
  httpStatus?: number;
  /** Node's network error code (ECONNRESET...), when the call never got an HTTP answer. */
  code?: string;
  /** A RunTask failures[] entry (name = reason, message = reason and detail), not a thrown error. */
  placement?: boolean;
}

interface Row {
  verdict: EcsVerdict;
  /** Why, in a few words: shown in the failure message. */
  meaning: string;
  matches(a: EcsAnswer): boolean;
}

const THROTTLED_TEXT = /rate exceeded|throttl|requestlimitexceeded|request limit exceeded|too many requests/i;
// "Tasks provisioning capacity limit exceeded." is RunTask's ClientException past the
// per-cluster quota of tasks in PROVISIONING: a wait for room, like a placement failure.
const CAPACITY_REASON =
  /^(RESOURCE:|AGENT|ATTRIBUTE)|capacity is unavailable|insufficient capacity|provisioning capacity limit exceeded/i;
const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);
const SERVER_NAMES = new Set([
  'ServerException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);
/** ECS's own names for requests it will never accept as sent (unless the message says throttled). */
const CONFIGURATION_NAMES = new Set([
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
  'ServiceNotFoundException',
  'ServiceNotActiveException',
]);

/** First matching row wins: the order is the meaning (a throttle wrapped in a 400 is a throttle). */
export const ECS_ANSWER_TABLE: readonly Row[] = [
  {
    verdict: 'transient',
    meaning: 'throttled (ECS or the EC2 calls it makes for the task)',
    matches: (a) => THROTTLE_NAMES.has(a.name) || a.httpStatus === 429 || THROTTLED_TEXT.test(a.message),
  },
  {
    verdict: 'no-capacity',
    meaning: 'no capacity for the task right now',
    matches: (a) => CAPACITY_REASON.test(a.name) || CAPACITY_REASON.test(a.message),
  },
  {
    verdict: 'transient',
    meaning: 'ECS server error',
    matches: (a) =>
      !a.placement && (SERVER_NAMES.has(a.name) || (a.httpStatus !== undefined && a.httpStatus >= 500)),
  },
  {
    verdict: 'transient',
    meaning: 'network error',
    matches: (a) =>
      !a.placement &&
      a.httpStatus === undefined &&
      (NETWORK_CODES.has(a.code ?? '') || NETWORK_CODES.has(a.name)),
  },
  {
    verdict: 'configuration',
    meaning: 'ECS rejects the request as sent',
    matches: (a) => CONFIGURATION_NAMES.has(a.name),
  },
  {
    // Any other 4xx is about the request (bad name, unknown operation): retrying sends it again.
    verdict: 'configuration',
    meaning: 'ECS rejects the request as sent',
    matches: (a) => a.httpStatus !== undefined && a.httpStatus >= 400 && a.httpStatus < 500,
  },
  {
    // Any other failures[] reason (MISSING, a bad platform...): RunTask will answer it again.
    verdict: 'configuration',
    meaning: 'ECS cannot place the task as asked',
    matches: (a) => a.placement === true,
  },
  {
    // No HTTP answer and no known code: most likely the network; Temporal's backoff bounds it.
    verdict: 'transient',
    meaning: 'no answer from ECS',
    matches: () => true,
  },
];

function answerOf(err: unknown): EcsAnswer {
  const e = (err ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    cause?: { code?: string };
  };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    httpStatus: e.$metadata?.httpStatusCode,
    code: e.code ?? e.cause?.code,
  };
}

export function judgeEcsAnswer(answer: EcsAnswer): { verdict: EcsVerdict; meaning: string } {
  const row = ECS_ANSWER_TABLE.find((r) => r.matches(answer)) as Row;
  return { verdict: row.verdict, meaning: row.meaning };
}

/** What an error thrown by an ECS call means. */
export function classifyEcsError(err: unknown): EcsVerdict {
  return judgeEcsAnswer(answerOf(err)).verdict;
}

/** What one RunTask failures[] reason means (throttled and capacity reasons wait; others fail). */
export function classifyRunTaskFailure(reason: string | undefined, detail?: string): EcsVerdict {
  return judgeEcsAnswer({
    name: reason ?? '',
    message: `${reason ?? ''} ${detail ?? ''}`,
    placement: true,
  }).verdict;
}

/** RunTask failures[] reasons that mean "no room right now", not "never". */
export function isCapacityFailure(reason: string | undefined, detail?: string): boolean {
  return classifyRunTaskFailure(reason, detail) === 'no-capacity';
}

/** An ApplicationFailure the workflow's retry policy can tell apart, with the AWS message. */
export function toActivityFailure(err: unknown, action: string): ApplicationFailure {
  const answer = answerOf(err);
  const { verdict, meaning } = judgeEcsAnswer(answer);
  const message = `ECS ${action}: ${answer.name}: ${answer.message}`;
  if (verdict === 'configuration')
    return ApplicationFailure.nonRetryable(message, FailureType.EcsConfiguration);
  if (verdict === 'no-capacity') return ApplicationFailure.retryable(message, FailureType.EcsNoCapacity);
  return ApplicationFailure.retryable(`${message} (${meaning}; retried)`, FailureType.EcsTransient);
}
