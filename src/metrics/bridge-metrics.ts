// The SQS bridge's metrics: defined once, registered in the worker's registry when the bridge
// runs inside it (`npm start`), or in a registry of its own for a standalone `slides bridge`.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export function defineBridgeMetrics(registers: Registry[]) {
  return {
    bridgeMessagesReceived: new Counter({
      name: 'wsi_bridge_messages_received_total',
      help: 'SQS messages the bridge received',
      registers,
    }),
    bridgeWorkflowsStarted: new Counter({
      name: 'wsi_bridge_workflows_started_total',
      help: 'Slide workflows the bridge started (or joined, when already running)',
      registers,
    }),
    bridgeMessagesRejected: new Counter({
      name: 'wsi_bridge_messages_rejected_total',
      help: 'SQS messages the bridge sent to the dead-letter queue',
      registers,
    }),
    bridgeStartErrors: new Counter({
      name: 'wsi_bridge_start_errors_total',
      help: 'Workflow starts that failed (Temporal unreachable, ...) and were retried',
      registers,
    }),
    bridgeInFlight: new Gauge({
      name: 'wsi_bridge_in_flight',
      help: 'Slides the bridge believes in flight (bounded by BRIDGE_MAX_IN_FLIGHT)',
      registers,
    }),
  };
}

export type BridgeMetrics = ReturnType<typeof defineBridgeMetrics>;

/** A standalone bridge's registry: its own metrics and its process's health. */
export function createBridgeRegistry(): { registry: Registry } & BridgeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'wsi_process_' });
  return { registry, ...defineBridgeMetrics([registry]) };
}
