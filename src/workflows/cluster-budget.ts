// clusterBudget: one long-running workflow per ECS cluster that holds the cluster's
// concurrency budget for every worker. Launches wait for a lease in grant rounds: each
// worker's admission gate sends one `grantRound` update carrying every launch waiting on
// that worker, and the update's handler waits here until the budget grants some of them
// (or the worker ends the round early for a more urgent launch, the endRound signal).
// Grants are pushed (a release wakes the waiting rounds in the same workflow task), never
// polled for, so the budget's work per slide is constant however long the backlog: the
// backlog itself waits in Temporal's matching, on the admission task queue. A slide returns
// its lease once its task is STOPPED (the release signal). Leases belong to slides, not to
// workers, so a worker that dies takes nothing with it. Every BUDGET_REFRESH the budget reads
// the cluster (capacity, other tenants' tasks), drops leases of slide runs that closed
// without releasing, and ends the rounds then open (their workers ask again, which clears
// the launches of a worker that died).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import type { BudgetActivities } from '../activities/api';
import {
  acquireUpdate,
  BUDGET_MOVING,
  budgetQuery,
  endRoundSignal,
  grantRoundUpdate,
  releaseSignal,
} from './budget-definitions';
import {
  allocate,
  compactTurns,
  describeBudget,
  dropClosed,
  emptyLedger,
  grant,
  heldBy,
  refusal,
  release,
  view,
  type Ledger,
  type QueuedLaunch,
} from './budget-ledger';
import type { ClusterBudgetInput, GrantRoundRequest, Lease } from './budget-types';

const { readCluster } = proxyLocalActivities<BudgetActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});
// A terminated run that cannot be replayed (the usual reason to terminate one) cannot answer
// its query either: give up after a few tries rather than block admission for ever.
const { recoverLeases } = proxyLocalActivities<BudgetActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5 },
});

/** Continue-as-new well before Temporal's limits (~50k events, 50 MB per run). */
const MAX_GRANTS_PER_RUN = 2_000;
const MAX_EVENTS_PER_RUN = 10_000;
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;
/** Runs started before grant rounds continued-as-new at these: replays keep them. */
const PATCH_GRANT_ROUNDS = 'grant-rounds';
const LEGACY_LIMITS = { grants: 500, events: 5_000 };

export async function clusterBudget(input: ClusterBudgetInput): Promise<void> {
  const ledger: Ledger = input.ledger ?? emptyLedger(input.cluster);
  let grantsThisRun = 0;
  let lastLogged = '';
  /** Launches waiting in the open grant rounds, of every worker. */
  let queue: QueuedLaunch[] = [];
  /** The open round of each waiter (a worker has one at a time; a newer one replaces it). */
  const openRound = new Map<string, number>();
  /** The highest round number each waiter asked to end (its rounds up to it answer at once). */
  const endedUpTo = new Map<string, number>();
  let rounds = 0;
  /** Counts the budget's readings: a round ends at the next one. */
  let readings = 0;
  let moving = false;

  /** Grants what fits to the waiting launches; their rounds see it when conditions are checked. */
  const allocateQueue = (): void => {
    if (queue.length === 0 || !ledger.limits) return;
    const granted = allocate(ledger, queue, Date.now());
    if (granted.length === 0) return;
    grantsThisRun += granted.length;
    const done = new Set(granted);
    queue = queue.filter((q) => !done.has(q));
  };

  setHandler(budgetQuery, () => view(ledger, queue, workflowInfo().historyLength, Date.now()));
  setHandler(
    grantRoundUpdate,
    async (req: GrantRoundRequest) => {
      const round = ++rounds;
      const startedAtReading = readings;
      // Asked to end before it arrived (the signal overtook the update): answer at once.
      const endedEarly = (): boolean =>
        req.round !== undefined && (endedUpTo.get(req.waiter) ?? 0) >= req.round;
      // This round replaces the waiter's older one: its launches are all the waiter has.
      openRound.set(req.waiter, round);
      queue = queue.filter((q) => q.waiter !== req.waiter);
      const mine = req.launches.map((l) => ({ ...l, waiter: req.waiter }));
      const held = (): Lease[] => mine.map((m) => heldBy(ledger, m)).filter((l): l is Lease => !!l);
      const already = held().length > 0;
      if (!already) {
        queue.push(...mine);
        allocateQueue();
      }
      await condition(
        () =>
          moving ||
          endedEarly() ||
          openRound.get(req.waiter) !== round ||
          readings !== startedAtReading ||
          held().length > 0,
      );
      if (openRound.get(req.waiter) === round) {
        openRound.delete(req.waiter);
        queue = queue.filter((q) => q.waiter !== req.waiter);
      }
      const granted = held();
      const left = mine.find((m) => !heldBy(ledger, m));
      return {
        granted,
        ...(left ? { waiting: refusal(ledger, left) ?? 'waiting for its turn' } : {}),
        queued: queue.length,
      };
    },
    {
      validator: (req) => {
        if (!req || typeof req.waiter !== 'string' || !Array.isArray(req.launches))
          throw new Error('grantRound needs {waiter, launches: [{holder, runId, launch, cpu, memory, ...}]}');
        for (const l of req.launches) {
          if (!l || typeof l.holder !== 'string' || !(l.cpu >= 0) || !(l.memory >= 0))
            throw new Error(
              'each launch needs {holder, runId, launch, cpu, memory, priority, source, since}',
            );
        }
        if (moving)
          throw ApplicationFailure.create({
            message: 'the budget is moving to a new run',
            type: BUDGET_MOVING,
          });
      },
    },
  );
  // Kept for workers of the previous release during a rolling deploy: they ask one launch at a
  // time and poll. Refused asks write nothing to the history.
  setHandler(
    acquireUpdate,
    (req) => {
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
  setHandler(endRoundSignal, ({ waiter, round }) => {
    // The round returns what it has; the worker's next round carries its launches.
    if (round !== undefined) endedUpTo.set(waiter, Math.max(round, endedUpTo.get(waiter) ?? 0));
    openRound.delete(waiter);
    queue = queue.filter((q) => q.waiter !== waiter);
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

  if (input.previousRunId && !input.ledger) {
    // The previous run closed without handing its leases on (terminated): take them over
    // before granting anything, so tasks already launched or about to be stay counted.
    try {
      const recovered = await recoverLeases({ cluster: ledger.cluster, runId: input.previousRunId });
      for (const lease of recovered.leases) ledger.leases[lease.holder] = lease;
      ledger.granted = recovered.granted;
      ledger.released = recovered.released;
      ledger.eventsBefore = recovered.events;
      log.warn(
        `budget: took over ${recovered.leases.length} lease(s) from run ${input.previousRunId}, which closed without continuing`,
      );
    } catch (err) {
      // Live tasks of ours without a lease still count against the budget (readCluster);
      // only leases granted and not yet launched are unknown to this run.
      log.error(
        `budget: could not take over the leases of run ${input.previousRunId}: ${(err as Error).message}; starting from the cluster's live tasks`,
      );
    }
  }
  // Registered after the takeover: a release that arrives meanwhile waits for the leases it
  // releases (signals without a handler are buffered).
  setHandler(releaseSignal, ({ holder, runId, launch }) => {
    if (release(ledger, holder, runId, launch)) allocateQueue();
  });

  // Runs started before grant rounds replay with their own limits and wait.
  const grantRounds = patched(PATCH_GRANT_ROUNDS);
  const limits = grantRounds
    ? { grants: MAX_GRANTS_PER_RUN, events: MAX_EVENTS_PER_RUN, bytes: MAX_HISTORY_BYTES }
    : { ...LEGACY_LIMITS, bytes: Infinity };
  const runIsFull = (): boolean => {
    const info = workflowInfo();
    return (
      grantsThisRun >= limits.grants ||
      info.continueAsNewSuggested ||
      info.historyLength > limits.events ||
      info.historySize > limits.bytes
    );
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
    // Open rounds end now: their workers ask again with what still waits on them.
    readings++;
    allocateQueue();

    if (runIsFull()) {
      moving = true;
      await condition(allHandlersFinished);
      compactTurns(ledger, []);
      ledger.eventsBefore = (ledger.eventsBefore ?? 0) + workflowInfo().historyLength;
      await continueAsNew<typeof clusterBudget>({ cluster: ledger.cluster, ledger });
    }
    // Wake early when this run nears its limits, so a burst of grants cannot outgrow it.
    await (grantRounds
      ? condition(runIsFull, reading.nextReadMs)
      : condition(() => grantsThisRun >= limits.grants, reading.nextReadMs));
  }
}
