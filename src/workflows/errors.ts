// Failure types that cross the activity/workflow boundary, named once so both sides and
// the retry policies agree (Temporal matches them by the ApplicationFailure `type`). Every
// type ends in `Error`.
export const FailureType = {
  /** ECS rejected the request itself (ClientException, InvalidParameter, AccessDenied...): never retried. */
  EcsConfiguration: 'EcsConfigurationError',
  /** RunTask answered failures[] (RESOURCE:CPU/MEMORY, AGENT): retried with backoff. */
  EcsNoCapacity: 'EcsNoCapacityError',
  /** No capacity for longer than the policy allows: fails the slide. */
  EcsNoCapacityTimeout: 'EcsNoCapacityTimeoutError',
  /** Throttling, server errors, network errors: retried with backoff. */
  EcsTransient: 'EcsTransientError',
  /** The slide's object is not in S3. */
  SlideNotFound: 'SlideNotFoundError',
  /** The workflow input is not a slide. */
  InvalidSlideInput: 'InvalidSlideInputError',
  /** The slide ran out of launches; details carry every attempt. */
  SlideFailed: 'SlideFailedError',
} as const;

/**
 * The names these types had before they all ended in `Error`. Workflows started before the
 * rename, and failures recorded in their histories, still carry them: retry policies list both.
 */
export const LEGACY_FAILURE_TYPES = {
  EcsNoCapacity: 'EcsNoCapacity',
  EcsNoCapacityTimeout: 'EcsNoCapacityTimeout',
  SlideNotFound: 'SlideNotFound',
  InvalidSlideInput: 'InvalidSlideInput',
  SlideFailed: 'SlideFailed',
} as const satisfies Partial<Record<keyof typeof FailureType, string>>;

/** Failures that retrying cannot fix, by their current and their legacy names. */
export const NON_RETRYABLE_FAILURES: string[] = [
  FailureType.EcsConfiguration,
  FailureType.EcsNoCapacityTimeout,
  FailureType.SlideNotFound,
  FailureType.InvalidSlideInput,
  LEGACY_FAILURE_TYPES.EcsNoCapacityTimeout,
  LEGACY_FAILURE_TYPES.SlideNotFound,
  LEGACY_FAILURE_TYPES.InvalidSlideInput,
];
