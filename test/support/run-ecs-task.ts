// What the runEcsTask activity tests share: an activity input for a fresh slide, and a
// launch made the way runEcsTask makes it (same clientToken, startedBy and tags), to stand
// for a task launched by an attempt that then crashed.
import { RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { Settings } from '../../src/settings/settings';
import { buildRunTaskInput } from '../../src/ecs/requests';
import { clientTokenFor, startedByFor } from '../../src/slides/identity';
import type { RunEcsTaskInput } from '../../src/workflows/types';

let counter = 0;

/** A runEcsTask input for a slide no other test uses; `name` keeps its URIs apart. */
export function activityInput(
  settings: Settings,
  name: string,
  overrides: Partial<RunEcsTaskInput> = {},
): RunEcsTaskInput {
  const n = ++counter;
  return {
    slideId: `slide-${n}`,
    bucket: 'slides',
    key: `case ${n}/slide.svs`,
    cluster: 'default',
    tier: settings.tiers[0] as RunEcsTaskInput['tier'],
    launchNumber: 1,
    checkpointUri: `s3://work/checkpoints/${name}-${n}.json`,
    outputUri: `s3://work/outputs/${name}-${n}/`,
    stuckAfterMs: 60_000,
    capacityDeadline: Date.now() + 60_000,
    ...overrides,
  };
}

/** Launches the task runEcsTask would launch for this workflow run; returns its ARN. */
export async function launchAsRunEcsTask(
  ecs: ECSClient,
  settings: Settings,
  workflow: { workflowId: string; runId: string },
  input: RunEcsTaskInput,
): Promise<string> {
  const out = await ecs.send(
    new RunTaskCommand(
      buildRunTaskInput(settings.ecs, input, {
        clientToken: clientTokenFor(workflow.workflowId, workflow.runId, input.launchNumber),
        startedBy: startedByFor(workflow.workflowId),
        workflowRunId: workflow.runId,
      }),
    ),
  );
  return out.tasks?.[0]?.taskArn as string;
}
