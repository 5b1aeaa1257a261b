// The chaos run: many slides through the whole stack (dev server, local ECS, moto, two worker
// processes), simulated tasks and some real processor tasks, while the local ECS answers as
// real ECS does (its `realistic` profile: new tasks briefly MISSING, wrapped throttles,
// stopped tasks forgotten after seconds) and injects OOM on the first tier, spot
// interruptions, a throttling storm and a capacity shrink; one worker is SIGKILLed and
// restarted, and later every worker is down for longer than ECS keeps stopped tasks. Returns the figures the test asserts and the
// benchmark prints. Used by test/e2e/chaos.test.ts (small) and bench/chaos.ts (large).
import { benchTemporal } from './temporal-target';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { WorkflowHandle } from '@temporalio/client';
import { createEcsClient, createS3Client } from '../src/aws/clients';
import { parseS3Uri } from '@wsi-orchestrator/task-contract';
import { submitSlide } from '../src/cli/submit';
import { slideWorkflowId } from '../src/slides/identity';
import { budgetWorkflowId } from '../src/workflows/budget-definitions';
import { operate } from './chaos-operators';
import {
  processorContainer,
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
} from '../dev/stack/local-stack';
import type { SlideResult } from '../src/workflows/types';
import { makeSyntheticSlide } from '../dev/slides/synthetic';
import { putSlide } from '../test/support/stack';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process';

export interface ChaosOptions {
  slides: number;
  /** How many of them run the real processor (the rest are simulated). */
  realSlides: number;
  slotsPerWorker: number;
  simulatedMs: number;
  seed: number;
  /** How long every worker is down at once; longer than the local ECS keeps stopped tasks (10 s). */
  outageMs?: number;
  /**
   * Operators at work while tasks run: this many simulated slides are terminated and
   * re-submitted, as many are reset to their first workflow task, and the budget workflow is
   * terminated once.
   */
  operatorActions?: number;
  log?: (line: string) => void;
}

export interface ChaosFigures {
  slides: number;
  completed: number;
  /** Completed workflow runs per slide ID: 1 everywhere means exactly once. */
  maxRunsPerSlide: number;
  /** Slides terminated and re-submitted, slides reset, budget terminations. */
  operatorActions: { resubmitted: number; reset: number; budgetTerminated: number };
  /** Tasks of runs an operator closed (terminated or reset): ECS ran them, no result counts them. */
  tasksOfClosedRuns: number;
  launches: number;
  relaunches: number;
  relaunchesByCause: Record<string, number>;
  tasksLaunched: number;
  runTaskCalls: number;
  runTaskThrottled: number;
  runTaskNoCapacity: number;
  describeTasksThrottled: number;
  maxInFlight: number;
  tasksStillRunning: number;
  /** The most tasks of one slide (one startedBy) alive at once: 1 means never two. */
  maxLiveTasksPerSlide: number;
  /** RunTask calls refused with a throttle wrapped in InvalidParameterException. */
  runTaskWrappedThrottles: number;
  workerKills: number;
  outageSeconds: number;
  realSlides: number;
  realInterruptions: number;
  tilesTotal: number;
  tilesProcessed: number;
  maxRedonePerInterruption: number;
  chunkTiles: number;
  wallSeconds: number;
}

const SIM_FAMILY = 'chaos-sim';
const REAL_FAMILY = 'chaos-processor';
const CHUNK_TILES = 8;

interface Checkpoint {
  done: number;
  total: number;
  processedTotal: number;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosFigures> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const outageMs = opts.outageMs ?? 12_000;
  const stack = await startLocalStack({
    ...benchTemporal(),
    localEcs: { seed: opts.seed, spotWarningMs: 2000, profile: 'realistic' },
  });
  const workers: WorkerProcess[] = [];
  try {
    const ecs = createEcsClient(stack.env);
    await registerTaskDefinition(
      ecs,
      SIM_FAMILY,
      simulatedContainer({ SIM_DURATION_MS: String(opts.simulatedMs) }),
    );
    await registerTaskDefinition(
      ecs,
      REAL_FAMILY,
      processorContainer({ TILE_DELAY_MS: '60', TILE_CONCURRENCY: '1', CHUNK_TILES: String(CHUNK_TILES) }),
    );

    const env = {
      ...stack.env,
      ECS_TASK_DEFINITION: SIM_FAMILY,
      ECS_TASK_SLOTS: String(opts.slotsPerWorker),
      ECS_LAUNCH_RATE: '20',
      ECS_POLL_INTERVAL: '300ms',
      PROGRESS_INTERVAL: '1s',
      HEARTBEAT_TIMEOUT: '3s',
      RETRY_INITIAL_INTERVAL: '300ms',
      RETRY_MAX_INTERVAL: '2s',
      RELAUNCH_BACKOFF: '200ms',
      MAX_INTERRUPTIONS: '20',
      // Longer than the realistic profile's visibility delay (at most 0.5 s).
      ECS_MISSING_GRACE: '3s',
      BUDGET_REFRESH: '1s',
    };
    for (const name of ['A', 'B']) {
      workers.push(await startWorkerProcess(env));
      log(`worker ${name} started`);
    }

    // The faults, timed from now; probabilities draw from the local ECS's seeded generator.
    const { localEcs } = stack;
    localEcs.resetStats();
    localEcs.addFaultRule({
      type: 'oom',
      match: { taskMemoryAtMost: 512 },
      probability: 0.15,
      afterRunningMs: 300,
    });
    localEcs.addFaultRule({
      type: 'spotInterruption',
      probability: 0.15,
      afterRunningMs: 700,
      warningMs: 2000,
    });
    localEcs.addFaultRule({
      type: 'throttlingStorm',
      actions: ['RunTask', 'DescribeTasks'],
      startAfterMs: 2000,
      durationMs: 3000,
      probability: 0.7,
    });
    // Random faults may or may not catch a real processor mid-slide; to measure the work redone,
    // the first two real tasks are spot-interrupted 1.5 s into RUNNING (their tiling takes at
    // least 2.5 s). The local ECS times it from the task itself, so a loaded machine's slow
    // queries cannot make it miss, as a harness watching the workflows could.
    const realInterruptionsPlanned = Math.min(2, opts.realSlides);
    if (realInterruptionsPlanned > 0) {
      localEcs.addFaultRule({
        type: 'spotInterruption',
        name: 'real-mid-run',
        match: { family: REAL_FAMILY },
        times: realInterruptionsPlanned,
        afterRunningMs: 1500,
        warningMs: 2000,
      });
    }
    localEcs.addFaultRule({ type: 'capacity', cluster: 'default', atMs: 5000, cpu: 1024, memory: 2048 });
    localEcs.addFaultRule({ type: 'capacity', cluster: 'default', atMs: 12_000, cpu: 4096, memory: 8192 });

    const handles: WorkflowHandle[] = [];
    const realKeys = new Set<string>();
    const realIds = new Set<string>();
    for (let i = 0; i < opts.slides; i++) {
      const real =
        i % Math.max(1, Math.floor(opts.slides / Math.max(1, opts.realSlides))) === 0 &&
        realKeys.size < opts.realSlides;
      const key = `chaos/${real ? 'real' : 'sim'}-${String(i).padStart(4, '0')}.tif`;
      if (real) {
        realKeys.add(key);
        await putSlide(
          stack,
          key,
          await makeSyntheticSlide({ width: 1400, height: 1000, seed: opts.seed + i }),
        );
      } else {
        await putSlide(stack, key);
      }
      const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
      if (real) realIds.add(workflowId);
      await submitSlide(
        stack.client,
        'slides',
        { bucket: SLIDES_BUCKET, key, ...(real ? { taskDefinition: REAL_FAMILY } : {}) },
        workflowId,
      );
      handles.push(stack.client.workflow.getHandle(workflowId));
    }
    log(`${opts.slides} slides submitted (${realKeys.size} real)`);

    // Operators act while tasks run: terminate + re-submit, reset, and a budget termination.
    let operatorActions: ChaosFigures['operatorActions'] = { resubmitted: 0, reset: 0, budgetTerminated: 0 };
    if (opts.operatorActions) {
      await new Promise((r) => setTimeout(r, 3000));
      const simulated = handles.filter((h) => !realIds.has(h.workflowId));
      operatorActions = await operate(
        stack.client,
        simulated,
        opts.operatorActions,
        budgetWorkflowId('default'),
      );
      log(`operators: ${JSON.stringify(operatorActions)}`);
    }

    // One worker dies mid-run without warning, and comes back a little later.
    await new Promise((r) => setTimeout(r, 6000));
    workers[0]?.kill('SIGKILL');
    log('worker A SIGKILLed');
    await new Promise((r) => setTimeout(r, 3000));
    workers.push(await startWorkerProcess(env));
    log('worker A restarted');

    // Every worker down at once, for longer than ECS keeps stopped tasks: tasks that finish
    // meanwhile are forgotten, and the workers that come back must judge them by what they
    // left (a complete checkpoint), never launch a second live task for a slide.
    await new Promise((r) => setTimeout(r, 2000));
    let killed = 1;
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.kill('SIGKILL');
        killed++;
      }
    }
    await Promise.all(workers.map((w) => w.exited));
    log(`all workers down for ${outageMs / 1000} s`);
    await new Promise((r) => setTimeout(r, outageMs));
    for (const name of ['A', 'B']) {
      workers.push(await startWorkerProcess(env));
      log(`worker ${name} back`);
    }

    const settled = await Promise.allSettled(handles.map((h) => h.result() as Promise<SlideResult>));
    log(`${realInterruptionsPlanned} real tasks set to be spot-interrupted mid-run on purpose`);
    const finished = settled.flatMap((s, i) =>
      s.status === 'fulfilled' ? [{ workflowId: handles[i]?.workflowId ?? '', result: s.value }] : [],
    );
    const results = finished.map((f) => f.result);
    for (const s of settled) if (s.status === 'rejected') log(`failed: ${(s.reason as Error).message}`);

    // Exactly once: one completed run per slide ID (an operator's terminate or reset closes a
    // run without completing it).
    let maxRunsPerSlide = 0;
    for (const h of handles) {
      let runs = 0;
      for await (const _ of stack.client.workflow.list({
        query: `WorkflowId = '${h.workflowId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Completed'`,
      }))
        runs++;
      maxRunsPerSlide = Math.max(maxRunsPerSlide, runs);
    }

    const relaunchesByCause: Record<string, number> = {};
    for (const r of results) {
      for (const a of r.attempts.slice(0, -1))
        relaunchesByCause[a.outcome] = (relaunchesByCause[a.outcome] ?? 0) + 1;
    }

    // Redone work on real slides: tiles processed beyond the slide's tiles, per interruption.
    let tilesTotal = 0;
    let tilesProcessed = 0;
    let realInterruptions = 0;
    let maxRedonePerInterruption = 0;
    const s3 = createS3Client(stack.env);
    for (const { result: r } of finished.filter((f) => realIds.has(f.workflowId))) {
      const { bucket, key } = parseS3Uri(r.checkpointUri);
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const cp = JSON.parse((await body.Body?.transformToString()) ?? '{}') as Checkpoint;
      const interruptions = r.attempts.filter((a) => a.outcome !== 'success').length;
      tilesTotal += cp.total;
      tilesProcessed += cp.processedTotal;
      realInterruptions += interruptions;
      if (interruptions > 0) {
        maxRedonePerInterruption = Math.max(
          maxRedonePerInterruption,
          (cp.processedTotal - cp.total) / interruptions,
        );
      }
    }

    // Give deprovisioning a moment, then count tasks still alive.
    await new Promise((r) => setTimeout(r, 1000));
    const stats = localEcs.stats();
    const launches = results.reduce((sum, r) => sum + r.launches, 0);
    return {
      slides: opts.slides,
      completed: results.length,
      maxRunsPerSlide,
      operatorActions,
      tasksOfClosedRuns: stats.tasksLaunched - launches,
      launches,
      relaunches: launches - results.length,
      relaunchesByCause,
      tasksLaunched: stats.tasksLaunched,
      runTaskCalls: stats.runTask.calls,
      runTaskThrottled: stats.runTask.throttled,
      runTaskNoCapacity: stats.runTask.withFailures,
      describeTasksThrottled: stats.describeTasks.throttled,
      maxInFlight: stats.maxInFlight,
      tasksStillRunning: stats.inFlight,
      maxLiveTasksPerSlide: Math.max(0, ...Object.values(stats.startedBy).map((s) => s.maxInFlight)),
      runTaskWrappedThrottles: stats.runTask.lookupThrottled,
      workerKills: killed,
      outageSeconds: outageMs / 1000,
      realSlides: realKeys.size,
      realInterruptions,
      tilesTotal,
      tilesProcessed,
      maxRedonePerInterruption,
      chunkTiles: CHUNK_TILES,
      wallSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await stack.close();
  }
}

export function formatFigures(f: ChaosFigures): string {
  return [
    `slides                     ${f.slides} (${f.realSlides} with the real processor)`,
    `completed exactly once     ${f.completed} (max completed runs per slide ${f.maxRunsPerSlide})`,
    `operator actions           ${f.operatorActions.resubmitted} terminated + re-submitted, ${f.operatorActions.reset} reset, budget terminated ${f.operatorActions.budgetTerminated}x; their closed runs' tasks ${f.tasksOfClosedRuns}`,
    `launches                   ${f.launches} = ${f.completed} + ${f.relaunches} relaunches ${JSON.stringify(f.relaunchesByCause)}`,
    `tasks launched by ECS      ${f.tasksLaunched} (= launches + closed runs' tasks: no duplicate task)`,
    `RunTask calls              ${f.runTaskCalls}: ${f.tasksLaunched} launched a task, ${f.runTaskNoCapacity} answered no capacity, ${f.runTaskThrottled} throttled`,
    `DescribeTasks throttled    ${f.describeTasksThrottled}`,
    `max tasks in flight        ${f.maxInFlight}`,
    `tasks running at the end   ${f.tasksStillRunning}`,
    `live tasks per slide       at most ${f.maxLiveTasksPerSlide} at any instant`,
    `wrapped throttles          ${f.runTaskWrappedThrottles} RunTask calls (InvalidParameterException ... Rate exceeded)`,
    `worker SIGKILLs            ${f.workerKills}, then all workers down for ${f.outageSeconds} s`,
    `real-slide interruptions   ${f.realInterruptions}; tiles ${f.tilesProcessed} processed for ${f.tilesTotal}; max redone per interruption ${f.maxRedonePerInterruption.toFixed(1)} (chunk ${f.chunkTiles})`,
    `wall time                  ${f.wallSeconds.toFixed(1)} s`,
  ].join('\n');
}
