// Failure types that cross the activity/workflow boundary, named once so both sides and
// the retry policies agree (Temporal matches them by the ApplicationFailure `type`).
export const FailureType = {
  /** ECS rejected the request itself (ClientException, InvalidParameter, AccessDenied...): never retried. */
  EcsConfiguration: 'EcsConfigurationError',
  /** RunTask answered failures[] (RESOURCE:CPU/MEMORY, AGENT): retried with backoff. */
  EcsNoCapacity: 'EcsNoCapacity',
  /** No capacity for longer than the policy allows: fails the slide. */
  EcsNoCapacityTimeout: 'EcsNoCapacityTimeout',
  /** Throttling, server errors, network errors: retried with backoff. */
  EcsTransient: 'EcsTransientError',
  /** The slide's object is not in S3. */
  SlideNotFound: 'SlideNotFound',
  /** The workflow input is not a slide. */
  InvalidSlideInput: 'InvalidSlideInput',
  /** The slide ran out of launches; details carry every attempt. */
  SlideFailed: 'SlideFailed',
} as const;

/** Failures that retrying cannot fix. */
export const NON_RETRYABLE_FAILURES: string[] = [
  FailureType.EcsConfiguration,
  FailureType.EcsNoCapacityTimeout,
  FailureType.SlideNotFound,
  FailureType.InvalidSlideInput,
];
