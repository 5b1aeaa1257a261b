// A real worker process (`slides worker`) with METRICS_ADDRESS on the local stack: its
// health endpoints answer, its /metrics carries the Temporal SDK's metrics and the project's,
// and the project's move as slides run (launches, an OOM relaunch, RunTask results, slides,
// task-seconds, cost, the cluster budget). The shipped alert rules parse as PromQL and name
// only metrics this scrape shows.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createEcsClient } from '../../src/aws/clients';
import { submitSlide } from '../../src/cli/submit';
import { slideWorkflowId } from '../../src/slides/identity';
import {
  registerTaskDefinition,
  simulatedContainer,
  SLIDES_BUCKET,
  startLocalStack,
  type LocalStack,
} from '../../dev/stack/local-stack';
import { PROJECT_ROOT } from '../../dev/tools/binaries';
import { freePort } from '../../src/util/net';
import type { SlideResult } from '../../src/workflows/types';
import { samples, selectedMetrics, total } from '../support/prometheus';
import { putSlide } from '../support/stack';
import { waitFor } from '../support/wait';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const SIM = 'metrics-sim';

describe('a worker serves metrics and health', () => {
  let stack: LocalStack;
  let worker: WorkerProcess;
  let base: string;

  beforeAll(async () => {
    stack = await startLocalStack();
    await registerTaskDefinition(
      createEcsClient(stack.env),
      SIM,
      simulatedContainer({ SIM_DURATION_MS: '1500' }),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = await startWorkerProcess({
      ...stack.env,
      ECS_TASK_DEFINITION: SIM,
      ECS_POLL_INTERVAL: '200ms',
      PROGRESS_INTERVAL: '200ms',
      METRICS_ADDRESS: `127.0.0.1:${port}`,
      ECS_MAX_TASKS: '6',
    });
  });

  afterAll(async () => {
    worker?.kill('SIGTERM');
    await worker?.exited;
    await stack?.close();
  });

  const get = async (p: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${base}${p}`);
    return { status: res.status, text: await res.text() };
  };

  test('/healthz answers, /readyz says ready once the workers poll', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, text: 'ok\n' });
    await waitFor('the worker to be ready', async () => (await get('/readyz')).status === 200);
    expect((await get('/readyz')).text).toContain('ready');
    // The container health check the Dockerfile and docker-compose.yml run.
    const check = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'healthcheck.js'), '/readyz'], {
      env: { ...process.env, METRICS_ADDRESS: base.replace('http://', '') },
    });
    expect(check.status).toBe(0);
  });

  test("the project's metrics move as slides run, beside the SDK's own", async () => {
    const before = (await get('/metrics')).text;
    expect(total(before, 'wsi_slides_total')).toBe(0);

    stack.localEcs.addFaultRule({ type: 'oom', times: 1, afterRunningMs: 200 });
    const ids: string[] = [];
    for (const key of ['metrics/a.tif', 'metrics/b.tif']) {
      await putSlide(stack, key);
      const id = slideWorkflowId(SLIDES_BUCKET, key);
      await submitSlide(stack.client, 'slides', { bucket: SLIDES_BUCKET, key }, id);
      ids.push(id);
    }
    const results = (await Promise.all(
      ids.map((id) => stack.client.workflow.getHandle(id).result()),
    )) as SlideResult[];
    expect(results.map((r) => r.launches).sort()).toEqual([1, 2]);
    for (const r of results) expect(r.cost).toBeGreaterThan(0);

    // Sink calls reach the worker's metrics once the workflow task completes: wait for them.
    let after = '';
    await waitFor('both slides in wsi_slides_total', async () => {
      after = (await get('/metrics')).text;
      return total(after, 'wsi_slides_total', 'result="succeeded"') === 2;
    });
    expect(total(after, 'wsi_launches_total')).toBe(3);
    expect(total(after, 'wsi_relaunches_total', 'cause="out-of-memory"')).toBe(1);
    expect(total(after, 'wsi_runtask_calls_total', 'result="placed"')).toBe(3);
    expect(total(after, 'wsi_task_outcomes_total', 'outcome="out-of-memory"')).toBe(1);
    expect(total(after, 'wsi_task_outcomes_total', 'outcome="success"')).toBe(2);
    expect(total(after, 'wsi_task_seconds_total')).toBeGreaterThan(0);
    expect(total(after, 'wsi_cost_dollars_total')).toBeCloseTo(
      results.reduce((sum, r) => sum + (r.cost ?? 0), 0),
      5,
    );
    expect(total(after, 'wsi_slide_duration_seconds_count', 'result="succeeded"')).toBe(2);
    expect(total(after, 'wsi_slide_task_seconds_count')).toBe(2);
    expect(total(after, 'wsi_budget_tasks_limit', 'cluster="default"')).toBe(6);
    expect(total(after, 'wsi_budget_cpu_limit', 'cluster="default"')).toBeGreaterThan(0);
    expect(total(after, 'wsi_budget_tasks_in_flight', 'cluster="default"')).toBe(0);
    // Admission: grants in the last minute, and the admission queue's backlog (empty now).
    expect(total(after, 'wsi_budget_grants_per_second', 'cluster="default"')).toBeGreaterThan(0);
    expect(samples(after).filter((s) => s.name === 'wsi_admission_backlog')).toEqual([
      expect.objectContaining({ value: 0 }),
    ]);
    // The SDK's own, from its exporter behind the same port.
    expect(samples(after).some((s) => s.name.startsWith('temporal_'))).toBe(true);
  });

  test('the alert rules parse and name only metrics the worker serves', async () => {
    const text = (await get('/metrics')).text;
    if (process.env.METRICS_SCRAPE_FILE) writeFileSync(process.env.METRICS_SCRAPE_FILE, text);
    const served = new Set(samples(text).map((s) => s.name));
    const rules = parseYaml(
      readFileSync(path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8'),
    ) as { groups: { rules: { alert: string; expr: string; for?: string }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'WsiTasksNearBudget',
        'WsiRunTaskFailureRate',
        'WsiTaskFailureRate',
        'WsiSlidesWaitingTooLong',
        'WsiOrphanTasks',
        'WsiWorkerDown',
      ]),
    );
    for (const rule of all) {
      for (const name of selectedMetrics(rule.expr)) {
        // `up` is Prometheus's own, per scrape target; the waiting gauge appears once a launch waits.
        if (name === 'up' || name === 'wsi_admission_oldest_wait_seconds') continue;
        expect({ alert: rule.alert, metric: name, served: served.has(name) }).toEqual({
          alert: rule.alert,
          metric: name,
          served: true,
        });
      }
    }
  });
});
