// recoverLeases: a budget started after its previous run was terminated takes over that
// run's leases. A closed run still answers queries (the server replays its history on a
// worker), so its `budget` query gives the leases it held when it was stopped: every slide
// that was granted a lease and may have launched, or be about to launch, a task.
import type { Client } from '@temporalio/client';
import { budgetQuery, budgetWorkflowId } from '../workflows/budget-definitions';
import type { RecoveredLeases, RecoverLeasesInput } from '../workflows/budget-types';

export interface RecoverLeasesDeps {
  client: Client;
}

export async function recoverLeases(
  deps: RecoverLeasesDeps,
  input: RecoverLeasesInput,
): Promise<RecoveredLeases> {
  const v = await deps.client.workflow
    .getHandle(budgetWorkflowId(input.cluster), input.runId)
    .query(budgetQuery);
  return { leases: v.leases, granted: v.granted, released: v.released, events: v.events ?? 0 };
}
