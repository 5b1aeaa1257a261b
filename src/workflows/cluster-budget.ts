// clusterBudget: one long-running workflow per ECS cluster that holds the cluster's
// concurrency budget for every worker. A slide takes a lease before RunTask (the acquire
// update, asked by the admitLaunch activity) and returns it once its task is STOPPED (the
// release signal, sent by processSlide). Leases belong to slides, not to workers, so a
// worker that dies takes nothing with it: its slides' tasks keep their leases until another
// worker reattaches and sees them stop. Every BUDGET_REFRESH it reads the cluster (capacity,
// other tenants' tasks) and drops leases of slide runs that closed without releasing.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import type { BudgetActivities } from '../activities/api';
import { acquireUpdate, budgetQuery, releaseSignal } from './budget-definitions';
import { describeBudget, dropClosed, emptyLedger, grant, refusal, release, view } from './budget-ledger';
import type { ClusterBudgetInput } from './budget-types';

const { readCluster } = proxyLocalActivities<BudgetActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/** Continue-as-new well before Temporal's limits (2,000 updates and ~50k events per run). */
const MAX_GRANTS_PER_RUN = 500;
const MAX_EVENTS_PER_RUN = 5_000;

export async function clusterBudget(input: ClusterBudgetInput): Promise<void> {
  const ledger = input.ledger ?? emptyLedger(input.cluster);
  let grantsThisRun = 0;
  let lastLogged = '';

  setHandler(budgetQuery, () => view(ledger));
  setHandler(
    acquireUpdate,
    (req) => {
      // Two acquires validated in one activation may both have passed: check again.
      const why = refusal(ledger, req);
      if (why) throw ApplicationFailure.retryable(`no room on ${ledger.cluster}: ${why}`, 'BudgetFullError');
      const before = ledger.granted;
      const lease = grant(ledger, req, Date.now());
      if (ledger.granted > before) grantsThisRun++;
      return lease;
    },
    {
      validator: (req) => {
        if (!req || typeof req.holder !== 'string' || !(req.cpu >= 0) || !(req.memory >= 0))
          throw new Error('acquire needs {holder, runId, launch, cpu, memory}');
        const why = refusal(ledger, req);
        if (why) throw new Error(`no room on ${ledger.cluster}: ${why}`);
      },
    },
  );
  setHandler(releaseSignal, ({ holder, runId, launch }) => {
    release(ledger, holder, runId, launch);
  });

  const report = (): void => {
    const line = describeBudget(view(ledger));
    const limits = ledger.limits;
    const summary = `${limits?.tasks}|${limits?.cpu}|${limits?.memory}`;
    if (summary !== lastLogged) {
      log.info(`budget: ${line}`);
      upsertMemo({ budget: line });
      lastLogged = summary;
    }
  };

  for (;;) {
    const reading = await readCluster({
      cluster: ledger.cluster,
      holders: Object.values(ledger.leases).map(({ holder, runId, grantedAt }) => ({
        holder,
        runId,
        grantedAt,
      })),
    });
    ledger.limits = reading.limits;
    const dropped = dropClosed(ledger, reading.closed);
    if (dropped > 0)
      log.warn(`budget: dropped ${dropped} lease(s) of slide runs that closed without releasing`);
    report();

    const info = workflowInfo();
    if (
      info.continueAsNewSuggested ||
      info.historyLength > MAX_EVENTS_PER_RUN ||
      grantsThisRun >= MAX_GRANTS_PER_RUN
    ) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof clusterBudget>({ cluster: ledger.cluster, ledger });
    }
    // Wake early when this run nears its limits, so a burst of grants cannot outgrow it.
    await condition(() => grantsThisRun >= MAX_GRANTS_PER_RUN, reading.nextReadMs);
  }
}
