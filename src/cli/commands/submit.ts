// `slides submit`: start processing slides, optionally watching them to the end.
import type { Command } from 'commander';
import { DEFAULT_SLIDES_TASK_QUEUE } from '../../workflows/definitions';
import type { SlideInput } from '../../workflows/types';
import { priorityNumber, wholeNumber } from '../arguments';
import { withClient } from '../connect';
import { parseSlideRefs, slideLocation } from '../slide-ref';
import { submitSlide } from '../submit';
import { watchAndSummarise } from '../watch';

interface SubmitOptions {
  bucket?: string;
  size?: number;
  tier?: string;
  cluster?: string;
  taskDefinition?: string;
  priority?: number;
  source?: string;
  taskQueue: string;
  watch?: boolean;
}

/** The workflow input for one slide, with only the options given. */
function slideInput(location: { bucket: string; key: string }, o: SubmitOptions): SlideInput {
  return {
    ...location,
    ...(o.size !== undefined ? { sizeBytes: o.size } : {}),
    ...(o.tier ? { tier: o.tier } : {}),
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.taskDefinition ? { taskDefinition: o.taskDefinition } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.source ? { source: o.source } : {}),
  };
}

export function registerSubmitCommand(program: Command): Command {
  return program
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
    .action(async (args: string[], o: SubmitOptions) => {
      const slides = parseSlideRefs(args, o.bucket).map((ref) => ({
        ref,
        location: slideLocation(ref, 'submit'),
      }));
      await withClient(async (client) => {
        for (const { ref, location } of slides) {
          const r = await submitSlide(client, o.taskQueue, slideInput(location, o), ref.workflowId);
          console.log(
            r.started ? `started ${r.workflowId} (run ${r.runId})` : `already running ${r.workflowId}`,
          );
        }
        if (o.watch)
          await watchAndSummarise(
            client,
            slides.map((s) => s.ref.workflowId),
          );
      });
    });
}
