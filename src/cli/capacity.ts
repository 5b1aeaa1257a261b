// `slides capacity`: the cluster budget as its workflow holds it, and how many slides wait.
import type { Client } from '@temporalio/client';
import { readBudget } from '../budget/budget-client';
import { describeBudget } from '../workflows/budget-ledger';
import type { BudgetView } from '../workflows/budget-types';
import { WORKFLOW_TYPE } from '../workflows/definitions';

export interface CapacityReport {
  budget: BudgetView;
  /** Slides waiting for a lease, from Temporal's visibility store (it can lag a few seconds). */
  waiting: number;
}

export async function readCapacity(client: Client, cluster: string): Promise<CapacityReport> {
  const budget = await readBudget(client, cluster);
  const { count } = await client.workflow.count(
    `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SlidePhase = 'QUEUED'`,
  );
  return { budget, waiting: count };
}

export function describeCapacity({ budget, waiting }: CapacityReport): string {
  const lines = [
    describeBudget(budget),
    `  waiting   ${waiting} slide(s) queued for a lease (all clusters)`,
    `  leases    ${budget.granted} granted, ${budget.released} released since the budget started`,
  ];
  if (budget.limits) lines.push(`  read at   ${new Date(budget.limits.readAt).toISOString()}`);
  return lines.join('\n');
}
