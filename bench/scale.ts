// The cluster budget at scale: `npx tsx bench/scale.ts [--slides 10000] [--budget 200]
// [--workers 3] [--task-ms 10000] [--rate 20]`. Every slide is submitted at once; simulated
// tasks run on the local ECS (ECS's default rate limits) under ECS_MAX_TASKS=budget, on a
// cluster that would hold more. Prints whether the budget held throughout, whether every slide
// completed once, what the admission machinery cost (ECS calls per second, the budget
// workflow's history), and each worker's peak memory; writes bench/results/scale.json.
import { benchTemporal } from './temporal-target';
import { Command } from 'commander';
import { submitSlides } from './submit-slides';
import { createEcsClient } from '../src/aws/clients';
import { registerTaskDefinition, simulatedContainer, startLocalStack } from '../dev/stack/local-stack';
import { budgetWorkflowId } from '../src/workflows/budget-definitions';
import { waitFor } from '../test/support/wait';
import { startWorkerProcess, stopWorkerProcesses, type WorkerProcess } from '../test/support/worker-process';
import { rssMiB } from './process-memory';
import { writeResults } from './write-results';

async function main(): Promise<void> {
  const o = new Command('scale')
    .option('--slides <n>', 'slides submitted at once', Number, 10_000)
    .option('--budget <n>', 'ECS_MAX_TASKS: tasks in flight at most', Number, 200)
    .option('--workers <n>', 'worker processes', Number, 3)
    .option('--task-ms <ms>', 'run time of each simulated task', Number, 10_000)
    .option('--rate <n>', 'launches per second (task-queue rate limit)', Number, 20)
    .parse()
    .opts<{ slides: number; budget: number; workers: number; taskMs: number; rate: number }>();

  // Room for twice the budget, so the budget (not the cluster) is what binds.
  const stack = await startLocalStack({
    ...benchTemporal(),
    localEcs: { clusters: [{ name: 'default', cpu: 256 * o.budget * 2.5, memory: 512 * o.budget * 2.5 }] },
  });
  const workers: WorkerProcess[] = [];
  try {
    await registerTaskDefinition(
      createEcsClient(stack.env),
      'scale-sim',
      simulatedContainer({ SIM_DURATION_MS: String(o.taskMs) }),
    );
    for (let i = 0; i < o.workers; i++) {
      workers.push(
        await startWorkerProcess(
          {
            ...stack.env,
            ECS_TASK_DEFINITION: 'scale-sim',
            ECS_MAX_TASKS: String(o.budget),
            ECS_TASK_SLOTS: String(o.budget),
            ECS_LAUNCH_RATE: String(o.rate),
            ECS_POLL_INTERVAL: '1s',
            PROGRESS_INTERVAL: '5s',
            BUDGET_REFRESH: '5s',
          },
          180_000,
        ),
      );
    }
    const peak = workers.map(() => 0);
    let peakInFlightSlides = 0;
    let running = 0;
    let inFlightSum = 0;
    let inFlightSamples = 0;
    const sampler = setInterval(() => {
      if (running > 0) {
        inFlightSum += stack.localEcs.stats().clusters.default?.inFlight ?? 0;
        inFlightSamples++;
      }
      workers.forEach((w, i) => {
        peak[i] = Math.max(peak[i] ?? 0, rssMiB(w.child.pid as number));
      });
      peakInFlightSlides = Math.max(peakInFlightSlides, running);
    }, 500);

    stack.localEcs.resetStats();
    const started = Date.now();
    const handles = await submitSlides(stack.client, 'scale', o.slides, (h) => {
      running = h.length;
    });
    const submitSeconds = (Date.now() - started) / 1000;
    let completed = 0;
    await Promise.all(
      handles.map(async (h) => {
        await h.result();
        completed++;
        running = handles.length - completed;
      }),
    );
    const wallSeconds = (Date.now() - started) / 1000;
    clearInterval(sampler);

    const stats = stack.localEcs.stats();
    // The budget's own history, over all its runs (it continues-as-new).
    const budgetId = budgetWorkflowId('default');
    let budgetRuns = 0;
    let budgetEvents = 0;
    await waitFor('the budget runs to be listed', async () => {
      budgetRuns = 0;
      budgetEvents = 0;
      for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${budgetId}'` })) {
        budgetRuns++;
        // Visibility records a run's length when it closes; ask the running one directly.
        budgetEvents +=
          wf.status.name === 'RUNNING'
            ? (await stack.client.workflow.getHandle(budgetId, wf.runId).describe()).historyLength
            : (wf.historyLength ?? 0);
      }
      return budgetRuns > 0;
    });
    const figures = {
      slides: o.slides,
      completed,
      tasksLaunched: stats.tasksLaunched,
      budget: o.budget,
      maxInFlight: stats.clusters.default?.maxInFlight ?? stats.maxInFlight,
      budgetHeld: (stats.clusters.default?.maxInFlight ?? stats.maxInFlight) <= o.budget,
      wallSeconds,
      submitSeconds,
      boundSeconds: Math.max(o.slides / o.rate, Math.ceil(o.slides / o.budget) * (o.taskMs / 1000)),
      runTaskCalls: stats.runTask.calls,
      runTaskWithFailures: stats.runTask.withFailures,
      describeTasksCalls: stats.describeTasks.calls,
      ecsCallsPerSecond: (stats.runTask.calls + stats.describeTasks.calls) / wallSeconds,
      budgetRuns,
      budgetEvents,
      budgetEventsPerSlide: budgetEvents / o.slides,
      meanTasksInFlight: inFlightSamples ? inFlightSum / inFlightSamples : 0,
      peakSlidesInFlight: peakInFlightSlides,
      workerPeakRssMiB: peak.map((p) => Math.round(p)),
    };
    console.log(
      [
        `slides           ${figures.completed}/${o.slides} completed, ${figures.tasksLaunched} tasks launched`,
        `budget           ${o.budget}: at most ${figures.maxInFlight} in flight (${figures.budgetHeld ? 'held' : 'EXCEEDED'}), ${figures.meanTasksInFlight.toFixed(1)} on average`,
        `wall time        ${wallSeconds.toFixed(1)} s (bound by budget and rate: ${figures.boundSeconds.toFixed(1)} s; submitting took ${submitSeconds.toFixed(1)} s)`,
        `ECS calls        ${figures.runTaskCalls} RunTask (${figures.runTaskWithFailures} with failures[]), ${figures.describeTasksCalls} DescribeTasks: ${figures.ecsCallsPerSecond.toFixed(1)} calls/s`,
        `budget workflow  ${budgetRuns} run(s), ${budgetEvents} events in all (${figures.budgetEventsPerSlide.toFixed(2)} per slide)`,
        `workers          peak RSS ${figures.workerPeakRssMiB.join(', ')} MiB with up to ${peakInFlightSlides} slides in flight`,
      ].join('\n'),
    );
    console.log(`results: ${writeResults('scale', figures, o)}`);
  } finally {
    await stopWorkerProcesses(workers);
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
