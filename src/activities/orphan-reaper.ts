// The orphan reaper: a task of ours whose workflow run has closed (terminated, reset, timed
// out) is left running by no one, at the cost of hours of compute. The cluster budget's
// reading hands over all our live tasks, leased or not (a terminated run's task keeps its
// lease until it stops); one visibility query per 100 of them finds the closed runs, and each
// task whose run closed more than
// ORPHAN_GRACE ago is stopped (or only reported, with ORPHAN_DRY_RUN), with a log line and a
// metric. A task whose run this namespace does not know belongs to another tenant (another
// deployment sharing the cluster) and is never touched, nor is a task without our tags.
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LiveTask } from '../ecs/cluster-usage';
import { stopTask } from '../ecs/tasks';
import type { Settings } from '../settings/settings';

/** Run IDs per visibility query: one query per 100 of our tasks on the cluster, per reading. */
export const RUNS_PER_QUERY = 100;

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

/** Which of `runIds` this namespace knows as closed (open and unknown runs are left out). */
async function closedRuns(client: Client, runIds: string[]): Promise<Map<string, ClosedRun>> {
  const closed = new Map<string, ClosedRun>();
  for (let i = 0; i < runIds.length; i += RUNS_PER_QUERY) {
    const ids = runIds.slice(i, i + RUNS_PER_QUERY);
    const query = `RunId IN (${ids.map((id) => `'${id}'`).join(', ')}) AND ExecutionStatus != 'Running'`;
    for await (const wf of client.workflow.list({ query })) {
      if (wf.closeTime) {
        closed.set(wf.runId, {
          workflowId: wf.workflowId,
          status: wf.status.name,
          closedAt: wf.closeTime.getTime(),
        });
      }
    }
  }
  return closed;
}

/**
 * Stops (or reports) the orphans among `tasks`, our live tasks on the cluster, leased or not:
 * a terminated run's task still holds its lease until it stops.
 */
export async function reapOrphans(
  deps: OrphanReaperDeps,
  cluster: string,
  tasks: LiveTask[],
  now = Date.now(),
): Promise<Orphan[]> {
  const { orphanGraceMs, orphanDryRun } = deps.settings.budget;
  const tagged = tasks.filter((t) => RUN_ID.test(t.runId ?? ''));
  if (tagged.length === 0) return [];
  const closed = await closedRuns(deps.client, [...new Set(tagged.map((t) => t.runId as string))]);
  const orphans: Orphan[] = [];
  for (const task of tagged) {
    const run = closed.get(task.runId as string);
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
