// The bridge's settings, from the environment, validated once at start-up: a bad value stops
// the bridge with a message naming the setting. Temporal's own settings (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*) are read by src/temporal/connection.ts.
import { z } from 'zod';
import { duration } from '../settings/duration';
import { formatSettingsError } from '@wsi-orchestrator/settings-errors';
import { listenAddress, SettingsError } from '../settings/settings';
import { DEFAULT_SLIDES_TASK_QUEUE } from '../workflows/definitions';

export { SettingsError };

const queueUrl = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `required: ${what}` : 'expected a URL') })
    .regex(
      /^https?:\/\/[^/\s]+\/.+/,
      `expected ${what}, e.g. https://sqs.<region>.amazonaws.com/<account>/<name>`,
    );

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** The settings, by their names in the environment. */
const schema = z
  .object({
    SQS_QUEUE_URL: queueUrl('the URL of the SQS queue S3 notifies'),
    SQS_DLQ_URL: queueUrl('the URL of the dead-letter queue').optional(),
    BRIDGE_MAX_IN_FLIGHT: int(1, 1_000_000).default(100),
    BRIDGE_BATCH_SIZE: int(1, 10).default(10),
    BRIDGE_WAIT_TIME: int(1, 20).default(20),
    BRIDGE_VISIBILITY_TIMEOUT: int(2, 43_200).default(60),
    BRIDGE_COUNT_INTERVAL: duration.prefault('1s'),
    BRIDGE_VISIBILITY_LAG: duration.prefault('2s'),
    BRIDGE_START_TIMEOUT: duration.prefault('10s'),
    BRIDGE_BACKOFF_MAX: duration.prefault('30s'),
    METRICS_ADDRESS: listenAddress.optional(),
    SLIDES_TASK_QUEUE: z
      .string()
      .min(1, 'must not be empty')
      .regex(/^[^'"\\]+$/, 'must not contain quotes or backslashes (it goes into a visibility query)')
      .default(DEFAULT_SLIDES_TASK_QUEUE),
  })
  .superRefine((s, ctx) => {
    if (s.BRIDGE_START_TIMEOUT < 100)
      ctx.addIssue({ code: 'custom', path: ['BRIDGE_START_TIMEOUT'], message: 'must be at least 100ms' });
    if (s.BRIDGE_BACKOFF_MAX < 100)
      ctx.addIssue({ code: 'custom', path: ['BRIDGE_BACKOFF_MAX'], message: 'must be at least 100ms' });
    if (s.BRIDGE_COUNT_INTERVAL < 50)
      ctx.addIssue({ code: 'custom', path: ['BRIDGE_COUNT_INTERVAL'], message: 'must be at least 50ms' });
    // A start in hand must finish well inside the visibility timeout, or SQS redelivers it.
    if (s.BRIDGE_START_TIMEOUT >= s.BRIDGE_VISIBILITY_TIMEOUT * 1000)
      ctx.addIssue({
        code: 'custom',
        path: ['BRIDGE_VISIBILITY_TIMEOUT'],
        message: `must be longer than BRIDGE_START_TIMEOUT (${s.BRIDGE_START_TIMEOUT} ms)`,
      });
  });

export type RawBridgeSettings = z.input<typeof schema>;
export const BRIDGE_SETTING_NAMES = Object.keys(schema.shape) as (keyof RawBridgeSettings)[];

export interface BridgeSettings {
  queueUrl: string;
  /** Where rejected messages go; when unset, the queue's own redrive DLQ (found at start-up). */
  deadLetterQueueUrl?: string;
  /** Stop receiving while this many processSlide workflows run on the task queue. */
  maxInFlight: number;
  /** Messages per ReceiveMessage, 1 to 10. */
  batchSize: number;
  /** Long-poll seconds, 1 to 20. */
  waitTimeSeconds: number;
  /** How long a received message stays hidden; renewed every third of it while in hand. */
  visibilityTimeoutSeconds: number;
  heartbeatIntervalSeconds: number;
  /** How long a count of running workflows is reused. */
  countIntervalMs: number;
  /** How long a fresh start may take to show in Temporal's visibility (counted by hand until then). */
  visibilityLagMs: number;
  /** Deadline of one StartWorkflowExecution call. */
  startTimeoutMs: number;
  /** Longest pause between retries while Temporal or SQS is unreachable. */
  backoffMaxMs: number;
  taskQueue: string;
  /** Where a standalone bridge serves /metrics, /healthz and /readyz; none when unset. */
  metricsAddress?: { host: string; port: number };
}

/** Reads and validates the bridge's settings from `env`; throws SettingsError naming each bad one. */
export function loadBridgeSettings(env: NodeJS.ProcessEnv = process.env): BridgeSettings {
  const raw = Object.fromEntries(
    BRIDGE_SETTING_NAMES.filter((n) => env[n] !== undefined && env[n] !== '').map((n) => [n, env[n]]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new SettingsError(formatSettingsError('invalid bridge settings', parsed.error));
  }
  const p = parsed.data;
  return {
    queueUrl: p.SQS_QUEUE_URL,
    deadLetterQueueUrl: p.SQS_DLQ_URL,
    maxInFlight: p.BRIDGE_MAX_IN_FLIGHT,
    batchSize: p.BRIDGE_BATCH_SIZE,
    waitTimeSeconds: p.BRIDGE_WAIT_TIME,
    visibilityTimeoutSeconds: p.BRIDGE_VISIBILITY_TIMEOUT,
    heartbeatIntervalSeconds: Math.max(1, Math.floor(p.BRIDGE_VISIBILITY_TIMEOUT / 3)),
    countIntervalMs: p.BRIDGE_COUNT_INTERVAL,
    visibilityLagMs: p.BRIDGE_VISIBILITY_LAG,
    startTimeoutMs: p.BRIDGE_START_TIMEOUT,
    backoffMaxMs: p.BRIDGE_BACKOFF_MAX,
    taskQueue: p.SLIDES_TASK_QUEUE,
    ...(p.METRICS_ADDRESS ? { metricsAddress: p.METRICS_ADDRESS } : {}),
  };
}
