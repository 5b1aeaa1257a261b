// The Temporal SDK's own metrics (workflow and activity task latencies, slots, polls,
// schedule-to-start, ...): the Runtime serves them in Prometheus format on a loopback port,
// which the worker's /metrics appends to the project's. Runtime.install must run before any
// worker or native connection is created.
import { Runtime, type Logger } from '@temporalio/worker';
import { freePort } from '../util/net';

/** Installs the Runtime with a Prometheus exporter; returns the URL its metrics are at. */
export async function installRuntimeWithMetrics(logger?: Logger): Promise<string> {
  const port = await freePort('127.0.0.1');
  Runtime.install({
    ...(logger ? { logger } : {}),
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${port}`,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
        },
      },
    },
  });
  return `http://127.0.0.1:${port}/metrics`;
}
