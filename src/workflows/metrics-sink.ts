// What processSlide tells the worker's metrics (src/metrics/slide-metrics.ts): a workflow
// sink, called outside the history and never during replay, so metrics cost no events and
// count each launch and each slide once per worker that runs it live.
import { proxySinks, type Sink, type Sinks } from '@temporalio/workflow';
import type { OutcomeClass } from './types';

export type RelaunchCause = Exclude<OutcomeClass, 'success' | 'permanent-error'>;

export interface SlideMetricsSink extends Sink {
  /** A launch is about to ask for a lease; `cause` is why it is a relaunch, if it is one. */
  launched(event: { cluster: string; tier: string; cause?: RelaunchCause }): void;
  /** One launch's task ended (or the launch failed with an error). */
  taskEnded(event: {
    cluster: string;
    tier: string;
    outcome: OutcomeClass | 'error';
    taskSeconds: number;
    cost: number;
    spot: boolean;
  }): void;
  /** The slide ended: succeeded, failed or cancelled. */
  slideEnded(event: {
    cluster?: string;
    tier?: string;
    result: 'succeeded' | 'failed' | 'cancelled';
    durationSeconds: number;
    taskSeconds: number;
    cost: number;
  }): void;
}

export interface SlideSinks extends Sinks {
  slideMetrics: SlideMetricsSink;
}

export const { slideMetrics } = proxySinks<SlideSinks>();
