// An end-to-end fixture: the local stack plus an in-process worker on it.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createS3Client } from '../../src/aws/clients';
import { SLIDES_BUCKET, type LocalStack, type LocalStackOptions } from '../../dev/stack/local-stack';
import {
  startStackWithWorker,
  type RunningStack,
  type StackWithWorkerOptions,
} from '../../dev/stack/run-stack';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file (bundling takes a second or two). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: quietLogger,
  });
  return bundle;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

export type E2EStack = RunningStack;

/**
 * ECS as it really answers (the local ECS's `realistic` profile: new tasks briefly MISSING,
 * launch bursts throttled inside InvalidParameterException, Fargate's capacity message,
 * stopped tasks forgotten after seconds, failed starts without containers). End-to-end and
 * chaos runs use it; a slide's MISSING grace must outlast the visibility delay.
 */
export const REALISTIC_ECS = { profile: 'realistic' } as const;
export const REALISTIC_SETTINGS = { ECS_MISSING_GRACE: '5s' };

/** Starts the stack (realistic ECS) and a worker whose settings are the stack's plus `settings`. */
export async function startE2EStack(
  settings: Record<string, string>,
  opts: LocalStackOptions & Pick<StackWithWorkerOptions, 'bridge'> = {},
): Promise<E2EStack> {
  return startStackWithWorker({
    ...opts,
    localEcs: { ...REALISTIC_ECS, ...opts.localEcs },
    settings: { ...REALISTIC_SETTINGS, ...settings },
    workflowBundle: await workflowBundle(),
    log: () => undefined,
  });
}

/** Puts a stand-in slide object in the stack's slide bucket (simulated tasks never read it). */
export async function putSlide(
  stack: LocalStack,
  key: string,
  body: Buffer | string = 'slide',
): Promise<void> {
  await createS3Client(stack.env).send(new PutObjectCommand({ Bucket: SLIDES_BUCKET, Key: key, Body: body }));
}
