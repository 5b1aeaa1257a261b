// The project's own Prometheus metrics, every name in one place (docs/operations.md lists
// them, and the alert rules in deploy/prometheus/alerts.yml use them). prom-client keeps
// them; the worker's /metrics serves them beside the Temporal SDK's own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { defineBridgeMetrics } from './bridge-metrics';

/** Slide durations span minutes to two days. */
const DURATION_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400, 172_800];

export function createProjectMetrics() {
  const registry = new Registry();
  // Process CPU, memory, event-loop lag, start time: a worker's own health.
  collectDefaultMetrics({ register: registry, prefix: 'wsi_process_' });
  const registers = [registry];
  return {
    registry,
    runTaskCalls: new Counter({
      name: 'wsi_runtask_calls_total',
      help: 'RunTask calls by result: placed, failures (failures[] only), throttled, error',
      labelNames: ['result'],
      registers,
    }),
    runTaskFailures: new Counter({
      name: 'wsi_runtask_failures_total',
      help: 'RunTask failures[] entries by reason (RESOURCE:MEMORY, AGENT, ...)',
      labelNames: ['reason'],
      registers,
    }),
    launches: new Counter({
      name: 'wsi_launches_total',
      help: 'Launches of slide tasks (first launches and relaunches) by cluster and tier',
      labelNames: ['cluster', 'tier'],
      registers,
    }),
    relaunches: new Counter({
      name: 'wsi_relaunches_total',
      help: 'Relaunches by cause: out-of-memory, interrupted, start-failure, app-error, stuck',
      labelNames: ['cluster', 'cause'],
      registers,
    }),
    taskOutcomes: new Counter({
      name: 'wsi_task_outcomes_total',
      help: 'Ended launches by outcome: success, out-of-memory, interrupted, start-failure, app-error, permanent-error, stuck, error',
      labelNames: ['cluster', 'outcome'],
      registers,
    }),
    taskSeconds: new Counter({
      name: 'wsi_task_seconds_total',
      help: 'Seconds ECS tasks ran, by tier',
      labelNames: ['tier'],
      registers,
    }),
    cost: new Counter({
      name: 'wsi_cost_dollars_total',
      help: 'Estimated cost of ECS tasks in USD (Fargate prices; spot launches at FARGATE_SPOT_PRICE_RATIO)',
      labelNames: ['tier', 'spot'],
      registers,
    }),
    slides: new Counter({
      name: 'wsi_slides_total',
      help: 'Slides ended, by result: succeeded, failed, cancelled',
      labelNames: ['result'],
      registers,
    }),
    slideDuration: new Histogram({
      name: 'wsi_slide_duration_seconds',
      help: 'Wall time of a slide from start to end, by final tier and result',
      labelNames: ['tier', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    slideTaskSeconds: new Histogram({
      name: 'wsi_slide_task_seconds',
      help: 'Task-seconds of a slide over all its launches, by final tier',
      labelNames: ['tier'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    budgetTasksInFlight: new Gauge({
      name: 'wsi_budget_tasks_in_flight',
      help: 'Tasks in flight on the cluster under its budget (the clusterBudget workflow)',
      labelNames: ['cluster'],
      registers,
    }),
    budgetTasksLimit: new Gauge({
      name: 'wsi_budget_tasks_limit',
      help: "The cluster budget's task limit (absent when only CPU and memory limit it)",
      labelNames: ['cluster'],
      registers,
    }),
    budgetCpuInFlight: new Gauge({
      name: 'wsi_budget_cpu_in_flight',
      help: 'CPU units leased on the cluster',
      labelNames: ['cluster'],
      registers,
    }),
    budgetCpuLimit: new Gauge({
      name: 'wsi_budget_cpu_limit',
      help: "The cluster budget's CPU units",
      labelNames: ['cluster'],
      registers,
    }),
    orphanTasks: new Counter({
      name: 'wsi_orphan_tasks_total',
      help: 'Tasks of ours whose workflow run had closed, by action: stopped, reported (ORPHAN_DRY_RUN), failed (StopTask failed)',
      labelNames: ['cluster', 'action'],
      registers,
    }),
    budgetGrantsPerSecond: new Gauge({
      name: 'wsi_budget_grants_per_second',
      help: "Leases the cluster budget granted per second over the last minute (admission's throughput)",
      labelNames: ['cluster'],
      registers,
    }),
    budgetWaitingLaunches: new Gauge({
      name: 'wsi_budget_waiting_launches',
      help: "Launches waiting in the workers' grant rounds at the cluster budget, by priority and source",
      labelNames: ['cluster', 'priority', 'source'],
      registers,
    }),
    admissionBacklog: new Gauge({
      name: 'wsi_admission_backlog',
      help: 'Launches queued in the admission task queue, not yet in a worker (approximate, from Temporal)',
      labelNames: ['task_queue'],
      registers,
    }),
    admissionOldestWait: new Gauge({
      name: 'wsi_admission_oldest_wait_seconds',
      help: 'How long the oldest launch waiting for a lease on this worker has waited (0: none waits)',
      labelNames: ['cluster'],
      registers,
    }),
    tasksSupervised: new Gauge({
      name: 'wsi_worker_tasks_supervised',
      help: 'ECS tasks this worker supervises now (runEcsTask activities running)',
      registers,
    }),
    // The bridge's, when it runs in this process (`npm start`).
    ...defineBridgeMetrics(registers),
  };
}

export type ProjectMetrics = ReturnType<typeof createProjectMetrics>;
