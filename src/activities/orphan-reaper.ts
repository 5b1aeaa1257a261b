// The orphan reaper: a task of ours whose workflow run has closed (terminated, reset, timed
// out) is left running by no one, at the cost of hours of compute. The cluster budget's
// reading hands over our tasks that hold no lease; each whose run closed more than
// ORPHAN_GRACE ago is stopped (or only reported, with ORPHAN_DRY_RUN), with a log line and a
// metric. A task whose run this namespace does not know belongs to another tenant (another
// deployment sharing the cluster) and is never touched, nor is a task without our tags.
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LiveTask } from '../ecs/cluster-usage';
import { stopTask } from '../ecs/tasks';
import type { Settings } from '../settings/settings';

/** Runs looked up per reading at most: a burst of orphans is worked off over a few readings. */
export const MAX_ORPHAN_CHECKS = 20;

export interface Orphan {
  cluster: string;
  taskArn: string;
  workflowId: string;
  runId: string;
  /** How the run closed: Terminated, Failed, TimedOut, ... */
  runStatus: string;
  closedAt: number;
  /** stopped; reported (dry run); or failed (StopTask failed, tried again next reading). */
  action: 'stopped' | 'reported' | 'failed';
}

export type OrphanObserver = (orphan: Orphan) => void;

export interface OrphanReaperDeps {
  ecs: ECSClient;
  client: Client;
  settings: { budget: Pick<Settings['budget'], 'orphanGraceMs' | 'orphanDryRun'> };
  onOrphan?: OrphanObserver;
}

/** Temporal run IDs are UUIDs; anything else in the tag is not ours to query with. */
const RUN_ID = /^[0-9a-fA-F-]{1,64}$/;

interface ClosedRun {
  workflowId: string;
  status: string;
  closedAt: number;
}

/** The run if this namespace knows it and it is closed; undefined while open or unknown. */
async function closedRun(client: Client, runId: string): Promise<ClosedRun | undefined> {
  for await (const wf of client.workflow.list({ query: `RunId = '${runId}'`, pageSize: 1 })) {
    if (wf.status.name === 'RUNNING' || !wf.closeTime) return undefined;
    return { workflowId: wf.workflowId, status: wf.status.name, closedAt: wf.closeTime.getTime() };
  }
  return undefined;
}

/** Stops (or reports) the orphans among `unleased`: tasks of ours that hold no lease. */
export async function reapOrphans(
  deps: OrphanReaperDeps,
  cluster: string,
  unleased: LiveTask[],
  now = Date.now(),
): Promise<Orphan[]> {
  const { orphanGraceMs, orphanDryRun } = deps.settings.budget;
  const orphans: Orphan[] = [];
  for (const task of unleased.filter((t) => RUN_ID.test(t.runId ?? '')).slice(0, MAX_ORPHAN_CHECKS)) {
    const run = await closedRun(deps.client, task.runId as string);
    if (!run || now - run.closedAt < orphanGraceMs) continue;
    let action: Orphan['action'] = orphanDryRun ? 'reported' : 'stopped';
    if (!orphanDryRun) {
      try {
        await stopTask(
          deps.ecs,
          cluster,
          task.taskArn,
          `wsi-orchestrator: orphan; its workflow run ${task.runId} of ${run.workflowId} is ${run.status.toLowerCase()}`,
        );
      } catch {
        action = 'failed';
      }
    }
    const orphan: Orphan = {
      cluster,
      taskArn: task.taskArn,
      workflowId: run.workflowId,
      runId: task.runId as string,
      runStatus: run.status,
      closedAt: run.closedAt,
      action,
    };
    log.warn(
      `orphan task ${action === 'reported' ? 'found (ORPHAN_DRY_RUN: left running)' : action === 'stopped' ? 'stopped' : 'could not be stopped'}: ${task.taskArn}; its run ${orphan.runId} of ${orphan.workflowId} closed ${orphan.runStatus} ${Math.round((now - run.closedAt) / 1000)} s ago`,
      { ...orphan },
    );
    deps.onOrphan?.(orphan);
    orphans.push(orphan);
  }
  return orphans;
}
