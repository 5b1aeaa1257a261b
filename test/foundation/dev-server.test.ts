import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../dev/temporal/environment';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import * as activities from '../fixtures/activities';
import { greetWorkflow } from '../fixtures/workflows';

describe('Temporal dev server from the installed binary', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startDevServer();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  test('a real worker runs a workflow that calls an activity', async () => {
    const taskQueue = 'foundation-dev-server';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/workflows'),
      activities,
    });
    const handle = await env.client.workflow.start(greetWorkflow, {
      taskQueue,
      workflowId: 'greet-dev-server',
      args: ['slide'],
    });
    const result = await worker.runUntil(handle.result());

    expect(result).toBe(`Hello, slide (from worker pid ${process.pid})`);
    const history = await handle.fetchHistory();
    const completedActivities = (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes);
    expect(completedActivities).toHaveLength(1);
  });

  test("the project's search attributes are registered", async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: env.namespace ?? 'default',
    });
    for (const key of ALL_SEARCH_ATTRIBUTES) {
      expect(Object.keys(customAttributes ?? {})).toContain(key.name);
    }
  });
});
