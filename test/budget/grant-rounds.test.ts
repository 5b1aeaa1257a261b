// Grant rounds against the real budget workflow on the dev server: admission gates stand in
// for workers (each is what one worker process runs), the budget worker runs its workflow
// and its readCluster on the local ECS. Each test has its own cluster, so its own budget.
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalEcs, type LocalEcs } from '@wsi-orchestrator/local-ecs';
import { createBudgetActivities } from '../../src/activities';
import { createEcsClient } from '../../src/aws/clients';
import { AdmissionGate } from '../../src/budget/admission-gate';
import { readBudget } from '../../src/budget/budget-client';
import { loadSettings, type Settings } from '../../src/settings/settings';
import { budgetWorkflowId, releaseSignal } from '../../src/workflows/budget-definitions';
import type { Lease } from '../../src/workflows/budget-types';
import { startDevServer } from '../../dev/temporal/environment';
import { workflowBundle } from '../support/stack';
import { waitFor } from '../support/wait';
import { waitingLaunch } from '../support/waiting-launch';

const CAP = 3;
const CLUSTERS = ['push', 'many', 'prio', 'lost'];

describe('grant rounds: the cluster budget pushes grants to waiting launches', () => {
  let env: TestWorkflowEnvironment;
  let localEcs: LocalEcs;
  let client: Client;
  let settings: Settings;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    env = await startDevServer();
    localEcs = await startLocalEcs({
      clusters: CLUSTERS.map((name) => ({ name, cpu: 8192, memory: 16384 })),
    });
    client = env.client;
    const awsEnv = {
      AWS_ENDPOINT_URL_ECS: localEcs.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
    };
    // A long refresh: no round ends at a reading while a test watches it.
    settings = loadSettings({ ...awsEnv, ECS_MAX_TASKS: String(CAP), BUDGET_REFRESH: '10m' });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: settings.budget.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createBudgetActivities({ ecs: createEcsClient(awsEnv), client, settings }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await localEcs?.close();
    await env?.teardown();
  });

  const launch = waitingLaunch;
  const release = (cluster: string, l: Lease): Promise<void> =>
    client.workflow.getHandle(budgetWorkflowId(cluster)).signal(releaseSignal, l);
  const waitingAt = async (cluster: string): Promise<number> =>
    (await readBudget(client, cluster)).waiting.reduce((n, w) => n + w.count, 0);

  test('a freed lease goes to the waiting launch in the workflow task that sees the release: no polling, no timer', async () => {
    const gate = new AdmissionGate(client, settings, 'push');
    const held = await Promise.all([0, 1, 2].map((i) => gate.admit(launch(`push-${i}`))));
    const next = gate.admit(launch('push-next'));
    await waitFor('the fourth launch to wait at the budget', async () => (await waitingAt('push')) === 1);
    await release('push', held[0] as Lease);
    await expect(next).resolves.toMatchObject({ holder: 'push-next' });

    const { events } = await client.workflow.getHandle(budgetWorkflowId('push')).fetchHistory();
    const types = (events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? '');
    const signalled = types.findIndex(
      (t, i) =>
        t.endsWith('WORKFLOW_EXECUTION_SIGNALED') &&
        events?.[i]?.workflowExecutionSignaledEventAttributes?.signalName === 'release',
    );
    expect(signalled).toBeGreaterThan(0);
    const after = types.slice(signalled + 1);
    const completed = after.findIndex((t) => t.endsWith('WORKFLOW_EXECUTION_UPDATE_COMPLETED'));
    expect(completed).toBeGreaterThan(0);
    const between = after.slice(0, completed);
    // One workflow task, in which the waiting round was answered: no timer, no new ask.
    expect(between.filter((t) => t.endsWith('WORKFLOW_TASK_COMPLETED'))).toHaveLength(1);
    expect(between.some((t) => t.includes('TIMER'))).toBe(false);
    expect(between.some((t) => t.endsWith('UPDATE_ACCEPTED'))).toBe(false);
  });

  test('three gates asking at once never hold more leases than the cap, and every launch is granted', async () => {
    const gates = [0, 1, 2].map(() => new AdmissionGate(client, settings, 'many'));
    let held = 0;
    let maxHeld = 0;
    const granted: string[] = [];
    await Promise.all(
      gates.flatMap((gate, g) =>
        Array.from({ length: 8 }, async (_, i) => {
          const lease = await gate.admit(launch(`many-${g}-${i}`, { source: `lab-${g}` }));
          held++;
          maxHeld = Math.max(maxHeld, held);
          granted.push(lease.holder);
          await new Promise((r) => setTimeout(r, 20 + ((g * 7 + i * 13) % 40)));
          held--; // counted free before the budget hears it: the test never under-counts
          await release('many', lease);
        }),
      ),
    );
    expect(maxHeld).toBeLessThanOrEqual(CAP);
    expect(maxHeld).toBe(CAP); // and the cap was used
    expect(new Set(granted).size).toBe(24);
    await waitFor(
      'every release to reach the budget',
      async () => (await readBudget(client, 'many')).inFlight === 0,
    );
    expect((await readBudget(client, 'many')).granted).toBe(24);
  });

  test('the most urgent waiting launch is granted first, across gates, even one that arrives during an open round', async () => {
    const [a, b] = [new AdmissionGate(client, settings, 'prio'), new AdmissionGate(client, settings, 'prio')];
    const held = await Promise.all([0, 1, 2].map((i) => a!.admit(launch(`prio-held-${i}`))));
    const order: string[] = [];
    const track = (p: Promise<Lease>): Promise<Lease> =>
      p.then((l) => {
        order.push(l.holder);
        return l;
      });
    const normal = [0, 1].map((i) => track(a!.admit(launch(`prio-p3-${i}`))));
    await waitFor('the normal launches to wait', async () => (await waitingAt('prio')) === 2);
    // Gate a's round is open: its urgent launch ends that round, the next round carries it.
    const urgent = track(a!.admit(launch('prio-p1', { priority: 1 })));
    const soon = track(b!.admit(launch('prio-p2', { priority: 2 })));
    await waitFor('all four to wait', async () => (await waitingAt('prio')) === 4);
    for (const lease of held) {
      await release('prio', lease);
      await waitFor('one more grant', () => order.length > held.indexOf(lease));
    }
    expect(order).toEqual(['prio-p1', 'prio-p2', 'prio-p3-0']);
    for (const l of [await urgent, await soon, await normal[0]!]) await release('prio', l);
    await normal[1];
  });

  test('a terminated budget is replaced by one that takes over its leases: the cap still holds', async () => {
    const gate = new AdmissionGate(client, settings, 'lost');
    const held = await Promise.all([0, 1, 2].map((i) => gate.admit(launch(`lost-${i}`))));
    await client.workflow.getHandle(budgetWorkflowId('lost')).terminate('test: the budget is lost');
    let late: Lease | undefined;
    const next = gate.admit(launch('lost-next')).then((l) => (late = l));
    await waitFor('a new budget run with the old leases', async () => {
      try {
        const v = await readBudget(client, 'lost');
        return v.leases.length === 3 && v.waiting.length === 1;
      } catch {
        return false;
      }
    });
    const v = await readBudget(client, 'lost');
    expect(v.leases.map((l) => l.holder).sort()).toEqual(['lost-0', 'lost-1', 'lost-2']);
    expect(late).toBeUndefined();
    await release('lost', held[1] as Lease);
    await next;
    expect(late).toMatchObject({ holder: 'lost-next' });
  });
});
