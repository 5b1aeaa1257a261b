// The `slides` CLI. Exit codes a script can rely on:
//   0 done as asked; 1 a slide failed, was not found or could not be started;
//   2 bad usage (the message says what is wrong); 3 Temporal could not be reached.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { Client } from '@temporalio/client';
import { formatS3Uri } from './aws/s3-uri';
import { registerBridgeCommand } from './bridge';
import { parseSlideRef, UsageError, type SlideRef } from './cli/slide-ref';
import { describeCapacity, readCapacity } from './cli/capacity';
import { formatCost, formatProgress, readSlideState, type SlideState } from './cli/status';
import { submitSlide } from './cli/submit';
import { watchSlides } from './cli/watch';
import { registerLocalEcsCommand } from './local-ecs/cli';
import { prepareLocalAws } from './stack/local-stack';
import { connectClient } from './temporal/connection';
import { runWorkerMain } from './worker';
import { DEFAULT_SLIDES_TASK_QUEUE, WORKFLOW_TYPE } from './workflows/definitions';
import type { SlideInput } from './workflows/types';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectClient();
  } catch (err) {
    throw new ExitError(
      `cannot reach Temporal at ${process.env.TEMPORAL_ADDRESS ?? 'localhost:7233'}: ${(err as Error).message}`,
      EXIT.unreachable,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

const wholeNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

const priorityNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new InvalidArgumentError('expected 1 (most urgent) to 5');
  return n;
};

function refs(args: string[], bucket?: string): SlideRef[] {
  return args.map((a) => parseSlideRef(a, bucket));
}

function describeState(state: SlideState): string {
  const s = state.status;
  const lines = [`${state.workflowId}: ${state.execution}`];
  if (s) {
    lines.push(
      `  slide     ${formatS3Uri({ bucket: s.bucket, key: s.key })}`,
      `  phase     ${s.phase}${state.taskStatus ? ` (task ${state.taskStatus})` : ''}`,
      `  task      ${s.taskArn ?? '-'}`,
      `  tier      ${s.tier ? `${s.tier.name} (cpu ${s.tier.cpu}, memory ${s.tier.memory} MiB)` : '-'}`,
      `  progress  ${formatProgress(s)}`,
      `  attempts  ${s.attempts.launches} launches, ${s.attempts.interruptions} interrupted, ${s.attempts.outOfMemory} out of memory, ${s.attempts.appErrors} errors, ${s.attempts.startFailures} failed starts`,
      `  cost      ${formatCost(s.taskSeconds, s.cost)} (ended launches)`,
    );
  }
  if (state.result) {
    lines.push(
      `  output    ${state.result.outputUri}`,
      `  launches  ${state.result.launches}, tier ${state.result.tier}`,
      `  cost      ${formatCost(state.result.taskSeconds, state.result.cost)}`,
    );
  }
  if (state.failure) lines.push(`  failure   ${state.failure.split('\n').join('\n            ')}`);
  return lines.join('\n');
}

export function buildProgram(): Command {
  const program = new Command('slides')
    .description('Process whole-slide images on ECS with Temporal')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('submit')
    .description('start processing slides (s3://bucket/key, or keys with --bucket)')
    .argument('<slides...>')
    .option('--bucket <bucket>', 'bucket of the keys given')
    .option('--size <bytes>', 'slide size in bytes (else read from S3)', wholeNumber)
    .option('--tier <name>', 'first size tier')
    .option('--cluster <name>', 'ECS cluster')
    .option('--task-definition <family>', 'ECS task definition, instead of the worker default')
    .option('--priority <1-5>', 'launch order among waiting slides: 1 most urgent, default 3', priorityNumber)
    .option('--source <name>', 'who the slides are for (a lab): waiting sources share the cluster fairly')
    .option(
      '--task-queue <queue>',
      'task queue of processSlide',
      process.env.SLIDES_TASK_QUEUE ?? DEFAULT_SLIDES_TASK_QUEUE,
    )
    .option('--watch', 'show progress until they finish')
    .action(
      async (
        args: string[],
        o: {
          bucket?: string;
          size?: number;
          tier?: string;
          cluster?: string;
          taskDefinition?: string;
          priority?: number;
          source?: string;
          taskQueue: string;
          watch?: boolean;
        },
      ) => {
        const slides = refs(args, o.bucket).map((ref) => {
          if (!ref.bucket || !ref.key)
            throw new UsageError(`submit needs s3://bucket/key, not a workflow ID: ${ref.workflowId}`);
          return ref;
        });
        await withClient(async (client) => {
          for (const ref of slides) {
            const input: SlideInput = {
              bucket: ref.bucket as string,
              key: ref.key as string,
              ...(o.size !== undefined ? { sizeBytes: o.size } : {}),
              ...(o.tier ? { tier: o.tier } : {}),
              ...(o.cluster ? { cluster: o.cluster } : {}),
              ...(o.taskDefinition ? { taskDefinition: o.taskDefinition } : {}),
              ...(o.priority !== undefined ? { priority: o.priority } : {}),
              ...(o.source ? { source: o.source } : {}),
            };
            const r = await submitSlide(client, o.taskQueue, input, ref.workflowId);
            console.log(
              r.started ? `started ${r.workflowId} (run ${r.runId})` : `already running ${r.workflowId}`,
            );
          }
          if (o.watch)
            await watchAndSummarise(
              client,
              slides.map((s) => s.workflowId),
            );
        });
      },
    );

  program
    .command('status')
    .description("a slide's phase, task, tier, attempts and progress")
    .argument('<slide>', 's3://bucket/key or workflow ID')
    .option('--bucket <bucket>')
    .option('--json', 'print JSON')
    .action(async (arg: string, o: { bucket?: string; json?: boolean }) => {
      const [ref] = refs([arg], o.bucket);
      await withClient(async (client) => {
        const state = await readSlideState(client, (ref as SlideRef).workflowId);
        if (!state) throw new ExitError(`no slide workflow ${(ref as SlideRef).workflowId}`, EXIT.failed);
        console.log(o.json ? JSON.stringify(state, null, 2) : describeState(state));
        if (['FAILED', 'TERMINATED', 'TIMED_OUT'].includes(state.execution)) process.exitCode = EXIT.failed;
      });
    });

  program
    .command('list')
    .description('slides known to Temporal, newest first')
    .option('--all', 'include finished slides (default: running only)')
    .option('--phase <phase>', 'only slides in this phase, e.g. RUNNING or WAITING_FOR_CAPACITY')
    .option('--limit <n>', 'at most this many', wholeNumber, 100)
    .action(async (o: { all?: boolean; phase?: string; limit: number }) => {
      const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
      if (!o.all) clauses.push(`ExecutionStatus = 'Running'`);
      if (o.phase) clauses.push(`SlidePhase = '${o.phase.replace(/'/g, '')}'`);
      await withClient(async (client) => {
        let n = 0;
        for await (const wf of client.workflow.list({ query: clauses.join(' AND ') })) {
          const phase = wf.searchAttributes?.SlidePhase?.[0] ?? '-';
          console.log(`${wf.status.name.padEnd(10)} ${String(phase).padEnd(20)} ${wf.workflowId}`);
          if (++n >= o.limit) break;
        }
      });
    });

  program
    .command('cancel')
    .description('cancel slides: their ECS tasks are stopped')
    .argument('<slides...>')
    .option('--bucket <bucket>')
    .action(async (args: string[], o: { bucket?: string }) => {
      const slides = refs(args, o.bucket);
      await withClient(async (client) => {
        for (const ref of slides) {
          try {
            await client.workflow.getHandle(ref.workflowId).cancel();
            console.log(`cancel requested ${ref.workflowId}`);
          } catch (err) {
            console.error(`cannot cancel ${ref.workflowId}: ${(err as Error).message}`);
            process.exitCode = EXIT.failed;
          }
        }
      });
    });

  program
    .command('watch')
    .description('live progress bars for slides (default: every running slide), then a summary')
    .argument('[slides...]')
    .option('--bucket <bucket>')
    .action(async (args: string[], o: { bucket?: string }) => {
      await withClient(async (client) => {
        let ids = refs(args, o.bucket).map((r) => r.workflowId);
        if (ids.length === 0) {
          for await (const wf of client.workflow.list({
            query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
          })) {
            ids.push(wf.workflowId);
          }
          ids = [...new Set(ids)];
        }
        if (ids.length === 0) {
          console.log('no slides in flight');
          return;
        }
        await watchAndSummarise(client, ids);
      });
    });

  program
    .command('capacity')
    .description("the cluster's budget: what it allows, what is in flight, what waits")
    .option('--cluster <name>', 'ECS cluster', process.env.ECS_CLUSTER ?? 'default')
    .option('--json', 'print JSON')
    .action(async (o: { cluster: string; json?: boolean }) => {
      await withClient(async (client) => {
        const capacity = await readCapacity(client, o.cluster).catch((err: unknown) => {
          throw new ExitError(
            `no budget for cluster ${o.cluster} (no worker has served it yet?): ${(err as Error).message}`,
            EXIT.failed,
          );
        });
        console.log(o.json ? JSON.stringify(capacity, null, 2) : describeCapacity(capacity));
      });
    });

  program
    .command('id')
    .description('the workflow ID of a slide (for `temporal workflow start --workflow-id`)')
    .argument('<slide>', 's3://bucket/key')
    .action((arg: string) => {
      console.log(parseSlideRef(arg).workflowId);
    });

  program
    .command('worker')
    .description('run the worker (settings from the environment; see README)')
    .action(async () => {
      await runWorkerMain();
    });

  program
    .command('local-setup')
    .description(
      'create the buckets and register the processor task definitions on local endpoints (AWS_ENDPOINT_URL_*)',
    )
    .action(async () => {
      await prepareLocalAws(process.env);
      console.log(
        'buckets wsi-slides, wsi-work and task definitions wsi-processor, wsi-processor-sim are ready',
      );
    });

  registerBridgeCommand(program);
  registerLocalEcsCommand(program);
  return program;
}

async function watchAndSummarise(client: Client, ids: string[]): Promise<void> {
  const states = await watchSlides(client, ids);
  const done = states.filter((s) => s.execution === 'COMPLETED').length;
  for (const s of states) {
    const extra = s.result
      ? `launches ${s.result.launches}, ${formatCost(s.result.taskSeconds, s.result.cost)}`
      : (s.failure?.split('\n')[0] ?? '');
    console.log(`${s.execution.padEnd(10)} ${s.workflowId} ${extra}`);
  }
  console.log(`${done}/${states.length} slides completed`);
  if (done < states.length) process.exitCode = EXIT.failed;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      process.exitCode = EXIT.usage;
    } else if (err instanceof ExitError) {
      console.error(`error: ${err.message}`);
      process.exitCode = err.code;
    } else {
      console.error(`error: ${(err as Error).message ?? err}`);
      process.exitCode = EXIT.failed;
    }
  }
}

if (require.main === module) void main();
