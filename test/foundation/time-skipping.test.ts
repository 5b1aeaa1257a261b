import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer } from '../../dev/temporal/environment';
import * as activities from '../fixtures/activities';
import { sleepAnHourThenGreet } from '../fixtures/workflows';

describe('time-skipping test server from the installed binary', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  test('a one-hour timer passes in seconds of wall time', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const taskQueue = 'foundation-time-skipping';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/workflows'),
      activities,
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepAnHourThenGreet, {
        taskQueue,
        workflowId: 'sleep-an-hour',
        args: ['slide'],
      }),
    );
    const wallMs = Date.now() - wallStart;

    expect(result.greeting).toContain('Hello, slide');
    expect(result.sleptMs).toBeGreaterThanOrEqual(60 * 60 * 1000);
    // The behaviour under test is the skipping itself: an hour of workflow time must not
    // take an hour (or anything close to it) of real time.
    expect(wallMs).toBeLessThan(60_000);
  });
});
