// The bridge's settings: defaults, and a bad value stops start-up naming the setting.
import { loadBridgeSettings } from '../../src/bridge/settings';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/wsi-slide-uploads';

describe('bridge settings', () => {
  test('defaults', () => {
    expect(loadBridgeSettings({ SQS_QUEUE_URL: QUEUE })).toEqual({
      queueUrl: QUEUE,
      deadLetterQueueUrl: undefined,
      maxInFlight: 100,
      batchSize: 10,
      waitTimeSeconds: 20,
      visibilityTimeoutSeconds: 60,
      heartbeatIntervalSeconds: 20,
      countIntervalMs: 1000,
      visibilityLagMs: 2000,
      startTimeoutMs: 10_000,
      backoffMaxMs: 30_000,
      taskQueue: 'slides',
    });
  });

  test('every setting read from the environment', () => {
    const s = loadBridgeSettings({
      SQS_QUEUE_URL: 'http://127.0.0.1:5000/123456789012/q',
      SQS_DLQ_URL: 'http://127.0.0.1:5000/123456789012/dlq',
      BRIDGE_MAX_IN_FLIGHT: '5',
      BRIDGE_BATCH_SIZE: '3',
      BRIDGE_WAIT_TIME: '1',
      BRIDGE_VISIBILITY_TIMEOUT: '30',
      BRIDGE_COUNT_INTERVAL: '250ms',
      BRIDGE_VISIBILITY_LAG: '500',
      BRIDGE_START_TIMEOUT: '5s',
      BRIDGE_BACKOFF_MAX: '1m',
      SLIDES_TASK_QUEUE: 'slides-test',
    });
    expect(s).toMatchObject({
      deadLetterQueueUrl: 'http://127.0.0.1:5000/123456789012/dlq',
      maxInFlight: 5,
      batchSize: 3,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 30,
      heartbeatIntervalSeconds: 10,
      countIntervalMs: 250,
      visibilityLagMs: 500,
      startTimeoutMs: 5000,
      backoffMaxMs: 60_000,
      taskQueue: 'slides-test',
    });
  });

  test.each([
    [{}, 'SQS_QUEUE_URL: required'],
    [{ SQS_QUEUE_URL: 'wsi-slide-uploads' }, 'SQS_QUEUE_URL: expected the URL'],
    [{ SQS_QUEUE_URL: QUEUE, SQS_DLQ_URL: 'dlq' }, 'SQS_DLQ_URL: expected the URL'],
    [{ SQS_QUEUE_URL: QUEUE, BRIDGE_BATCH_SIZE: '11' }, 'BRIDGE_BATCH_SIZE: must be at most 10'],
    [{ SQS_QUEUE_URL: QUEUE, BRIDGE_BATCH_SIZE: '0' }, 'BRIDGE_BATCH_SIZE: must be at least 1'],
    [{ SQS_QUEUE_URL: QUEUE, BRIDGE_MAX_IN_FLIGHT: 'lots' }, 'BRIDGE_MAX_IN_FLIGHT: expected a whole number'],
    [{ SQS_QUEUE_URL: QUEUE, BRIDGE_MAX_IN_FLIGHT: '2.5' }, 'BRIDGE_MAX_IN_FLIGHT: expected a whole number'],
    [{ SQS_QUEUE_URL: QUEUE, BRIDGE_WAIT_TIME: '21' }, 'BRIDGE_WAIT_TIME: must be at most 20'],
    [
      { SQS_QUEUE_URL: QUEUE, BRIDGE_VISIBILITY_TIMEOUT: '1' },
      'BRIDGE_VISIBILITY_TIMEOUT: must be at least 2',
    ],
    [
      { SQS_QUEUE_URL: QUEUE, BRIDGE_VISIBILITY_TIMEOUT: '5' },
      'BRIDGE_VISIBILITY_TIMEOUT: must be longer than BRIDGE_START_TIMEOUT',
    ],
    [{ SQS_QUEUE_URL: QUEUE, BRIDGE_COUNT_INTERVAL: 'soon' }, 'BRIDGE_COUNT_INTERVAL: expected a duration'],
    [{ SQS_QUEUE_URL: QUEUE, SLIDES_TASK_QUEUE: "it's" }, 'SLIDES_TASK_QUEUE: must not contain quotes'],
  ])('%j is refused: %s', (env, message) => {
    expect(() => loadBridgeSettings(env)).toThrow(message);
  });

  test('all problems are reported at once', () => {
    expect(() => loadBridgeSettings({ BRIDGE_BATCH_SIZE: '50', BRIDGE_WAIT_TIME: '-1' })).toThrow(
      /SQS_QUEUE_URL[\s\S]*BRIDGE_BATCH_SIZE[\s\S]*BRIDGE_WAIT_TIME/,
    );
  });
});
