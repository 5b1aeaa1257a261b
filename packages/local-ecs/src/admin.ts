// The admin endpoint under /_local-ecs/: stats, capacity changes and fault injection over
// plain JSON HTTP, for tests, benchmarks and people with curl. Never part of ECS's API.
import { z } from 'zod';
import { describeIssues } from '@wsi-orchestrator/settings-errors';
import {
  LocalEcsConfigError,
  parseFaultRule,
  STOP_CODES,
  throttlingStormSchema,
  type FaultRule,
} from './config';
import { NotFoundError, type LocalEcsService } from './service';

export const ADMIN_PREFIX = '/_local-ecs';

export interface AdminRequest {
  method: string;
  /** Path below ADMIN_PREFIX, e.g. `/stats`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface AdminResponse {
  status: number;
  body: unknown;
}

export const ADMIN_ROUTES = [
  'GET    /_local-ecs/health',
  'GET    /_local-ecs/stats',
  'POST   /_local-ecs/stats/reset',
  'GET    /_local-ecs/clusters',
  'POST   /_local-ecs/clusters/<name>/capacity   {"cpu"?, "memory"?}',
  'GET    /_local-ecs/tasks?cluster=&status=',
  'POST   /_local-ecs/tasks/interrupt            {"task", "cluster"?, "warningMs"?}',
  'POST   /_local-ecs/tasks/oom                  {"task", "cluster"?}',
  'POST   /_local-ecs/tasks/stop                 {"task", "cluster"?, "stopCode", "reason"?, "killAfterMs"?}',
  'POST   /_local-ecs/tasks/fail-to-start        {"task", "cluster"?, "reason"?}',
  'GET    /_local-ecs/faults',
  'POST   /_local-ecs/faults                     a fault rule, or an array of them',
  'DELETE /_local-ecs/faults',
  'POST   /_local-ecs/throttle                   {"durationMs", "actions"?, "probability"?, "startAfterMs"?, "error"?}',
];

const taskRef = { task: z.string().min(1), cluster: z.string().optional() };
const interruptBody = z.strictObject({ ...taskRef, warningMs: z.number().nonnegative().optional() });
const oomBody = z.strictObject(taskRef);
const stopBody = z.strictObject({
  ...taskRef,
  stopCode: z.enum(STOP_CODES),
  reason: z.string().optional(),
  killAfterMs: z.number().nonnegative().optional(),
});
const failBody = z.strictObject({ ...taskRef, reason: z.string().optional() });
const capacityBody = z.strictObject({
  cpu: z.number().int().nonnegative().optional(),
  memory: z.number().int().nonnegative().optional(),
});
const stormBody = throttlingStormSchema.omit({ type: true }).extend({
  type: z.literal('throttlingStorm').default('throttlingStorm'),
});

class BadRequest extends Error {}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new BadRequest(describeIssues(result.error, '(body)').join('; '));
}

const ok = (body: unknown): AdminResponse => ({ status: 200, body });

export function handleAdmin(service: LocalEcsService, req: AdminRequest): AdminResponse {
  try {
    return route(service, req);
  } catch (err) {
    if (err instanceof BadRequest || err instanceof LocalEcsConfigError) {
      return { status: 400, body: { error: err.message } };
    }
    if (err instanceof NotFoundError) return { status: 404, body: { error: err.message } };
    throw err;
  }
}

function taskAction(service: LocalEcsService, task: string, cluster: string | undefined, changed: boolean) {
  return ok({ changed, task: service.describeTaskByRef(task, cluster) });
}

function route(service: LocalEcsService, req: AdminRequest): AdminResponse {
  const { method, path, body } = req;
  const key = `${method} ${path.replace(/\/+$/, '') || '/'}`;
  switch (key) {
    case 'GET /':
      return ok({ routes: ADMIN_ROUTES });
    case 'GET /health':
      return ok({ ok: true });
    case 'GET /stats':
      return ok(service.snapshotStats());
    case 'POST /stats/reset':
      service.stats.reset();
      return ok(service.snapshotStats());
    case 'GET /clusters':
      return ok(service.snapshotStats().clusters);
    case 'GET /tasks':
      return ok({
        tasks: service.taskSummaries({
          cluster: req.query.get('cluster') ?? undefined,
          status: req.query.get('status') ?? undefined,
        }),
      });
    case 'POST /tasks/interrupt': {
      const b = parse(interruptBody, body);
      return taskAction(service, b.task, b.cluster, service.interruptTask(b.task, b));
    }
    case 'POST /tasks/oom': {
      const b = parse(oomBody, body);
      return taskAction(service, b.task, b.cluster, service.oomKillTask(b.task, b));
    }
    case 'POST /tasks/stop': {
      const b = parse(stopBody, body);
      return taskAction(service, b.task, b.cluster, service.stopTaskWithCode(b.task, b.stopCode, b));
    }
    case 'POST /tasks/fail-to-start': {
      const b = parse(failBody, body);
      return taskAction(service, b.task, b.cluster, service.failTaskStart(b.task, b));
    }
    case 'GET /faults':
      return ok({ rules: service.faultRules() });
    case 'POST /faults': {
      const rules: FaultRule[] = (Array.isArray(body) ? body : [body]).map((r) => parseFaultRule(r));
      for (const r of rules) service.addFault(r);
      return ok({ added: rules.length, rules: service.faultRules() });
    }
    case 'DELETE /faults':
      service.clearFaults();
      return ok({ rules: [] });
    case 'POST /throttle': {
      const storm = parse(stormBody, body);
      service.throttle(storm);
      return ok({ storm });
    }
  }
  const capacity = /^\/clusters\/([^/]+)\/capacity$/.exec(path);
  if (capacity && method === 'POST') {
    const change = parse(capacityBody, body);
    return ok(service.setClusterCapacity(decodeURIComponent(capacity[1] ?? ''), change));
  }
  return {
    status: 404,
    body: { error: `no admin route ${method} ${ADMIN_PREFIX}${path}`, routes: ADMIN_ROUTES },
  };
}
