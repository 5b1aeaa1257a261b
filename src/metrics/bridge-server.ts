// A standalone `slides bridge`'s own /metrics, /healthz and /readyz (METRICS_ADDRESS), as the
// worker serves its own. Under `npm start` the bridge shares the worker's endpoint instead.
import type { BridgeHandle } from '../bridge/bridge';
import { copyBridgeStats } from './bridge-counters';
import { createBridgeRegistry } from './bridge-metrics';
import { startMetricsServer, type MetricsServer, type Readiness } from './server';

/** Ready while it takes messages or waits at its in-flight bound; not while Temporal is unreachable or it stops. */
export function bridgeReadiness(bridge: BridgeHandle): Readiness {
  const s = bridge.stats();
  if (s.stopping) return { ready: false, why: 'stopping: finishing the batch in hand' };
  if (!s.temporalReachable) return { ready: false, why: 'Temporal unreachable: messages wait in SQS' };
  return { ready: true, why: s.paused ? `ready (paused at ${s.inFlight} slides in flight)` : 'ready' };
}

export async function serveBridgeMetrics(
  bridge: BridgeHandle,
  address: { host: string; port: number },
): Promise<MetricsServer> {
  const metrics = createBridgeRegistry();
  return startMetricsServer({
    ...address,
    registry: metrics.registry,
    beforeScrape: async () => copyBridgeStats(metrics, bridge.stats()),
    readiness: async () => bridgeReadiness(bridge),
  });
}
