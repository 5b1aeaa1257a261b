// Records real workflow histories for the replay tests (test/replay): the local stack with a
// real worker, the local ECS and moto run one slide per scenario, and each closed history is
// written to test/replay/histories/<label>-<scenario>.json with its workflow ID. Run it before
// changing workflow code, so the replay test proves the new code still replays the old runs:
//
//   npx tsx dev/scripts/record-histories.ts --label v1
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command } from 'commander';
import { createEcsClient } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import { makeSyntheticSlide } from '../slides/synthetic';
import {
  processorContainer,
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
} from '../stack/local-stack';
import { startStackWithWorker, type RunningStack } from '../stack/run-stack';
import { historyToPlainJson } from '../temporal/history-json';
import { PROJECT_ROOT } from '../tools/binaries';
import { budgetWorkflowId } from '../../src/workflows/budget-definitions';
import { statusQuery } from '../../src/workflows/definitions';
import type { SlideInput, SlidePhase } from '../../src/workflows/types';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients';

const SIM = 'record-sim';
const PROCESSOR = 'record-processor';
export const HISTORIES_DIR = path.join(PROJECT_ROOT, 'test', 'replay', 'histories');

async function waitForPhase(handle: WorkflowHandle, phase: SlidePhase): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await handle.query(statusQuery)).phase === phase) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never reached ${phase}`);
}

async function save(client: Client, label: string, name: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = path.join(HISTORIES_DIR, `${label}-${name}.json`);
  writeFileSync(file, `${JSON.stringify({ workflowId, history: historyToPlainJson(history) }, null, 2)}\n`);
  console.log(`${file}: ${history.events?.length ?? 0} events`);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { label } = new Command('record-histories')
    .option('--label <label>', 'prefix of the files: the code version recorded', 'v1')
    .parse()
    .opts<{ label: string }>();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const stack: RunningStack = await startStackWithWorker({
    settings: {
      ECS_TASK_DEFINITION: SIM,
      ECS_TASK_SLOTS: '10',
      ECS_POLL_INTERVAL: '200ms',
      PROGRESS_INTERVAL: '200ms',
      RELAUNCH_BACKOFF: '100ms',
      RETRY_INITIAL_INTERVAL: '200ms',
      RETRY_MAX_INTERVAL: '1s',
      SLIDE_FOLDER_SETTLE: '2s',
    },
    log: () => undefined,
  });
  try {
    const ecs = createEcsClient(stack.env);
    await registerTaskDefinition(ecs, SIM, simulatedContainer({ SIM_DURATION_MS: '1500' }));
    await registerTaskDefinition(
      ecs,
      PROCESSOR,
      processorContainer({ TILE_DELAY_MS: '40', CHUNK_TILES: '8', TILE_CONCURRENCY: '1' }),
    );
    const s3 = createS3Client(stack.env);
    const start = async (name: string, extra: Partial<SlideInput> = {}, body?: Buffer) => {
      const key = `record/${label}-${name}.tif`;
      await s3.send(new PutObjectCommand({ Bucket: SLIDES_BUCKET, Key: key, Body: body ?? 'slide' }));
      const workflowId = slideWorkflowId(SLIDES_BUCKET, key);
      await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key, ...extra }, workflowId);
      return { workflowId, handle: stack.client.workflow.getHandle(workflowId) };
    };
    const slide = () => makeSyntheticSlide({ width: 1600, height: 1200, seed: 3 });

    // A real processor tiling a slide: phases, task ARN and progress reach the workflow.
    const success = await start('success', { taskDefinition: PROCESSOR }, await slide());
    await success.handle.result();
    await save(stack.client, label, 'success', success.workflowId);

    stack.localEcs.addFaultRule({ type: 'oom', times: 1, afterRunningMs: 200 });
    const oom = await start('oom-relaunch');
    await oom.handle.result();
    await save(stack.client, label, 'oom-relaunch', oom.workflowId);
    stack.localEcs.clearFaultRules();

    stack.localEcs.addFaultRule({
      type: 'spotInterruption',
      times: 1,
      afterRunningMs: 1500,
      warningMs: 3000,
    });
    const spot = await start('interruption-resume', { taskDefinition: PROCESSOR }, await slide());
    await spot.handle.result();
    await save(stack.client, label, 'interruption-resume', spot.workflowId);
    stack.localEcs.clearFaultRules();

    // No room at all: the one launch the budget always grants waits for ECS capacity.
    stack.localEcs.setClusterCapacity('default', { cpu: 0, memory: 0 });
    const capacity = await start('capacity-wait');
    await waitForPhase(capacity.handle, 'WAITING_FOR_CAPACITY');
    stack.localEcs.setClusterCapacity('default', { cpu: 4096, memory: 8192 });
    await capacity.handle.result();
    await save(stack.client, label, 'capacity-wait', capacity.workflowId);

    const cancel = await start('cancel', { taskDefinition: PROCESSOR }, await slide());
    await waitForPhase(cancel.handle, 'RUNNING');
    await cancel.handle.cancel();
    await cancel.handle.result().catch(() => undefined);
    await save(stack.client, label, 'cancel', cancel.workflowId);

    // A folder slide (a DICOM series) whose last part has just landed: it waits, then launches.
    const folderKey = `record/${label}-folder/`;
    for (const part of ['level-0.dcm', 'level-1.dcm'])
      await s3.send(
        new PutObjectCommand({ Bucket: SLIDES_BUCKET, Key: `${folderKey}${part}`, Body: 'dicom' }),
      );
    const folderId = slideWorkflowId(SLIDES_BUCKET, folderKey);
    await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key: folderKey }, folderId);
    await stack.client.workflow.getHandle(folderId).result();
    await save(stack.client, label, 'folder-settle', folderId);

    // The budget runs for ever: its history so far replays like any other.
    await save(stack.client, label, 'cluster-budget', budgetWorkflowId('default'));
  } finally {
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
