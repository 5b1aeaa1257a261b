// The SQS bridge's counters as Prometheus metrics, copied from its stats() at each scrape.
import type { BridgeStats } from '../bridge/bridge';
import type { BridgeMetrics } from './bridge-metrics';

export function copyBridgeStats(m: BridgeMetrics, stats: BridgeStats): void {
  const set = (counter: { reset(): void; inc(v: number): void }, value: number): void => {
    counter.reset();
    counter.inc(value);
  };
  set(m.bridgeMessagesReceived, stats.messagesReceived);
  set(m.bridgeWorkflowsStarted, stats.workflowsStarted);
  set(m.bridgeMessagesRejected, stats.messagesRejected);
  set(m.bridgeStartErrors, stats.startErrors);
  m.bridgeInFlight.set(stats.inFlight);
}
