// Never two live tasks for one slide. ECS is eventually consistent: a task launched a
// moment ago can be answered MISSING, and a stopped task is forgotten after about an hour.
// So "lost" is a verdict reached over time (ECS_MISSING_GRACE) and checked against what
// ListTasks and the checkpoint say before the workflow is told to launch again; and every
// launch first stops whatever task of the slide is still alive, whichever run started it
// (a terminated or reset run's, an earlier launch's).
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import type { Settings } from '../settings/settings';
import type { TaskStatusPoller } from '../ecs/poller';
import { listLiveTasks, stopTask } from '../ecs/tasks';
import { FailureType } from '../workflows/errors';
import type { CheckpointReading } from '@wsi-orchestrator/task-contract';
import { readCheckpoint } from './checkpoint';

export interface LiveTaskDeps {
  ecs: ECSClient;
  s3: S3Client;
  poller: TaskStatusPoller;
  settings: Pick<Settings, 'ecs'>;
}

/**
 * Waits until each task is STOPPED (or no longer known, i.e. long gone), at most until
 * `deadline`. Returns the tasks still not stopped.
 */
export async function waitUntilStopped(
  deps: Pick<LiveTaskDeps, 'poller'>,
  cluster: string,
  arns: string[],
  deadline: number,
): Promise<string[]> {
  const alive = await Promise.all(
    arns.map(async (arn) => {
      const release = deps.poller.watch(cluster, arn);
      try {
        let round = 0;
        while (Date.now() < deadline) {
          const snapshot = await deps.poller.next(arn, round);
          round = snapshot.round;
          if (snapshot.missing || snapshot.task?.lastStatus === 'STOPPED') return undefined;
        }
        return arn;
      } finally {
        release();
      }
    }),
  );
  return alive.filter((a): a is string => a !== undefined);
}

/**
 * Stops every live task of the slide (started with any of `startedBys`) except `keep`, and
 * waits until ECS reports them STOPPED. Throws a retryable failure when one is still alive
 * after STOP_WAIT, so the launch that called this is retried later instead of starting a
 * second live task.
 */
export async function stopLiveTasks(
  deps: LiveTaskDeps,
  cluster: string,
  startedBys: readonly string[],
  reason: string,
  keep?: string,
): Promise<string[]> {
  const others = (await listLiveTasks(deps.ecs, cluster, startedBys)).filter((arn) => arn !== keep);
  if (others.length === 0) return [];
  await Promise.all(others.map((arn) => stopTask(deps.ecs, cluster, arn, reason)));
  const alive = await waitUntilStopped(deps, cluster, others, Date.now() + deps.settings.ecs.stopWaitMs);
  if (alive.length > 0) {
    throw ApplicationFailure.retryable(
      `an earlier task of this slide is still stopping (${alive.join(', ')}); not launching another until it has stopped`,
      FailureType.EcsTransient,
    );
  }
  return others;
}

/** What a task answered MISSING past the grace turned out to be. */
export type MissingVerdict =
  | { kind: 'alive' }
  | { kind: 'finished'; checkpoint: CheckpointReading }
  | { kind: 'lost'; checkpoint: CheckpointReading; stopped: string[] };

/**
 * Judges a task ECS has answered MISSING for longer than the grace. This happens here, in the
 * activity that launched it, before it reports "missing" (and so before the workflow can
 * launch again): the activity knows the task and the run's `startedBy`, and can adopt the task
 * by simply polling on. The relaunch's own check (stopLiveTasks at the start of the next
 * launch) covers what ListTasks had not caught up with yet.
 * - ListTasks still lists it as live: DescribeTasks lags; adopt it (keep polling).
 * - Any other live task of this slide is an orphan: stopped, and awaited.
 * - The checkpoint says complete: the task finished while no one watched; a success.
 * - Otherwise it is lost: the workflow relaunches from the checkpoint.
 */
export async function judgeMissingTask(
  deps: LiveTaskDeps,
  cluster: string,
  startedBys: readonly string[],
  taskArn: string,
  checkpointUri: string,
): Promise<MissingVerdict> {
  const live = await listLiveTasks(deps.ecs, cluster, startedBys);
  if (live.includes(taskArn)) return { kind: 'alive' };
  const stopped = await stopLiveTasks(
    deps,
    cluster,
    startedBys,
    `wsi-orchestrator: orphan of this slide (its task ${taskArn} is gone)`,
  );
  const checkpoint = await readCheckpoint(deps.s3, checkpointUri);
  return checkpoint.complete ? { kind: 'finished', checkpoint } : { kind: 'lost', checkpoint, stopped };
}
