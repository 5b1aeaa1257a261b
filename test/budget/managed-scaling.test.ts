// The cluster grows with demand: with an EC2 capacity provider and managed scaling, launches
// above today's capacity wait in PROVISIONING while ECS adds instances, so the budget counts
// up to ECS_MAX_TASKS (what the provider's maximum holds), not today's instances.
import { createEcsClient } from '../../src/aws/clients';
import { readBudget } from '../../src/budget/budget-client';
import { slideStartOptions, WORKFLOW_TYPE } from '../../src/slides/start-options';
import { registerTaskDefinition, simulatedContainer, SLIDES_BUCKET } from '../../dev/stack/local-stack';
import type { SlideResult } from '../../src/workflows/types';
import { startE2EStack, type E2EStack } from '../support/stack';

const FAMILY = 'scaling-sim';
// One instance holds 4 small tasks (256 CPU / 512 MiB); the provider may grow to 3 instances.
const INSTANCE = { instanceCpu: 1024, instanceMemory: 2048 };
const MAX_TASKS = 10;

describe('a cluster that grows with a managed-scaling capacity provider', () => {
  let stack: E2EStack;

  beforeAll(async () => {
    stack = await startE2EStack(
      {
        ECS_CLUSTER: 'scaling',
        ECS_CAPACITY_PROVIDER_STRATEGY: 'ec2-managed:1',
        ECS_MAX_TASKS: String(MAX_TASKS),
        ECS_TASK_DEFINITION: FAMILY,
        ECS_TASK_SLOTS: '20',
        ECS_LAUNCH_RATE: '20',
        ECS_POLL_INTERVAL: '250ms',
        BUDGET_REFRESH: '1s',
        // Shorter than the wait for new instances: PROVISIONING must not count as stuck.
        STUCK_AFTER: '1s',
      },
      {
        localEcs: {
          clusters: [
            {
              name: 'scaling',
              capacityProvider: {
                ...INSTANCE,
                initialInstances: 1,
                maxInstances: 3,
                scaleOutDelayMs: 2500,
                scaleInIdleMs: 60_000,
              },
            },
          ],
        },
      },
    );
    await registerTaskDefinition(
      createEcsClient(stack.env),
      FAMILY,
      simulatedContainer({ SIM_DURATION_MS: '2500' }),
    );
  });

  afterAll(async () => {
    await stack?.close();
  });

  test("launches above today's capacity wait in PROVISIONING while instances are added; the budget holds", async () => {
    stack.localEcs.resetStats();
    const handles = [];
    for (let i = 0; i < 20; i++) {
      const input = { bucket: SLIDES_BUCKET, key: `scaling/slide-${i}.svs`, sizeBytes: 1000 };
      handles.push(
        await stack.client.workflow.start(WORKFLOW_TYPE, slideStartOptions('slides', input, 'FAIL')),
      );
    }
    const results = (await Promise.all(handles.map((h) => h.result()))) as SlideResult[];

    // One launch each: waiting in PROVISIONING longer than STUCK_AFTER was not taken for a hang.
    expect(results.every((r) => r.launches === 1 && r.attempts[0]?.outcome === 'success')).toBe(true);
    const stats = stack.localEcs.stats();
    const cluster = stats.clusters.scaling;
    expect(stats.tasksLaunched).toBe(20);
    // More ran at once than the first instance holds: ECS added instances for them.
    expect(cluster?.scaleOuts).toBeGreaterThan(0);
    expect(cluster?.maxInFlight).toBeGreaterThan(4);
    // ...and never more than the budget.
    expect(cluster?.maxInFlight).toBeLessThanOrEqual(MAX_TASKS);
    // With a capacity provider, RunTask never answers "no capacity": the tasks wait instead.
    expect(stats.runTask.withFailures).toBe(0);
    const budget = await readBudget(stack.client, 'scaling');
    expect(budget.limits).toMatchObject({ tasks: MAX_TASKS });
    expect(budget.limits?.cpu).toBeUndefined();
  });
});
