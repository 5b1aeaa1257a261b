// ARNs and ids in ECS's formats, and parsing of the "name or ARN" references ECS accepts.
import { randomBytes } from 'node:crypto';

export interface ArnScope {
  region: string;
  accountId: string;
}

const prefix = (s: ArnScope): string => `arn:aws:ecs:${s.region}:${s.accountId}`;

export const clusterArn = (s: ArnScope, cluster: string): string => `${prefix(s)}:cluster/${cluster}`;
export const taskArn = (s: ArnScope, cluster: string, id: string): string =>
  `${prefix(s)}:task/${cluster}/${id}`;
export const taskDefinitionArn = (s: ArnScope, family: string, revision: number): string =>
  `${prefix(s)}:task-definition/${family}:${revision}`;
export const containerInstanceArn = (s: ArnScope, cluster: string, id: string): string =>
  `${prefix(s)}:container-instance/${cluster}/${id}`;
export const containerArn = (s: ArnScope, cluster: string, taskId: string, id: string): string =>
  `${prefix(s)}:container/${cluster}/${taskId}/${id}`;

/** A task id as ECS makes them: 32 lowercase hex digits. */
export const newTaskId = (): string => randomBytes(16).toString('hex');

export const randomUuid = (): string => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** The resource part (after `:<type>/`) of an ECS ARN of that type, or undefined. */
function resourceOf(ref: string, type: string): string | undefined {
  const m = /^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:([a-z-]+)\/(.+)$/.exec(ref);
  return m && m[1] === type ? m[2] : undefined;
}

/** Cluster name from a name or a cluster ARN. */
export function clusterNameOf(ref: string): string {
  if (ref.startsWith('arn:')) return resourceOf(ref, 'cluster') ?? ref;
  return ref;
}

/** `{cluster, id}` from a task id or task ARN (old-style ARNs carry no cluster). */
export function parseTaskRef(ref: string): { cluster?: string; id: string } {
  if (!ref.startsWith('arn:')) return { id: ref };
  const resource = resourceOf(ref, 'task');
  if (resource === undefined) return { id: ref };
  const slash = resource.lastIndexOf('/');
  return slash < 0 ? { id: resource } : { cluster: resource.slice(0, slash), id: resource.slice(slash + 1) };
}

/** `{family, revision?}` from `family`, `family:revision` or a task definition ARN. */
export function parseTaskDefinitionRef(ref: string): { family: string; revision?: number } | undefined {
  const body = ref.startsWith('arn:') ? resourceOf(ref, 'task-definition') : ref;
  if (body === undefined) return undefined;
  const m = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(body);
  if (!m || !m[1]) return undefined;
  return m[2] === undefined ? { family: m[1] } : { family: m[1], revision: Number(m[2]) };
}

/** Id part of a container instance reference (id or ARN). */
export function containerInstanceIdOf(ref: string): string {
  const resource = ref.startsWith('arn:') ? resourceOf(ref, 'container-instance') : undefined;
  if (resource === undefined) return ref;
  return resource.slice(resource.lastIndexOf('/') + 1);
}
