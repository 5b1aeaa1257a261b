// A lab's backlog: `npx tsx bench/backlog.ts [--slides 1000] [--workers 3] [--budget 48]
// [--task-ms 5000] [--rate 20] [--poll 1s]`. Starts the user's stack (the dev server, moto, the local ECS)
// and N `slides worker` processes with README defaults but for the figures given, submits
// every slide at once as `slides submit` does, and prints what admission achieved: how full
// the budget stayed while slides waited, launches/s against ECS_LAUNCH_RATE, wall time
// against the physical bound, RunTask failures and throttles, tasks per slide, each worker's
// peak RSS and the budget workflow's events per slide. Appends the row to
// bench/results/backlog.json. `--budget` larger than the slides makes the launch rate bind.
import { benchTemporal } from './temporal-target';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Command } from 'commander';
import { submitSlides } from './submit-slides';
import { WORKFLOW_TYPE } from '../src/slides/start-options';
import { waitFor } from '../test/support/wait';
import { createEcsClient } from '../src/aws/clients';
import { readBudget } from '../src/budget/budget-client';
import { budgetWorkflowId } from '../src/workflows/budget-definitions';
import { registerTaskDefinition, simulatedContainer, startLocalStack } from '../dev/stack/local-stack';
import { startWorkerProcess, stopWorkerProcesses, type WorkerProcess } from '../test/support/worker-process';
import { rssMiB } from './process-memory';
import { writeResults } from './write-results';

interface Options {
  slides: number;
  workers: number;
  budget: number;
  taskMs: number;
  rate: number;
  poll?: string;
  nodeOptions?: string;
  cache?: number;
}

async function main(): Promise<void> {
  const o = new Command('backlog')
    .option('--slides <n>', 'slides submitted at once', Number, 1000)
    .option('--workers <n>', 'worker processes', Number, 3)
    .option('--budget <n>', 'ECS_MAX_TASKS: tasks in flight at most', Number, 48)
    .option('--task-ms <ms>', 'run time of each simulated task', Number, 5000)
    .option('--rate <n>', 'ECS_LAUNCH_RATE: launches per second', Number, 20)
    .option('--poll <duration>', "ECS_POLL_INTERVAL (the local stack's 1s unless given)")
    .option('--node-options <flags>', "the workers' NODE_OPTIONS, e.g. --max-old-space-size=160")
    .option('--cache <n>', 'WORKFLOW_CACHE_SIZE of each worker', Number)
    .parse()
    .opts<Options>();

  // Room for more than the budget, so the budget (not the cluster) is what binds.
  const room = Math.min(o.budget, o.slides) * 1.5;
  // History on disk, as `npm start` keeps it.
  const dbFilename = path.join(process.cwd(), '.data', `bench-backlog-${process.pid}.sqlite`);
  const stack = await startLocalStack({
    ...benchTemporal(),
    dbFilename,
    localEcs: { clusters: [{ name: 'default', cpu: 256 * room, memory: 512 * room }] },
  });
  const workers: WorkerProcess[] = [];
  try {
    await registerTaskDefinition(
      createEcsClient(stack.env),
      'backlog-sim',
      simulatedContainer({ SIM_DURATION_MS: String(o.taskMs) }),
    );
    const env = {
      ...stack.env,
      ECS_TASK_DEFINITION: 'backlog-sim',
      ECS_MAX_TASKS: String(o.budget),
      ECS_TASK_SLOTS: String(Math.max(200, o.budget)),
      ECS_LAUNCH_RATE: String(o.rate),
      ...(o.poll ? { ECS_POLL_INTERVAL: o.poll } : {}),
      ...(o.nodeOptions ? { NODE_OPTIONS: o.nodeOptions } : {}),
      ...(o.cache ? { WORKFLOW_CACHE_SIZE: String(o.cache) } : {}),
    };
    for (let i = 0; i < o.workers; i++) workers.push(await startWorkerProcess(env, 180_000));

    const peakRss = workers.map(() => 0);
    const samples: number[] = [];
    let budgetFilled = false;
    const sampler = setInterval(() => {
      const s = stack.localEcs.stats();
      const inFlight = s.clusters.default?.inFlight ?? s.inFlight;
      const cap = Math.min(o.budget, o.slides);
      if (inFlight >= cap) budgetFilled = true;
      // "While slides wait": from the moment the budget first filled until the last launch.
      if (budgetFilled && s.tasksLaunched < o.slides) samples.push(inFlight / o.budget);
      workers.forEach((w, i) => {
        peakRss[i] = Math.max(peakRss[i] ?? 0, rssMiB(w.child.pid as number));
      });
    }, 250);

    stack.localEcs.resetStats();
    const started = Date.now();
    const handles = await submitSlides(stack.client, 'backlog', o.slides);
    const submitSeconds = (Date.now() - started) / 1000;
    // Ten thousand result() long polls at once overwhelm one client: count closed runs instead
    // (visibility lags a little: wait until every slide is counted).
    const closed = async (status: string): Promise<number> =>
      Number(
        (
          await stack.client.workflow.count(
            `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = '${status}'`,
          )
        ).count,
      );
    let completed = 0;
    let failed = 0;
    await waitFor(
      'every slide to close',
      async () => {
        [completed, failed] = await Promise.all([closed('Completed'), closed('Failed')]);
        return completed + failed >= o.slides;
      },
      4 * 3600_000,
      2_000,
    );
    const wallSeconds = (Date.now() - started) / 1000;
    clearInterval(sampler);

    const stages = await launchChain(stack.client, handles.slice(-Math.min(200, handles.length)));
    Object.assign(stages, await budgetChain(stack.client));
    const stats = stack.localEcs.stats();
    const launches = stats.launchTimestamps;
    const launchSpan = ((launches.at(-1) ?? 0) - (launches[0] ?? 0)) / 1000;
    const budget = await readBudget(stack.client, 'default');
    const taskSeconds = o.taskMs / 1000;
    const boundSeconds = Math.max(o.slides / o.rate, (o.slides * taskSeconds) / o.budget) + taskSeconds;
    const figures = {
      slides: o.slides,
      completed,
      failed,
      tasksLaunched: stats.tasksLaunched,
      tasksPerSlide: stats.tasksLaunched / o.slides,
      maxTasksPerSlide: Math.max(...Object.values(stats.startedBy).map((s) => s.maxInFlight)),
      maxInFlight: stats.clusters.default?.maxInFlight ?? stats.maxInFlight,
      budgetUseWhileWaiting: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : null,
      launchesPerSecond: launchSpan > 0 ? (launches.length - 1) / launchSpan : null,
      launchRate: o.rate,
      wallSeconds,
      boundSeconds,
      wallOverBound: wallSeconds / boundSeconds,
      submitSeconds,
      runTaskCalls: stats.runTask.calls,
      runTaskWithFailures: stats.runTask.withFailures,
      runTaskThrottled: stats.runTask.throttled,
      workerPeakRssMiB: peakRss.map((p) => Math.round(p)),
      launchChainMs: stages,
      budgetEvents: budget.events,
      budgetEventsPerSlide: budget.events / o.slides,
    };
    const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
    console.log(
      [
        `slides        ${figures.completed}/${o.slides} completed, ${failed} failed; ${figures.tasksLaunched} tasks (${figures.tasksPerSlide.toFixed(2)} per slide, at most ${figures.maxTasksPerSlide} alive for one slide)`,
        `budget        ${o.budget}: at most ${figures.maxInFlight} in flight; ${pct(figures.budgetUseWhileWaiting)} in use while slides waited`,
        `launches      ${figures.launchesPerSecond?.toFixed(1) ?? 'n/a'}/s against ECS_LAUNCH_RATE ${o.rate} (${pct((figures.launchesPerSecond ?? 0) / o.rate)})`,
        `wall time     ${wallSeconds.toFixed(1)} s against a bound of ${boundSeconds.toFixed(1)} s (${figures.wallOverBound.toFixed(2)}x); submitting took ${submitSeconds.toFixed(1)} s`,
        `RunTask       ${figures.runTaskCalls} calls, ${figures.runTaskWithFailures} with failures[], ${figures.runTaskThrottled} throttled`,
        `workers       ${o.workers}, peak RSS ${figures.workerPeakRssMiB.join(', ')} MiB`,
        `budget wf     ${budget.events} events, ${figures.budgetEventsPerSlide.toFixed(2)} per slide`,
        `launch chain  median (p90) over the last ${Math.min(200, o.slides)} slides: ${Object.entries(stages)
          .map(([k, v]) => `${k} ${v.p50} (${v.p90})${k.endsWith('PerSlide') ? '' : ' ms'}`)
          .join(', ')}`,
      ].join('\n'),
    );
    console.log(`results: ${appendRow(o, figures)}`);
  } finally {
    await stopWorkerProcesses(workers);
    await stack.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFilename + suffix, { force: true });
  }
}

/**
 * Where a launch's time goes, read from the slides' histories: the task's stoppedAt to the
 * release (runEcsTask completes right after it), the grant to the workflow scheduling
 * runEcsTask (the slide's workflow task), runEcsTask scheduled to started (rate limit,
 * matching), and how long admitLaunch waited in the task queue.
 */
async function launchChain(
  client: Client,
  handles: WorkflowHandle[],
): Promise<Record<string, { p50: number; p90: number }>> {
  const gaps: Record<string, number[]> = {
    stoppedToReleased: [],
    grantToSchedule: [],
    scheduleToStart: [],
    queuedInMatching: [],
    eventsPerSlide: [],
    workflowTasksPerSlide: [],
  };
  const E = temporal.api.enums.v1.EventType;
  for (const h of handles) {
    const events = (await h.fetchHistory()).events ?? [];
    gaps.eventsPerSlide!.push(events.length);
    gaps.workflowTasksPerSlide!.push(
      events.filter((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length,
    );
    const at = (e: temporal.api.history.v1.IHistoryEvent): number =>
      Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
    const find = (type: number, from = 0): number =>
      events.findIndex((e, i) => i >= from && e.eventType === type);
    const admitScheduled = find(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const admitStarted = find(E.EVENT_TYPE_ACTIVITY_TASK_STARTED, admitScheduled);
    const granted = find(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, admitScheduled);
    const runScheduled = find(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, granted);
    const runStarted = find(E.EVENT_TYPE_ACTIVITY_TASK_STARTED, runScheduled);
    const runDone = find(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, runStarted);
    if ([admitStarted, granted, runScheduled, runStarted, runDone].some((i) => i < 0)) continue;
    // runEcsTask releases the lease just before it completes: its completion time is the release.
    const data = events[runDone]!.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data;
    const outcome = data ? (JSON.parse(Buffer.from(data).toString()) as { stoppedAt?: number }) : {};
    if (outcome.stoppedAt) gaps.stoppedToReleased!.push(at(events[runDone]!) - outcome.stoppedAt);
    gaps.queuedInMatching!.push(at(events[admitStarted]!) - at(events[admitScheduled]!));
    gaps.grantToSchedule!.push(at(events[runScheduled]!) - at(events[granted]!));
    gaps.scheduleToStart!.push(at(events[runStarted]!) - at(events[runScheduled]!));
  }
  const pct = (xs: number[], p: number): number =>
    Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0);
  return Object.fromEntries(
    Object.entries(gaps).map(([k, xs]) => [k, { p50: pct(xs, 0.5), p90: pct(xs, 0.9) }]),
  );
}

/**
 * The budget's side of a grant, from its current run's history: a release signal to the start
 * of the workflow task that handles it (the budget worker picking it up), and that task's
 * start to its completion (the grant and the round's answer are written then).
 */
async function budgetChain(client: Client): Promise<Record<string, { p50: number; p90: number }>> {
  const E = temporal.api.enums.v1.EventType;
  const events = (await client.workflow.getHandle(budgetWorkflowId('default')).fetchHistory()).events ?? [];
  const at = (e: temporal.api.history.v1.IHistoryEvent): number =>
    Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
  const gaps: Record<string, number[]> = { releaseToBudgetTask: [], budgetTask: [] };
  events.forEach((e, i) => {
    if (e.eventType !== E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) return;
    const started = events.findIndex((x, j) => j > i && x.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const done = events.findIndex(
      (x, j) => j > started && x.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    );
    if (started < 0 || done < 0) return;
    gaps.releaseToBudgetTask!.push(at(events[started]!) - at(e));
    gaps.budgetTask!.push(at(events[done]!) - at(events[started]!));
  });
  return percentiles(gaps);
}

function percentiles(gaps: Record<string, number[]>): Record<string, { p50: number; p90: number }> {
  const pct = (xs: number[], p: number): number =>
    Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0);
  return Object.fromEntries(
    Object.entries(gaps).map(([k, xs]) => [k, { p50: pct(xs, 0.5), p90: pct(xs, 0.9) }]),
  );
}

/** The results file keeps one row per configuration (the latest run of it). */
function appendRow(o: Options, figures: object): string {
  const file = path.join(__dirname, 'results', 'backlog.json');
  type Row = { options: Options } & Record<string, unknown>;
  let rows: Row[] = [];
  try {
    rows = (JSON.parse(readFileSync(file, 'utf8')) as { figures: { rows: Row[] } }).figures.rows;
  } catch {
    // No results yet.
  }
  const key = (x: Options): string =>
    `${x.slides}|${x.workers}|${x.budget}|${x.taskMs}|${x.rate}|${x.poll ?? ''}|${x.nodeOptions ?? ''}|${x.cache ?? ''}`;
  rows = [
    ...rows.filter((r) => key(r.options) !== key(o)),
    { options: o, ...figures, at: new Date().toISOString() },
  ];
  return writeResults(
    'backlog',
    { rows },
    { command: 'npx tsx bench/backlog.ts --slides N --workers N ...' },
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
