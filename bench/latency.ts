// Submit to RunTask with free capacity: `npx tsx bench/latency.ts [--slides 20] [--every-ms 1000]`.
// One worker on the user's stack; slides are submitted one at a time, each after the last
// one's task was launched, so each launch's latency is its own: from the start call to the
// local ECS receiving its RunTask (admission, the workflow's tasks, matching, the rate
// limit). Prints p50, p95 and the max; writes bench/results/latency.json.
import { benchTemporal } from './temporal-target';
import { Command } from 'commander';
import { createEcsClient } from '../src/aws/clients';
import { slideStartOptions, WORKFLOW_TYPE } from '../src/slides/start-options';
import {
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
} from '../dev/stack/local-stack';
import { waitFor } from '../test/support/wait';
import { startWorkerProcess, stopWorkerProcesses, type WorkerProcess } from '../test/support/worker-process';
import { writeResults } from './write-results';

async function main(): Promise<void> {
  const o = new Command('latency')
    .option('--slides <n>', 'slides, one after another', Number, 20)
    .option('--every-ms <ms>', 'time between submissions', Number, 1000)
    .option('--workers <n>', 'worker processes', Number, 1)
    .parse()
    .opts<{ slides: number; everyMs: number; workers: number }>();

  const stack = await startLocalStack(benchTemporal());
  const workers: WorkerProcess[] = [];
  try {
    await registerTaskDefinition(
      createEcsClient(stack.env),
      'latency-sim',
      simulatedContainer({ SIM_DURATION_MS: '500' }),
    );
    const env = {
      ...stack.env,
      ECS_TASK_DEFINITION: 'latency-sim',
      ECS_MAX_TASKS: '50',
      ECS_LAUNCH_RATE: '20',
    };
    for (let i = 0; i < o.workers; i++) workers.push(await startWorkerProcess(env, 180_000));
    // A first slide warms the budget (its workflow starts with the first launch) and the workers.
    const warm = await stack.client.workflow.start(
      WORKFLOW_TYPE,
      slideStartOptions(
        'slides',
        { bucket: SLIDES_BUCKET, key: 'latency/warm.svs', sizeBytes: 1000 },
        'FAIL',
      ),
    );
    await warm.result();

    const latencies: number[] = [];
    for (let i = 0; i < o.slides; i++) {
      const before = stack.localEcs.stats().tasksLaunched;
      const started = Date.now();
      await stack.client.workflow.start(
        WORKFLOW_TYPE,
        slideStartOptions(
          'slides',
          { bucket: SLIDES_BUCKET, key: `latency/slide-${String(i).padStart(3, '0')}.svs`, sizeBytes: 1000 },
          'FAIL',
        ),
      );
      await waitFor(
        'the slide to be launched',
        () => stack.localEcs.stats().tasksLaunched > before,
        60_000,
        2,
      );
      const launchedAt = stack.localEcs.stats().launchTimestamps.at(-1) ?? Date.now();
      latencies.push(launchedAt - started);
      await new Promise((r) => setTimeout(r, o.everyMs));
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    const figures = { p50Ms: at(0.5), p95Ms: at(0.95), maxMs: sorted.at(-1) ?? 0, latenciesMs: latencies };
    console.log(
      `submit -> RunTask with free capacity, ${o.slides} slides, ${o.workers} worker(s): p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms, max ${figures.maxMs} ms`,
    );
    console.log(`results: ${writeResults('latency', figures, o)}`);
  } finally {
    await stopWorkerProcesses(workers);
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
