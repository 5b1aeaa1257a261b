// The worker's side of admission: every launch waiting on this worker for one cluster goes
// to the cluster's budget in one grant round (one update, however many launches), and the
// budget answers when it grants some. So a waiting launch costs the budget nothing while it
// waits, a freed lease reaches a waiting launch in the workflow task that sees the release,
// and a worker has one update in flight per cluster (two for an instant when a more urgent
// launch supersedes its round), well under Temporal's limit of in-flight updates per
// workflow. Rounds are sent back to back while launches wait: no sleep, no backoff.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Settings } from '../settings/settings';
import {
  BUDGET_MOVING,
  budgetWorkflowId,
  endRoundSignal,
  grantRoundUpdate,
} from '../workflows/budget-definitions';
import type { GrantRoundResult, Lease, WaitingLaunch } from '../workflows/budget-types';
import { startClusterBudget } from './budget-client';

interface Waiting {
  launch: WaitingLaunch;
  resolve(lease: Lease): void;
  reject(err: unknown): void;
}

/** Rounds refused in a row while the budget continues-as-new before the gate gives up on them. */
const MAX_MOVING_REFUSALS = 100;

const keyOf = (l: { holder: string; runId: string; launch: number }): string =>
  `${l.holder}|${l.runId}|${l.launch}`;

export class AdmissionGate {
  private readonly waiting = new Map<string, Waiting>();
  private readonly waiter: string;
  private roundOpen = false;
  /** Numbers this gate's rounds, so an endRound names the round it ends. */
  private round = 0;
  /** The open round was asked to end early (a more urgent launch arrived). */
  private endAsked = false;
  /** The most urgent priority in the open round. */
  private openRoundPriority = Infinity;
  private movingRefusals = 0;
  /** Why launches wait here, as the budget last said. */
  private why = 'asking the cluster budget';

  constructor(
    private readonly client: Client,
    private readonly settings: Pick<Settings, 'budget'>,
    readonly cluster: string,
  ) {
    this.waiter = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** Why the launches on this gate wait, for their heartbeats. */
  reason(): string {
    return this.why;
  }

  /** Resolves with the launch's lease once the budget grants it; `abort` withdraws it. */
  admit(launch: WaitingLaunch, abort?: AbortSignal): Promise<Lease> {
    const key = keyOf(launch);
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.waiting.get(key)?.launch === launch) this.waiting.delete(key);
        reject(abort?.reason ?? new Error('admission withdrawn'));
      };
      if (abort?.aborted) return onAbort();
      abort?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => abort?.removeEventListener('abort', onAbort);
      this.waiting.set(key, {
        launch,
        resolve: (lease) => {
          done();
          resolve(lease);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      if (!this.roundOpen) this.sendRound();
      // A more urgent launch than any in the open round must not wait for that round's end.
      else if (launch.priority < this.openRoundPriority) this.endOpenRound();
    });
  }

  private sendRound(): void {
    const launches = [...this.waiting.values()].map((w) => w.launch);
    const round = ++this.round;
    this.roundOpen = true;
    this.endAsked = false;
    this.openRoundPriority = Math.min(...launches.map((l) => l.priority));
    void this.ask(round, launches)
      .then((result) => this.settle(result))
      .catch((err: unknown) => this.failed(err, launches))
      .finally(() => {
        this.roundOpen = false;
        if (this.waiting.size > 0) this.sendRound();
      });
  }

  private endOpenRound(): void {
    if (this.endAsked) return;
    this.endAsked = true;
    this.client.workflow
      .getHandle(budgetWorkflowId(this.cluster))
      .signal(endRoundSignal, { waiter: this.waiter, round: this.round })
      .catch(() => undefined); // the round ends at the budget's next reading anyway
  }

  private async ask(round: number, launches: WaitingLaunch[]): Promise<GrantRoundResult> {
    const budget = this.client.workflow.getHandle(budgetWorkflowId(this.cluster));
    try {
      return await budget.executeUpdate(grantRoundUpdate, {
        args: [{ waiter: this.waiter, round, launches }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // The first launch on a cluster starts its budget (or the next run after a terminated one).
      await startClusterBudget(this.client, this.settings, this.cluster);
      return { granted: [], queued: 0, waiting: 'starting the cluster budget' };
    }
  }

  private settle(result: GrantRoundResult): void {
    this.movingRefusals = 0;
    for (const lease of result.granted) {
      const w = this.waiting.get(keyOf(lease));
      if (!w) continue; // withdrawn meanwhile: its slide's retry finds the lease again
      this.waiting.delete(keyOf(lease));
      w.resolve(lease);
    }
    this.why = result.waiting ?? `${result.queued} launch(es) waiting at the budget`;
  }

  private failed(err: unknown, launches: WaitingLaunch[]): void {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === BUDGET_MOVING) {
      // The budget is between two runs (continue-as-new): the next round reaches the new one.
      if (++this.movingRefusals <= MAX_MOVING_REFUSALS) return;
    }
    // Anything else fails the launches of this round: their activities' retry policy takes over.
    this.movingRefusals = 0;
    this.why = `the cluster budget did not answer: ${(err as Error)?.message ?? String(err)}`;
    for (const l of launches) {
      const w = this.waiting.get(keyOf(l));
      if (w?.launch !== l) continue;
      this.waiting.delete(keyOf(l));
      w.reject(err);
    }
  }
}

/** One gate per cluster in a worker process. */
export class AdmissionGates {
  private readonly gates = new Map<string, AdmissionGate>();

  constructor(
    private readonly client: Client,
    private readonly settings: Pick<Settings, 'budget'>,
  ) {}

  for(cluster: string): AdmissionGate {
    let gate = this.gates.get(cluster);
    if (!gate) {
      gate = new AdmissionGate(this.client, this.settings, cluster);
      this.gates.set(cluster, gate);
    }
    return gate;
  }
}
