// The app's knobs: one props object for the stack, and how `cdk -c key=value` fills it.
import type * as ec2 from 'aws-cdk-lib/aws-ec2';

export interface TemporalProps {
  /** host:port of the frontend, e.g. `my-ns.a1b2c.tmprl.cloud:7233`. */
  readonly address: string;
  readonly namespace: string;
  /** Secrets Manager secret (name or ARN) whose value is a Temporal Cloud API key. */
  readonly apiKeySecret?: string;
  /**
   * Secrets Manager secret (name or ARN) holding a JSON object `{"cert": "<PEM>", "key": "<PEM>"}`:
   * the mTLS client certificate and key.
   */
  readonly tlsClientSecret?: string;
}

export interface WsiPipelineProps {
  readonly temporal: TemporalProps;

  /** Import this VPC (looked up at synth: needs credentials) instead of creating one. */
  readonly vpcId?: string;
  /** A VPC to use (for programs that build the stack themselves; wins over vpcId). */
  readonly vpc?: ec2.IVpc;
  /**
   * NAT gateways of a created VPC (default 1). 0: no NAT and no private subnets; every task gets
   * a public IP (no inbound rules) to reach ECR, S3, SQS and Temporal. Saves a NAT's hourly cost.
   */
  readonly natGateways?: number;
  /** Import this ECS cluster (by name) instead of creating one; it needs Container Insights for the alarms. */
  readonly clusterName?: string;

  /** Import the slides bucket by name instead of creating one. */
  readonly slidesBucketName?: string;
  /** Import the work bucket (checkpoints, outputs) by name instead of creating one. */
  readonly workBucketName?: string;
  /** Uploads under this prefix of the slides bucket start slides (default `incoming/`). */
  readonly uploadPrefix?: string;
  /** Only keys with these suffixes start slides (one notification each); default: every key under the prefix. */
  readonly uploadSuffixes?: string[];
  /** How S3 tells the queue: `notification` (default) or `eventbridge` (the bucket's EventBridge events). */
  readonly intake?: 'notification' | 'eventbridge';
  /** Receives before SQS moves a message to the DLQ (default 10: the bridge never fails a good message by receiving it again). */
  readonly maxReceiveCount?: number;

  /** Tasks in flight on the cluster at most: the worker's ECS_MAX_TASKS (required on Fargate). Default 20. */
  readonly maxTasks?: number;
  /** Both processors' stopTimeout in seconds (30-120, default 120): time for the SIGTERM checkpoint. */
  readonly processorStopTimeoutSeconds?: number;
  /**
   * Both processors' ephemeral storage in GiB (21-200; default 100): the slide (an MRXS or DICOM
   * slide with its whole folder) plus, for the default processor, one level raster must fit.
   */
  readonly processorEphemeralStorageGiB?: number;
  /**
   * Key suffixes the workers send to the OpenSlide processor (ECS_TASK_DEFINITION_ROUTES), the
   * rest going to the default one: `.svs`, `.ndpi`, ... or `/` for folder slides (a DICOM
   * series). Default DEFAULT_OPENSLIDE_SUFFIXES (lib/contract.ts); `[]` turns routing off (every
   * slide to the default processor; the OpenSlide task definition is still created).
   */
  readonly openslideSuffixes?: string[];
  /** Days the processors', workers' and bridge's logs are kept (default 30). */
  readonly logRetentionDays?: number;

  /** Worker service size: desired count bounds for backlog scaling (default 2..4). */
  readonly minWorkers?: number;
  readonly maxWorkers?: number;
  /** Bridge service bounds (default 1..2). */
  readonly minBridges?: number;
  readonly maxBridges?: number;
  /** Visible upload messages at which one more worker/bridge is added (default 100). */
  readonly scaleOutBacklog?: number;
  /**
   * An optional CloudWatch metric of slides waiting for capacity (for example the operations
   * metrics exported with the CloudWatch agent); when given, the workers also scale on it.
   */
  readonly waitingSlidesMetric?: {
    namespace: string;
    metricName: string;
    dimensions?: Record<string, string>;
  };

  /** More worker settings, by their environment names (validated against src/settings/settings.ts). */
  readonly workerEnvironment?: Record<string, string>;
  /** More bridge settings, by their environment names (validated by src/bridge/settings.ts at synth). */
  readonly bridgeEnvironment?: Record<string, string>;

  /** Alarm when the oldest upload has waited longer than this many minutes (default 60). */
  readonly oldestUploadAlarmMinutes?: number;
  /** Alarm when processor tasks in flight reach this share of maxTasks (default 0.9). */
  readonly budgetAlarmShare?: number;
  /** E-mail address subscribed to the alarm topic. */
  readonly alarmEmail?: string;
}

/** Reads the props from CDK context (`-c temporalAddress=... -c maxTasks=40`, or cdk.json). */
export function propsFromContext(get: (key: string) => unknown): WsiPipelineProps {
  const str = (key: string): string | undefined => {
    const v = get(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const num = (key: string): number | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`context ${key}: expected a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const list = (key: string): string[] | undefined => {
    const v = get(key);
    if (v === undefined || v === '') return undefined;
    return Array.isArray(v)
      ? v.map(String)
      : String(v)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  };
  const record = (key: string): Record<string, string> | undefined => {
    const v = get(key);
    if (v === undefined || v === '') return undefined;
    const obj: unknown = typeof v === 'string' ? JSON.parse(v) : v;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new Error(`context ${key}: expected a JSON object of settings`);
    return Object.fromEntries(Object.entries(obj).map(([k, val]) => [k, String(val)]));
  };
  const intake = str('intake');
  if (intake !== undefined && intake !== 'notification' && intake !== 'eventbridge')
    throw new Error(`context intake: expected notification or eventbridge, got ${intake}`);
  const waitingMetric = str('waitingSlidesMetric');
  return {
    temporal: {
      address: str('temporalAddress') ?? 'localhost:7233',
      namespace: str('temporalNamespace') ?? 'default',
      apiKeySecret: str('temporalApiKeySecret'),
      tlsClientSecret: str('temporalTlsClientSecret'),
    },
    vpcId: str('vpcId'),
    natGateways: num('natGateways'),
    clusterName: str('clusterName'),
    slidesBucketName: str('slidesBucketName'),
    workBucketName: str('workBucketName'),
    uploadPrefix: str('uploadPrefix'),
    uploadSuffixes: list('uploadSuffixes'),
    intake,
    maxReceiveCount: num('maxReceiveCount'),
    maxTasks: num('maxTasks'),
    processorStopTimeoutSeconds: num('processorStopTimeoutSeconds'),
    processorEphemeralStorageGiB: num('processorEphemeralStorageGiB'),
    openslideSuffixes: openslideSuffixes(list('openslideSuffixes')),
    logRetentionDays: num('logRetentionDays'),
    minWorkers: num('minWorkers'),
    maxWorkers: num('maxWorkers'),
    minBridges: num('minBridges'),
    maxBridges: num('maxBridges'),
    scaleOutBacklog: num('scaleOutBacklog'),
    waitingSlidesMetric: waitingMetric ? splitMetricName(waitingMetric) : undefined,
    workerEnvironment: record('workerEnvironment'),
    bridgeEnvironment: record('bridgeEnvironment'),
    oldestUploadAlarmMinutes: num('oldestUploadAlarmMinutes'),
    budgetAlarmShare: num('budgetAlarmShare'),
    alarmEmail: str('alarmEmail'),
  };
}

/** `-c openslideSuffixes=none` (or `off`) turns routing off; a list replaces the default suffixes. */
function openslideSuffixes(value: string[] | undefined): string[] | undefined {
  if (value && value.length === 1 && ['none', 'off'].includes(value[0]!.toLowerCase())) return [];
  return value;
}

/** `WSI/Orchestrator/SlidesWaiting` -> namespace `WSI/Orchestrator`, metric `SlidesWaiting`. */
function splitMetricName(value: string): { namespace: string; metricName: string } {
  const at = value.lastIndexOf('/');
  if (at <= 0 || at === value.length - 1)
    throw new Error('context waitingSlidesMetric: expected NAMESPACE/METRIC_NAME');
  return { namespace: value.slice(0, at), metricName: value.slice(at + 1) };
}
