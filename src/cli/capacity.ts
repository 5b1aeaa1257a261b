// `slides capacity`: the cluster budget as its workflow holds it, and how many slides wait.
import type { Client } from '@temporalio/client';
import { admissionBacklog } from '../budget/admission-backlog';
import { readBudget } from '../budget/budget-client';
import { describeBudget } from '../workflows/budget-ledger';
import type { BudgetView } from '../workflows/budget-types';
import { DEFAULT_ADMISSION_TASK_QUEUE, WORKFLOW_TYPE } from '../workflows/definitions';

export interface CapacityReport {
  budget: BudgetView;
  /** Slides waiting for a lease, from Temporal's visibility store (it can lag a few seconds). */
  waiting: number;
  /** Launches queued in the admission task queue, not yet in a worker's grant round (approximate). */
  backlog?: number;
  admissionTaskQueue: string;
}

export async function readCapacity(
  client: Client,
  cluster: string,
  admissionTaskQueue = DEFAULT_ADMISSION_TASK_QUEUE,
): Promise<CapacityReport> {
  const [budget, { count }, backlog] = await Promise.all([
    readBudget(client, cluster),
    client.workflow.count(
      `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SlidePhase = 'QUEUED'`,
    ),
    admissionBacklog(client, admissionTaskQueue).catch(() => undefined),
  ]);
  return { budget, waiting: count, backlog, admissionTaskQueue };
}

export function describeCapacity({ budget, waiting, backlog, admissionTaskQueue }: CapacityReport): string {
  const now = Date.now();
  const atBudget = budget.waiting.reduce((n, w) => n + w.count, 0);
  const lines = [
    describeBudget(budget),
    `  admission ${budget.grantsPerSecond.toFixed(1)} grants/s over the last minute`,
    `  waiting   ${waiting} slide(s) queued for a lease (all clusters)`,
    `    ${backlog ?? '?'} in task queue ${admissionTaskQueue} (approximate), ${atBudget} in workers' grant rounds${atBudget ? ':' : ''}`,
    ...budget.waiting.map(
      (w) =>
        `      priority ${w.priority}  ${w.source}  ${w.count}  (oldest waiting ${Math.max(0, Math.round((now - w.oldestSince) / 1000))} s)`,
    ),
    `  leases    ${budget.granted} granted, ${budget.released} released since the budget started`,
    `  cost      ${budget.events} events in the budget's history over all its runs`,
  ];
  if (budget.limits) lines.push(`  read at   ${new Date(budget.limits.readAt).toISOString()}`);
  return lines.join('\n');
}
