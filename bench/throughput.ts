// Throughput and footprint at scale: `npx tsx bench/throughput.ts [--slides 1000] [--slots 200]
// [--rate 20] [--task-ms 3000]`. Simulated tasks on the local ECS (ECS's default rate limits),
// one worker process; prints slides per minute, launch rate, DescribeTasks calls per task,
// the worker's peak memory, and writes bench/results/throughput.json.
import { benchTemporal } from './temporal-target';
import { Command } from 'commander';
import { createEcsClient } from '../src/aws/clients';
import { submitSlide } from '../src/cli/submit';
import { slideWorkflowId } from '../src/slides/identity';
import {
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
} from '../dev/stack/local-stack';
import { putSlide } from '../test/support/stack';
import { startWorkerProcess } from '../test/support/worker-process';
import { rssMiB } from './process-memory';
import { writeResults } from './write-results';

async function main(): Promise<void> {
  const o = new Command('throughput')
    .option('--slides <n>', 'slides', Number, 1000)
    .option('--slots <n>', 'task slots of the worker', Number, 200)
    .option('--rate <n>', 'launches per second (task-queue rate limit)', Number, 20)
    .option('--task-ms <ms>', 'run time of each simulated task', Number, 3000)
    .parse()
    .opts<{ slides: number; slots: number; rate: number; taskMs: number }>();

  const stack = await startLocalStack({
    ...benchTemporal(),
    localEcs: { clusters: [{ name: 'default', cpu: 256 * o.slots * 2, memory: 512 * o.slots * 2 }] },
  });
  try {
    await registerTaskDefinition(
      createEcsClient(stack.env),
      'bench-sim',
      simulatedContainer({ SIM_DURATION_MS: String(o.taskMs) }),
    );
    const worker = await startWorkerProcess({
      ...stack.env,
      ECS_TASK_DEFINITION: 'bench-sim',
      ECS_TASK_SLOTS: String(o.slots),
      ECS_LAUNCH_RATE: String(o.rate),
      ECS_POLL_INTERVAL: '1s',
      PROGRESS_INTERVAL: '5s',
    });
    const pid = worker.child.pid as number;
    let peakRss = rssMiB(pid);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMiB(pid));
    }, 250);

    const keys = Array.from({ length: o.slides }, (_, i) => `bench/slide-${String(i).padStart(5, '0')}.svs`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((k) => putSlide(stack, k)));
    stack.localEcs.resetStats();
    const started = Date.now();
    const ids = keys.map((key) => slideWorkflowId(SLIDES_BUCKET, key));
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((key, j) =>
            submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, ids[i + j] as string),
          ),
      );
    }
    const submittedSeconds = (Date.now() - started) / 1000;
    await Promise.all(ids.map((id) => stack.client.workflow.getHandle(id).result()));
    const wallSeconds = (Date.now() - started) / 1000;
    clearInterval(sampler);

    const stats = stack.localEcs.stats();
    const launches = [...stats.launchTimestamps].sort((a, b) => a - b);
    const launchSpan = ((launches.at(-1) ?? 0) - (launches[0] ?? 0)) / 1000;
    const figures = {
      slides: o.slides,
      wallSeconds,
      submitSeconds: submittedSeconds,
      slidesPerMinute: (o.slides / wallSeconds) * 60,
      tasksLaunched: stats.tasksLaunched,
      launchesPerSecond: launchSpan > 0 ? (launches.length - 1) / launchSpan : 0,
      maxInFlight: stats.maxInFlight,
      runTaskCalls: stats.runTask.calls,
      runTaskThrottled: stats.runTask.throttled,
      describeTasksCalls: stats.describeTasks.calls,
      describeTasksThrottled: stats.describeTasks.throttled,
      describeTasksPerTask: stats.describeTasks.calls / Math.max(1, stats.tasksLaunched),
      workerPeakRssMiB: Math.round(peakRss),
      idealWallSeconds: Math.max(o.slides / o.rate, Math.ceil(o.slides / o.slots) * (o.taskMs / 1000)),
    };
    console.log(
      [
        `slides                 ${figures.slides} simulated tasks of ${o.taskMs} ms, ${o.slots} slots, ${o.rate} launches/s`,
        `wall time              ${figures.wallSeconds.toFixed(1)} s (bound by slots and rate: ${figures.idealWallSeconds.toFixed(1)} s)`,
        `throughput             ${figures.slidesPerMinute.toFixed(0)} slides/min`,
        `launch rate            ${figures.launchesPerSecond.toFixed(1)} tasks/s (max ${figures.maxInFlight} in flight)`,
        `RunTask                ${figures.runTaskCalls} calls, ${figures.runTaskThrottled} throttled`,
        `DescribeTasks          ${figures.describeTasksCalls} calls (${figures.describeTasksPerTask.toFixed(2)} per task), ${figures.describeTasksThrottled} throttled`,
        `worker peak RSS        ${figures.workerPeakRssMiB} MiB`,
      ].join('\n'),
    );
    console.log(`results: ${writeResults('throughput', figures, o)}`);
    worker.kill('SIGTERM');
    await worker.exited;
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
