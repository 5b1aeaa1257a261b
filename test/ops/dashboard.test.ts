// The Grafana dashboard (deploy/grafana/dashboards/wsi-orchestrator.json) is provisioned as a
// file and queries only what the processes serve. Every panel's query and every query
// variable parses with the PromQL grammar (after Grafana's own variables are replaced, as
// Grafana does before a query reaches Prometheus), and every metric a query names is in a
// real worker's /metrics scrape (the project's wsi_*, the bridge's wsi_bridge_*, the
// Temporal SDK's temporal_*) or is Prometheus's own `up`. Renaming a metric fails this test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startLocalStack, type LocalStack } from '../../dev/stack/local-stack';
import { PROJECT_ROOT } from '../../dev/tools/binaries';
import { freePort } from '../../src/util/net';
import { selectedMetrics, servedNames } from '../support/prometheus';
import { waitFor } from '../support/wait';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

const GRAFANA = path.join(PROJECT_ROOT, 'deploy', 'grafana');
const DASHBOARD_FILE = path.join(GRAFANA, 'dashboards', 'wsi-orchestrator.json');

/** Prometheus's own series for each scrape target, not served by any process. */
const PROMETHEUS_OWN = ['up'];

interface Target {
  refId: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  current?: { value?: string | string[] };
  allValue?: string;
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

interface Query {
  /** Where the query is: the panel's title and refId, or the variable. */
  where: string;
  expr: string;
}

function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Panels, with those of collapsed rows. */
function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** A query variable's PromQL: `label_values(<selector>, label)`'s selector, or the query itself. */
function variableExpr(v: Variable): string | undefined {
  const query = typeof v.query === 'string' ? v.query : v.query?.query;
  if (v.type !== 'query' || !query) return undefined;
  const labelValues = /^label_values\((.*),\s*[a-zA-Z_]\w*\)$/.exec(query.trim());
  if (labelValues) return labelValues[1];
  if (/^label_values\(\s*[a-zA-Z_]\w*\s*\)$/.test(query.trim())) return undefined;
  const queryResult = /^query_result\((.*)\)$/.exec(query.trim());
  return queryResult ? queryResult[1] : query;
}

/** Every PromQL query of the dashboard: its panels' targets and its query variables. */
function dashboardQueries(d: Dashboard): Query[] {
  const targets = allPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr ?? '' })),
  );
  const variables = d.templating.list.flatMap((v) => {
    const expr = variableExpr(v);
    return expr === undefined ? [] : [{ where: `variable $${v.name}`, expr }];
  });
  return [...targets, ...variables];
}

/**
 * The query as Grafana sends it: its interval variables become a duration, the dashboard's
 * variables their default (a multi-value one its "All" regex). An unknown variable is left
 * as it is, so it fails to parse.
 */
function interpolate(expr: string, variables: Variable[]): string {
  const values = new Map<string, string>([
    ['__rate_interval', '1m'],
    ['__interval', '1m'],
    ['__range', '1h'],
    ['__interval_ms', '60000'],
    ['__range_s', '3600'],
    ['__range_ms', '3600000'],
  ]);
  for (const v of variables) {
    const current = v.current?.value;
    const value = Array.isArray(current) || current === '$__all' ? (v.allValue ?? '.*') : current;
    if (value !== undefined) values.set(v.name, value);
  }
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a, b, c) => {
    const name = (a ?? b ?? c) as string;
    return values.get(name) ?? whole;
  });
}

/** Metrics the queries name that `served` does not hold; throws on a query that does not parse. */
function unservedMetrics(
  queries: Query[],
  variables: Variable[],
  served: Set<string>,
): { where: string; metric: string }[] {
  return queries.flatMap((q) =>
    selectedMetrics(interpolate(q.expr, variables))
      .filter((metric) => !served.has(metric))
      .map((metric) => ({ where: q.where, metric })),
  );
}

/** Metric names the dashboard's queries select. */
function namedMetrics(d: Dashboard): Set<string> {
  return new Set(dashboardQueries(d).flatMap((q) => selectedMetrics(interpolate(q.expr, d.templating.list))));
}

describe('the Grafana dashboard', () => {
  const dashboard = loadDashboard();
  const variables = dashboard.templating.list;

  test('is a dashboard for file provisioning on a current Grafana, bound to the provisioned Prometheus', () => {
    expect(dashboard.uid).toBe('wsi-orchestrator');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    // The datasource is the variable `datasource`, whose default is the provisioned datasource's uid.
    const provisioned = parseYaml(
      readFileSync(path.join(GRAFANA, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
    ) as { datasources: { uid: string; type: string }[] };
    const datasource = variables.find((v) => v.name === 'datasource');
    expect(datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(provisioned.datasources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', uid: datasource?.current?.value }),
    );
    const panels = allPanels(dashboard).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(20);
    for (const p of panels) {
      expect({ panel: p.title, datasource: p.datasource?.uid }).toEqual({
        panel: p.title,
        datasource: '${datasource}',
      });
      expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({
        panel: p.title,
        targets: true,
      });
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
      expect(p.description ?? '').not.toBe('');
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    const ids = allPanels(dashboard).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The dashboard provider reads the directory docker-compose.yml mounts the dashboards at.
    const provider = parseYaml(
      readFileSync(path.join(GRAFANA, 'provisioning', 'dashboards', 'wsi.yml'), 'utf8'),
    ) as { providers: { type: string; options: { path: string } }[] };
    expect(provider.providers).toContainEqual(
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/etc/grafana/dashboards' }),
      }),
    );
  });

  test('every query parses with the PromQL grammar', () => {
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(40);
    for (const q of queries) {
      expect(q.expr).not.toBe('');
      let error = '';
      try {
        selectedMetrics(interpolate(q.expr, variables));
      } catch (e) {
        error = (e as Error).message;
      }
      expect({ where: q.where, error }).toEqual({ where: q.where, error: '' });
    }
  });

  test("shows the issue's picture: slides, the budget, admission, launches, RunTask, relaunches, cost, the bridge, workers", () => {
    const named = namedMetrics(dashboard);
    for (const metric of [
      'wsi_slides_total',
      'wsi_budget_tasks_limit',
      'wsi_budget_tasks_in_flight',
      'wsi_budget_waiting_launches',
      'wsi_admission_oldest_wait_seconds',
      'wsi_launches_total',
      'wsi_budget_grants_per_second',
      'wsi_runtask_calls_total',
      'wsi_runtask_failures_total',
      'wsi_relaunches_total',
      'wsi_task_seconds_total',
      'wsi_cost_dollars_total',
      'wsi_slide_task_seconds_bucket',
      'wsi_orphan_tasks_total',
      'wsi_bridge_messages_received_total',
      'wsi_bridge_workflows_started_total',
      'wsi_bridge_messages_rejected_total',
      'wsi_bridge_in_flight',
      'up',
      'wsi_worker_tasks_supervised',
      'wsi_process_process_resident_memory_bytes',
      'temporal_num_pollers',
    ]) {
      expect({ metric, named: named.has(metric) }).toEqual({ metric, named: true });
    }
    // No per-phase metric exists: the panel says so rather than query an invented one.
    const phase = allPanels(dashboard).find((p) => p.title === 'Slides by phase');
    expect(phase?.description).toContain('No metric counts slides per phase');
  });

  test('the checks catch a query that does not parse, and a metric nobody serves', () => {
    const served = new Set(['wsi_launches_total']);
    expect(() =>
      unservedMetrics([{ where: 'x', expr: 'sum(rate(wsi_launches_total[5m])' }], variables, served),
    ).toThrow('not valid PromQL');
    // A Grafana variable nobody defines is left in place, and is not PromQL.
    expect(() =>
      unservedMetrics([{ where: 'x', expr: 'rate(wsi_launches_total[$nope])' }], variables, served),
    ).toThrow('not valid PromQL');
    expect(
      unservedMetrics(
        [{ where: 'x', expr: 'sum(rate(wsi_does_not_exist{cluster=~"$cluster"}[$__rate_interval]))' }],
        variables,
        served,
      ),
    ).toEqual([{ where: 'x', metric: 'wsi_does_not_exist' }]);
  });
});

describe("the dashboard against a real worker's /metrics", () => {
  let stack: LocalStack;
  let worker: WorkerProcess;
  let served: Set<string>;
  const dashboard = loadDashboard();
  const variables = dashboard.templating.list;

  beforeAll(async () => {
    stack = await startLocalStack();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    worker = await startWorkerProcess({ ...stack.env, METRICS_ADDRESS: `127.0.0.1:${port}` });
    // Ready: its workers poll, so the SDK's poller and slot metrics exist.
    await waitFor('the worker to be ready', async () => (await fetch(`${base}/readyz`)).status === 200);
    const scrape = await (await fetch(`${base}/metrics`)).text();
    served = new Set([...servedNames(scrape), ...PROMETHEUS_OWN]);
  });

  afterAll(async () => {
    worker?.kill('SIGTERM');
    await worker?.exited;
    await stack?.close();
  });

  test("the scrape carries the project's, the bridge's and the SDK's metrics", () => {
    expect(served).toContain('wsi_launches_total');
    expect(served).toContain('wsi_slide_task_seconds_bucket');
    expect(served).toContain('wsi_bridge_messages_rejected_total');
    expect([...served].some((n) => n.startsWith('temporal_'))).toBe(true);
  });

  test('every metric a query names is served', () => {
    expect(unservedMetrics(dashboardQueries(dashboard), variables, served)).toEqual([]);
  });

  test('renaming a metric fails the check', () => {
    const renamed = JSON.parse(
      JSON.stringify(dashboard).replaceAll('wsi_budget_tasks_limit', 'wsi_budget_task_limit'),
    ) as Dashboard;
    const unserved = unservedMetrics(dashboardQueries(renamed), variables, served);
    expect(unserved.length).toBeGreaterThan(0);
    expect(new Set(unserved.map((u) => u.metric))).toEqual(new Set(['wsi_budget_task_limit']));
    // And a made-up name in the real served set.
    expect(unservedMetrics([{ where: 'x', expr: 'wsi_does_not_exist' }], variables, served)).toEqual([
      { where: 'x', metric: 'wsi_does_not_exist' },
    ]);
  });
});
