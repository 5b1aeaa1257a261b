// Seed 000's before/after table on the local ECS: `npx tsx bench/seed000.ts [--slides 60]
// [--task-ms 4000]`. "Before" is the naive launcher the seed's Lambda was: every message goes
// straight to RunTask, with no limit; a failed launch or a failed task goes back to the queue
// and is retried after the visibility timeout, and a message received too often is dead-
// lettered (the slide is lost). "After" is this project with 1, 2 and 3 workers, every
// worker with ECS_TASK_SLOTS=auto. Each scenario gets its own cluster of the same size in
// contention mode: tasks are placed past capacity (soft reservations, as on EC2), and while
// the cluster is over-committed simulated tasks run slower and are OOM-killed now and then.
// Prints the table and writes bench/results/seed000.json.
import { benchTemporal } from './temporal-target';
import {
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { Command } from 'commander';
import { createEcsClient } from '../src/aws/clients';
import { slideStartOptions, WORKFLOW_TYPE } from '../src/slides/start-options';
import {
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
  type LocalStack,
} from '../dev/stack/local-stack';
import type { SlideResult } from '../src/workflows/types';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process';
import { writeResults } from './write-results';

interface Options {
  slides: number;
  taskMs: number;
  clusterCpu: number;
  clusterMemory: number;
  maxOvercommit: number;
  oomHazard: number;
  maxReceives: number;
  redeliveryMs: number;
  vcpuHourPrice: number;
  gbHourPrice: number;
}

interface Row {
  scenario: string;
  runTaskCalls: number;
  runTaskWithFailures: number;
  failurePercent: number;
  tasksLaunched: number;
  oomKilled: number;
  peakInFlight: number;
  meanTaskSeconds: number;
  wallSeconds: number;
  slidesPerHour: number;
  costPerSlideUsd: number;
  slidesDone: number;
  slidesLost: number;
  maxRunsPerSlide: number;
}

const FAMILY = 'seed000-sim';
// The first size tier of the local stack: 0.25 vCPU, 0.5 GB.
const TASK_CPU = 256;
const TASK_MEMORY = 512;

/** Every task the cluster knows (launched in this scenario), with its size and times. */
async function clusterTasks(ecs: ECSClient, cluster: string): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
    let nextToken: string | undefined;
    do {
      const out = await ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken }));
      arns.push(...(out.taskArns ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  }
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100), include: ['TAGS'] }),
    );
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

const seconds = (t: Task): number =>
  t.startedAt && t.stoppedAt ? (t.stoppedAt.getTime() - t.startedAt.getTime()) / 1000 : 0;

function row(
  scenario: string,
  o: Options,
  stack: LocalStack,
  cluster: string,
  tasks: Task[],
  wallSeconds: number,
  done: number,
  maxRunsPerSlide: number,
): Row {
  const stats = stack.localEcs.stats();
  const clusterStats = stats.clusters[cluster];
  const ok = tasks.filter((t) => t.containers?.[0]?.exitCode === 0);
  const taskSeconds = tasks.reduce((sum, t) => sum + seconds(t), 0);
  const pricePerSecond = ((TASK_CPU / 1024) * o.vcpuHourPrice + (TASK_MEMORY / 1024) * o.gbHourPrice) / 3600;
  return {
    scenario,
    runTaskCalls: stats.runTask.calls,
    runTaskWithFailures: stats.runTask.withFailures,
    failurePercent: stats.runTask.calls ? (100 * stats.runTask.withFailures) / stats.runTask.calls : 0,
    tasksLaunched: stats.tasksLaunched,
    oomKilled: tasks.filter((t) => t.containers?.[0]?.exitCode === 137).length,
    peakInFlight: clusterStats?.maxInFlight ?? 0,
    meanTaskSeconds: ok.length ? ok.reduce((sum, t) => sum + seconds(t), 0) / ok.length : 0,
    wallSeconds,
    slidesPerHour: (done / wallSeconds) * 3600,
    costPerSlideUsd: done ? (taskSeconds * pricePerSecond) / done : 0,
    slidesDone: done,
    slidesLost: o.slides - done,
    maxRunsPerSlide,
  };
}

/** The seed's Lambda: RunTask per message, no limit; failures go back to the queue. */
async function naive(o: Options, stack: LocalStack, ecs: ECSClient, cluster: string): Promise<Row> {
  stack.localEcs.resetStats();
  const started = Date.now();
  const runs = new Map<number, number>();
  let done = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // One watcher describes every launched task once a second (the bench's eyes, not part of
  // the naive launcher, which never looks back).
  const watched = new Map<string, (task: Task) => void>();
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await sleep(1000);
      const arns = [...watched.keys()];
      for (let i = 0; i < arns.length; i += 100) {
        const d = await ecs
          .send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))
          .catch(() => undefined); // throttled: next round
        for (const t of d?.tasks ?? []) {
          if (t.lastStatus !== 'STOPPED' || !t.taskArn) continue;
          watched.get(t.taskArn)?.(t);
          watched.delete(t.taskArn);
        }
      }
    }
  })();
  const stopped = (arn: string) => new Promise<Task>((resolve) => watched.set(arn, resolve));

  async function handle(slide: number): Promise<void> {
    for (let receive = 1; receive <= o.maxReceives; receive++) {
      if (receive > 1) await sleep(o.redeliveryMs); // the visibility timeout runs out
      const out = await ecs
        .send(
          new RunTaskCommand({
            cluster,
            taskDefinition: FAMILY,
            launchType: 'EC2',
            startedBy: `naive-${slide}`,
            networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'] } },
          }),
        )
        .catch(() => undefined); // throttled: the message comes back
      const arn = out?.tasks?.[0]?.taskArn;
      if (!arn) continue; // failures[]: the message comes back
      runs.set(slide, (runs.get(slide) ?? 0) + 1);
      const task = await stopped(arn);
      if (task.containers?.[0]?.exitCode === 0) {
        done++;
        return;
      }
      // OOM-killed or failed: the message comes back
    }
  }
  await Promise.all(Array.from({ length: o.slides }, (_, i) => handle(i)));
  watching = false;
  await watcher;
  const wall = (Date.now() - started) / 1000;
  return row(
    'before: RunTask per message, no limit',
    o,
    stack,
    cluster,
    await clusterTasks(ecs, cluster),
    wall,
    done,
    Math.max(...runs.values()),
  );
}

/** This project: the slides as workflows, `workers` worker processes with ECS_TASK_SLOTS=auto. */
async function orchestrated(
  o: Options,
  stack: LocalStack,
  ecs: ECSClient,
  cluster: string,
  workers: number,
): Promise<Row> {
  const procs: WorkerProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      procs.push(
        await startWorkerProcess(
          {
            ...stack.env,
            ECS_CLUSTER: cluster,
            ECS_LAUNCH_TYPE: 'EC2',
            ECS_TASK_DEFINITION: FAMILY,
            ECS_TASK_SLOTS: 'auto',
            ECS_LAUNCH_RATE: '20',
            ECS_POLL_INTERVAL: '500ms',
            BUDGET_REFRESH: '2s',
            PROGRESS_INTERVAL: '2s',
          },
          180_000,
        ),
      );
    }
    stack.localEcs.resetStats();
    const started = Date.now();
    const handles = [];
    for (let i = 0; i < o.slides; i++) {
      const input = { bucket: SLIDES_BUCKET, key: `${cluster}/slide-${i}.svs`, sizeBytes: 1000, cluster };
      handles.push(
        await stack.client.workflow.start(WORKFLOW_TYPE, slideStartOptions('slides', input, 'FAIL')),
      );
    }
    const settled = await Promise.allSettled(handles.map((h) => h.result() as Promise<SlideResult>));
    const wall = (Date.now() - started) / 1000;
    const done = settled.filter((s) => s.status === 'fulfilled').length;
    const tasks = await clusterTasks(ecs, cluster);
    // Exactly once: tasks that ran to success, per slide.
    const perSlide = new Map<string, number>();
    for (const t of tasks.filter((t) => t.containers?.[0]?.exitCode === 0)) {
      const id = t.tags?.find((tag) => tag.key === 'wsi:slide-id')?.value ?? '';
      perSlide.set(id, (perSlide.get(id) ?? 0) + 1);
    }
    return row(
      `after: ${workers} worker${workers > 1 ? 's' : ''}`,
      o,
      stack,
      cluster,
      tasks,
      wall,
      done,
      Math.max(0, ...perSlide.values()),
    );
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
  }
}

function table(rows: Row[]): string {
  const head = [
    'scenario',
    'RunTask calls',
    'with failures[]',
    'OOM-killed',
    'peak in flight',
    'avg task s',
    'slides/hour',
    'cost/slide $',
    'lost',
    'runs/slide',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    String(r.runTaskCalls),
    `${r.runTaskWithFailures} (${r.failurePercent.toFixed(1)}%)`,
    String(r.oomKilled),
    String(r.peakInFlight),
    r.meanTaskSeconds.toFixed(2),
    r.slidesPerHour.toFixed(0),
    r.costPerSlideUsd.toFixed(6),
    String(r.slidesLost),
    String(r.maxRunsPerSlide),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const o = new Command('seed000')
    .option('--slides <n>', 'slides in the batch', Number, 60)
    .option('--task-ms <ms>', 'work of one slide when the cluster is not over-committed', Number, 4000)
    .option('--cluster-cpu <units>', 'registered CPU of each scenario cluster', Number, 4096)
    .option('--cluster-memory <MiB>', 'registered memory of each scenario cluster', Number, 8192)
    .option('--max-overcommit <x>', 'contention model: placement up to this multiple of capacity', Number, 3)
    .option(
      '--oom-hazard <p>',
      'contention model: OOM kills per task-second per unit of memory over-commit',
      Number,
      0.1,
    )
    .option('--max-receives <n>', 'naive launcher: receives before a message is dead-lettered', Number, 3)
    .option(
      '--redelivery-ms <ms>',
      'naive launcher: visibility timeout before a failed message returns',
      Number,
      3000,
    )
    .option('--vcpu-hour-price <usd>', 'Fargate per vCPU-hour (us-east-1, Linux/x86)', Number, 0.04048)
    .option('--gb-hour-price <usd>', 'Fargate per GB-hour (us-east-1, Linux/x86)', Number, 0.004445)
    .parse()
    .opts<Options>();

  const scenarios = ['naive', 'w1', 'w2', 'w3'];
  const contention = { maxOvercommit: o.maxOvercommit, oomHazardPerSecond: o.oomHazard };
  const stack = await startLocalStack({
    ...benchTemporal(),
    localEcs: {
      clusters: [
        { name: 'default', cpu: 4096, memory: 8192 },
        ...scenarios.map((name) => ({
          name: `seed-${name}`,
          cpu: o.clusterCpu,
          memory: o.clusterMemory,
          contention,
        })),
      ],
    },
  });
  try {
    const ecs = createEcsClient(stack.env);
    await registerTaskDefinition(ecs, FAMILY, simulatedContainer({ SIM_DURATION_MS: String(o.taskMs) }));
    const rows: Row[] = [await naive(o, stack, ecs, 'seed-naive')];
    for (const n of [1, 2, 3]) rows.push(await orchestrated(o, stack, ecs, `seed-w${n}`, n));
    const capacity = Math.floor(Math.min(o.clusterCpu / TASK_CPU, o.clusterMemory / TASK_MEMORY));
    console.log(
      `${o.slides} slides of ${o.taskMs / 1000} s work, ${TASK_CPU} CPU / ${TASK_MEMORY} MiB each, on clusters holding ${capacity} such tasks ` +
        `(budget: 80% = ${Math.floor(capacity * 0.8)}); contention model: placement up to ${o.maxOvercommit}x, OOM hazard ${o.oomHazard}`,
    );
    console.log(table(rows));
    console.log(`results: ${writeResults('seed000', { rows }, o)}`);
  } finally {
    await stack.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
