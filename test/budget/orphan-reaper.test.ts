// The orphan reaper on the real dev server (its visibility tells which runs are closed) and
// the local ECS: a task whose run was terminated is stopped after the grace; a task of an
// open run, a task of a run this namespace does not know (another tenant) and a task that is
// not ours are never touched; the dry run reports without stopping.
import { randomUUID } from 'node:crypto';
import { DescribeTasksCommand, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalEcs, type LocalEcs } from '@wsi-orchestrator/local-ecs';
import { startDevServer } from '../../dev/temporal/environment';
import type { Orphan } from '../../src/activities/orphan-reaper';
import { readCluster } from '../../src/activities/read-cluster';
import { loadSettings, type Settings } from '../../src/settings/settings';
import { ecsClientFor, registerSimulatedTaskDefinition } from '../support/ecs';
import { activityInput, launchAsRunEcsTask } from '../support/run-ecs-task';
import { waitFor } from '../support/wait';

const FAMILY = 'wsi-processor-sim';
const TASK_QUEUE = 'orphan-reaper-no-worker';
const BASE = { ECS_TASK_DEFINITION: FAMILY, SIZE_TIERS: 'small:256:512', ECS_SUBNETS: 'subnet-local' };

describe('orphan reaper', () => {
  let temporal: TestWorkflowEnvironment;
  let localEcs: LocalEcs;
  let ecs: ECSClient;
  let settings: Settings;

  beforeAll(async () => {
    temporal = await startDevServer();
    localEcs = await startLocalEcs({
      clusters: [{ name: 'default', cpu: 16_384, memory: 32_768 }],
      lifecycle: { provisioningMs: 20, pendingMs: 20, deprovisioningMs: 20 },
      logDir: '.data/test-logs/orphan-reaper',
    });
    ecs = ecsClientFor(localEcs.endpoint);
    // Tasks that run far longer than the test: only a stop ends them.
    await registerSimulatedTaskDefinition(ecs, FAMILY, { SIM_DURATION_MS: '600000' });
    settings = loadSettings({ ...BASE, ORPHAN_GRACE: '0s' });
  });

  afterAll(async () => {
    await localEcs?.close();
    await temporal?.teardown();
  });

  /** A workflow run on a queue no worker polls: it stays open until terminated. */
  async function startRun(workflowId: string): Promise<{ workflowId: string; runId: string }> {
    const handle = await temporal.client.workflow.start('processSlide', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ bucket: 'slides', key: `${workflowId}.svs` }],
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  }

  async function launchFor(run: { workflowId: string; runId: string }): Promise<string> {
    return launchAsRunEcsTask(ecs, settings, run, activityInput(settings, 'orphans'));
  }

  /** RUNNING until someone stops the task (its lastStatus may still be on the way up). */
  async function desiredStatus(arn: string): Promise<string | undefined> {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
    return out.tasks?.[0]?.desiredStatus;
  }

  async function read(s: Settings, onOrphan: (o: Orphan) => void): Promise<void> {
    const env = new MockActivityEnvironment();
    await env.run(
      readCluster,
      { ecs, client: temporal.client, settings: s, onOrphan },
      { cluster: 'default', holders: [] },
    );
  }

  test('stops the task of a terminated run, and nothing else', async () => {
    const terminated = await startRun('slide:orphans/terminated');
    const open = await startRun('slide:orphans/open');
    const orphanArn = await launchFor(terminated);
    const openArn = await launchFor(open);
    // Our startedBy form, but a run this namespace has never seen: another deployment's.
    const otherTenantArn = await launchFor({ workflowId: 'slide:elsewhere/x', runId: randomUUID() });
    const notOursArn = (
      await ecs.send(
        new RunTaskCommand({
          cluster: 'default',
          taskDefinition: FAMILY,
          startedBy: 'team-b',
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'] } },
        }),
      )
    ).tasks?.[0]?.taskArn as string;
    await temporal.client.workflow
      .getHandle(terminated.workflowId)
      .terminate('operator terminates a stuck slide');

    const seen: Orphan[] = [];
    // Visibility is eventually consistent: read until the closed run shows.
    await waitFor(
      'the reaper to stop the orphan',
      async () => {
        await read(settings, (o) => seen.push(o));
        return (await desiredStatus(orphanArn)) === 'STOPPED';
      },
      30_000,
      500,
    );

    expect(seen).toEqual([
      expect.objectContaining({
        taskArn: orphanArn,
        workflowId: terminated.workflowId,
        runId: terminated.runId,
        runStatus: 'TERMINATED',
        action: 'stopped',
      }),
    ]);
    const stopped = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [orphanArn] }));
    expect(stopped.tasks?.[0]?.stoppedReason).toContain(`orphan; its workflow run ${terminated.runId}`);
    for (const arn of [openArn, otherTenantArn, notOursArn]) expect(await desiredStatus(arn)).toBe('RUNNING');

    // Another reading changes nothing: none of the others is an orphan.
    await read(settings, (o) => seen.push(o));
    expect(seen).toHaveLength(1);
    for (const arn of [openArn, otherTenantArn, notOursArn]) expect(await desiredStatus(arn)).toBe('RUNNING');
  });

  test('ORPHAN_DRY_RUN reports the orphan and leaves it running; within the grace it is not even reported', async () => {
    const run = await startRun('slide:orphans/dry-run');
    const arn = await launchFor(run);
    await temporal.client.workflow.getHandle(run.workflowId).terminate('operator');
    const graceful = loadSettings({ ...BASE, ORPHAN_GRACE: '1h' });
    const dryRun = loadSettings({ ...BASE, ORPHAN_GRACE: '0s', ORPHAN_DRY_RUN: 'true' });

    const reported: Orphan[] = [];
    await waitFor(
      'the dry run to report the orphan',
      async () => {
        await read(dryRun, (o) => reported.push(o));
        return reported.length > 0;
      },
      30_000,
      500,
    );
    expect(reported[0]).toMatchObject({ taskArn: arn, action: 'reported', runStatus: 'TERMINATED' });
    expect(await desiredStatus(arn)).toBe('RUNNING');

    const withinGrace: Orphan[] = [];
    await read(graceful, (o) => withinGrace.push(o));
    expect(withinGrace).toEqual([]);
    expect(await desiredStatus(arn)).toBe('RUNNING');
  });
});
