// One concurrency budget per cluster, whatever the number of workers. Three real worker
// processes (each with ECS_TASK_SLOTS=auto, i.e. 80% of the cluster each, the setting that
// used to over-claim it) share small clusters of the local ECS. Each test has its own
// cluster, so each has its own budget.
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createEcsClient } from '../../src/aws/clients';
import { readBudget } from '../../src/budget/budget-client';
import { TAG_SLIDE_ID } from '../../src/ecs/requests';
import { slideId } from '../../src/slides/identity';
import { slideStartOptions, WORKFLOW_TYPE } from '../../src/slides/start-options';
import {
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
  type LocalStack,
} from '../../dev/stack/local-stack';
import type { SlideInput, SlideResult } from '../../src/workflows/types';
import { waitFor } from '../support/wait';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const FAMILY = 'budget-sim';
const TASK_MS = 1000;
/** Small tier 256 CPU / 512 MiB: 80% of 2048 CPU / 4096 MiB holds 6 of them. */
const CLUSTERS = {
  busy: { cpu: 2048, memory: 4096, cap: 6 },
  resize: { cpu: 2048, memory: 4096, cap: 6 },
  prio: { cpu: 1024, memory: 2048, cap: 3 },
  fair: { cpu: 1024, memory: 2048, cap: 3 },
  kill: { cpu: 2048, memory: 4096, cap: 6 },
} as const;
type ClusterName = keyof typeof CLUSTERS;

describe('one budget per cluster across worker processes', () => {
  let stack: LocalStack;
  let ecs: ECSClient;
  let client: Client;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({
      localEcs: {
        clusters: [
          { name: 'default', cpu: 4096, memory: 8192 },
          ...Object.entries(CLUSTERS).map(([name, c]) => ({ name, cpu: c.cpu, memory: c.memory })),
        ],
      },
    });
    ecs = createEcsClient(stack.env);
    client = stack.client;
    await registerTaskDefinition(ecs, FAMILY, simulatedContainer({ SIM_DURATION_MS: String(TASK_MS) }));
    const env = {
      ...stack.env,
      ECS_CLUSTER: 'busy',
      ECS_TASK_DEFINITION: FAMILY,
      ECS_TASK_SLOTS: 'auto',
      ECS_LAUNCH_RATE: '20',
      ECS_POLL_INTERVAL: '250ms',
      BUDGET_REFRESH: '1s',
      ADMISSION_SLOTS: '2',
      PROGRESS_INTERVAL: '1s',
      HEARTBEAT_TIMEOUT: '3s',
      RETRY_INITIAL_INTERVAL: '200ms',
      WORKER_SHUTDOWN_GRACE: '1s',
    };
    // One at a time: three bundling at once on two cores would only be slower.
    for (let i = 0; i < 3; i++) workers.push(await startWorkerProcess(env, 120_000));
  });

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.close();
  });

  async function submit(cluster: ClusterName, keys: string[], extra: Partial<SlideInput> = {}) {
    const handles: WorkflowHandle[] = [];
    for (const key of keys) {
      const input: SlideInput = { bucket: SLIDES_BUCKET, key, sizeBytes: 1000, cluster, ...extra };
      const handle = await client.workflow.start(WORKFLOW_TYPE, slideStartOptions('slides', input, 'FAIL'));
      handles.push(handle);
    }
    return handles;
  }

  const keysOf = (prefix: string, n: number): string[] =>
    Array.from({ length: n }, (_, i) => `${prefix}/slide-${String(i).padStart(3, '0')}.svs`);

  const results = (handles: WorkflowHandle[]): Promise<SlideResult[]> =>
    Promise.all(handles.map((h) => h.result() as Promise<SlideResult>));

  const clusterStats = (cluster: ClusterName) => stack.localEcs.stats().clusters[cluster];

  /** Every task launched on a cluster: the slide it ran for and when it was created. */
  async function launches(cluster: ClusterName): Promise<{ slideId: string; at: number }[]> {
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const out = await ecs.send(new ListTasksCommand({ cluster, desiredStatus, maxResults: 100 }));
      arns.push(...(out.taskArns ?? []));
    }
    const tasks = [];
    for (let i = 0; i < arns.length; i += 100) {
      const out = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100), include: ['TAGS'] }),
      );
      tasks.push(...(out.tasks ?? []));
    }
    return tasks
      .map((t) => ({
        slideId: t.tags?.find((tag) => tag.key === TAG_SLIDE_ID)?.value ?? '',
        at: t.createdAt?.getTime() ?? 0,
      }))
      .sort((a, b) => a.at - b.at);
  }

  /** When the slide's first launch asked the budget for a lease (admitLaunch scheduled). */
  async function admissionAskedAt(handle: WorkflowHandle): Promise<number> {
    const { events } = await handle.fetchHistory();
    const scheduled = (events ?? []).find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'admitLaunch',
    );
    const t = scheduled?.eventTime;
    return Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
  }

  test('three workers with ECS_TASK_SLOTS=auto never exceed the cluster budget, and keep it busy', async () => {
    const { cap } = CLUSTERS.busy;
    const handles = await submit('busy', keysOf('busy', 30));
    const done = await results(handles);

    expect(done.every((r) => r.launches === 1)).toBe(true);
    const stats = clusterStats('busy');
    expect(stats?.maxInFlight).toBeLessThanOrEqual(cap);
    // The budget was used, not just respected: at some point it was full.
    expect(stats?.maxInFlight).toBe(cap);
    const runTask = stack.localEcs.stats().runTask;
    // No launch was refused for lack of room: the budget, not ECS, said "wait".
    expect(runTask.withFailures).toBeLessThanOrEqual(Math.floor(runTask.calls * 0.02));
    const budget = await readBudget(client, 'busy');
    expect(budget).toMatchObject({ inFlight: 0, granted: 30, released: 30 });
    expect(budget.limits).toMatchObject({ cpu: 1638, memory: 3276 });
  });

  test('a capacity change moves the budget both ways; a shrink stops no running task', async () => {
    const handles = await submit('resize', keysOf('resize', 36));
    await waitFor('the budget to fill', () => clusterStats('resize')?.inFlight === 6, 60_000, 50);

    // Shrink to half: the budget follows within one refresh; running tasks finish undisturbed.
    stack.localEcs.setClusterCapacity('resize', { cpu: 1024, memory: 2048 });
    await waitFor(
      'the budget to shrink',
      async () => (await readBudget(client, 'resize')).limits?.cpu === 819,
      10_000,
      100,
    );
    // Leases granted before the shrink are returned as their tasks stop (a lease is released
    // only once its task is STOPPED); once at most 3 are held, at most 3 tasks run.
    await waitFor(
      'the leases granted before the shrink to come back',
      async () => (await readBudget(client, 'resize')).inFlight <= 3,
      30_000,
      50,
    );
    let maxAfterShrink = 0;
    const until = Date.now() + 3 * TASK_MS;
    while (Date.now() < until) {
      maxAfterShrink = Math.max(maxAfterShrink, clusterStats('resize')?.inFlight ?? 0);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(maxAfterShrink).toBeLessThanOrEqual(3);
    expect(maxAfterShrink).toBeGreaterThan(0);

    // Grow to three times that: more than the first budget runs at once.
    stack.localEcs.setClusterCapacity('resize', { cpu: 3072, memory: 6144 });
    await waitFor('the budget to grow', () => (clusterStats('resize')?.inFlight ?? 0) > 6, 30_000, 25);

    const done = await results(handles);
    expect(done.every((r) => r.launches === 1 && r.attempts[0]?.outcome === 'success')).toBe(true);
    expect(stack.localEcs.stats().stopCodes.UserInitiated ?? 0).toBe(0);
  });

  test('an urgent slide submitted behind a backlog launches with the next free capacity', async () => {
    const backlog = await submit('prio', keysOf('prio/backlog', 24), { priority: 4 });
    await waitFor('the backlog to start', async () => (await launches('prio')).length >= 3, 60_000, 100);
    const [urgent] = await submit('prio', ['prio/urgent.svs'], { priority: 1 });
    await urgent?.result();
    await results(backlog);

    // Counted from the moment its launch asked to be admitted, so a loaded machine's delay
    // between submitting and asking does not count against it.
    const askedAt = await admissionAskedAt(urgent as WorkflowHandle);
    const all = await launches('prio');
    const urgentLaunch = all.find((l) => l.slideId === slideId(SLIDES_BUCKET, 'prio/urgent.svs'));
    expect(urgentLaunch).toBeDefined();
    const overtaken = all.filter((l) => l.at > askedAt && l.at < (urgentLaunch?.at ?? 0)).length;
    const waitingBehind = all.filter((l) => l.at > (urgentLaunch?.at ?? 0)).length;
    // Ahead of it only the launches already waiting in the workers (one admission slot each)
    // and those taking capacity freed meanwhile; behind it, most of the backlog.
    // (Twice that bound: on a loaded machine a freed lease can go to a waiting launch before
    // the urgent one's first ask lands.)
    expect(overtaken).toBeLessThanOrEqual(2 * (workers.length + CLUSTERS.prio.cap));
    expect(waitingBehind).toBeGreaterThan(overtaken);
  });

  test("one source's bulk upload does not starve another source's few slides", async () => {
    const bulk = await submit('fair', keysOf('fair/lab-a', 24), { source: 'lab-a' });
    await waitFor('lab A to start', async () => (await launches('fair')).length >= 3, 60_000, 100);
    const few = await submit('fair', keysOf('fair/lab-b', 4), { source: 'lab-b' });
    await results(few);
    await results(bulk);

    const labB = new Set(keysOf('fair/lab-b', 4).map((k) => slideId(SLIDES_BUCKET, k)));
    const all = await launches('fair');
    const lastB = Math.max(...all.filter((l) => labB.has(l.slideId)).map((l) => l.at));
    const labAAfter = all.filter((l) => !labB.has(l.slideId) && l.at > lastB).length;
    // First come, first served would launch every waiting slide of lab A (about 20 when lab B
    // arrives) before lab B's first, leaving none for after lab B's last. Fair shares interleave
    // the two, so lab B is done while a good part of lab A still waits. How closely they
    // alternate depends on the load and on which waiting launch asks first when a lease frees
    // (a loaded run had 11 of lab A launch during lab B's wait and 10 after), so only the
    // difference from first-come-first-served is asserted: a quarter of lab A is left for after.
    expect(labAAfter).toBeGreaterThanOrEqual(24 / 4);
  });

  test("a SIGKILLed worker's share comes back; its tasks are reattached, none launched twice", async () => {
    const { cap } = CLUSTERS.kill;
    stack.localEcs.resetStats();
    const handles = await submit('kill', keysOf('kill', 48));
    await waitFor('tasks to run', () => (clusterStats('kill')?.inFlight ?? 0) >= 3, 60_000, 50);
    const leaseKey = (l: { holder: string; runId: string; launch: number }) =>
      `${l.holder}#${l.runId}#${l.launch}`;
    const heldAtKill = (await readBudget(client, 'kill')).leases.map(leaseKey);
    const victim = workers.shift() as WorkerProcess;
    victim.kill('SIGKILL');
    await victim.exited;
    // The dead worker's slides keep their leases while their tasks run; a survivor reattaches
    // after the heartbeat timeout, sees each task stop and releases its lease. Every lease held
    // at the kill comes back, the dead worker's too: its share returns.
    expect(heldAtKill.length).toBeGreaterThan(0);
    await waitFor(
      'every lease held at the kill to come back',
      async () => {
        // A query can fail while the budget's workflow moves to a surviving worker (the killed
        // one may have held it in its cache): that is "not yet", not a failure of the test.
        const view = await readBudget(client, 'kill').catch(() => undefined);
        if (view === undefined) return false;
        const now = new Set(view.leases.map(leaseKey));
        return heldAtKill.every((k) => !now.has(k));
      },
      90_000,
      200,
    );
    const done = await results(handles);
    expect(done).toHaveLength(48);
    const stats = stack.localEcs.stats();
    // Exactly once: one task per slide, even for the slides whose worker died.
    expect(stats.tasksLaunched).toBe(48);
    expect(stats.clusters.kill?.maxInFlight).toBeLessThanOrEqual(cap);
    expect(await readBudget(client, 'kill')).toMatchObject({ inFlight: 0, granted: 48, released: 48 });
  });
});
