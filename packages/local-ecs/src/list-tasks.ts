// ListTasks over one cluster: ECS's filters, its default of desiredStatus RUNNING, and
// pagination whose token marks a position in launch order (stable while tasks come and go).
import { containerInstanceIdOf } from './arns';
import type { ClusterState } from './clusters';
import { EcsError, invalidParameter, type JsonObject } from './protocol';
import type { ListTasksInput } from './requests';
import { LAUNCH_TYPES } from './run-task';
import { isVisible } from './visibility';

const DESIRED_STATUSES = ['RUNNING', 'PENDING', 'STOPPED'];

function encodeNextToken(seq: number): string {
  return Buffer.from(JSON.stringify({ v: 1, after: seq })).toString('base64');
}

function decodeNextToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as {
      v?: unknown;
      after?: unknown;
    };
    if (parsed.v === 1 && typeof parsed.after === 'number' && Number.isInteger(parsed.after))
      return parsed.after;
  } catch {
    // not ours: fall through
  }
  throw invalidParameter('Invalid nextToken.');
}

export function listTasks(cluster: ClusterState, input: ListTasksInput): JsonObject {
  // ECS's ListTasks reference: "When you specify startedBy as the filter, it must be the only
  // filter that you use." The cluster is the scope, not a filter.
  if (input.startedBy !== undefined) {
    const others = (
      ['family', 'serviceName', 'desiredStatus', 'launchType', 'containerInstance'] as const
    ).filter((f) => input[f] !== undefined);
    if (others.length > 0) {
      throw invalidParameter(
        `startedBy must be the only filter; it cannot be combined with ${others.join(', ')}.`,
      );
    }
  }
  if (input.family !== undefined && input.serviceName !== undefined) {
    throw invalidParameter('family and serviceName cannot both be specified.');
  }
  // The local ECS has no services.
  if (input.serviceName !== undefined) throw new EcsError('ServiceNotFoundException', 'Service not found.');
  const desired = input.desiredStatus ?? 'RUNNING';
  if (!DESIRED_STATUSES.includes(desired)) throw invalidParameter(`Invalid desiredStatus ${desired}.`);
  if (input.launchType !== undefined && !LAUNCH_TYPES.includes(input.launchType)) {
    throw invalidParameter(`Invalid launchType ${input.launchType}.`);
  }
  const maxResults = input.maxResults ?? 100;
  if (maxResults < 1 || maxResults > 100) throw invalidParameter('maxResults must be between 1 and 100.');
  const after = input.nextToken !== undefined ? decodeNextToken(input.nextToken) : 0;
  const instance =
    input.containerInstance !== undefined ? containerInstanceIdOf(input.containerInstance) : undefined;

  const taskArns: string[] = [];
  let last = after;
  for (const t of cluster.tasks.values()) {
    if (t.seq <= after || t.desiredStatus !== desired || !isVisible(t)) continue;
    if (input.family !== undefined && t.definition.family !== input.family) continue;
    if (input.startedBy !== undefined && t.startedBy !== input.startedBy) continue;
    if (input.launchType !== undefined && t.launchType !== input.launchType) continue;
    if (
      instance !== undefined &&
      (t.containerInstanceArn === undefined || containerInstanceIdOf(t.containerInstanceArn) !== instance)
    )
      continue;
    if (taskArns.length === maxResults) return { taskArns, nextToken: encodeNextToken(last) };
    taskArns.push(t.arn);
    last = t.seq;
  }
  return { taskArns };
}
