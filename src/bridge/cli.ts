// `slides bridge`: runs the SQS bridge until SIGTERM or SIGINT, then finishes the batch in hand
// and exits. Settings come from the environment (src/bridge/README.md).
import type { Command } from 'commander';
import { serveBridgeMetrics } from '../metrics/bridge-server';
import { startBridge, type BridgeOptions } from './bridge';

/** Runs the bridge until one of `signals` arrives, then stops it gracefully. */
export async function runBridge(
  options: BridgeOptions = {},
  signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const bridge = await startBridge({ ...options, log });
  const address = bridge.settings.metricsAddress;
  const metrics = address ? await serveBridgeMetrics(bridge, address) : undefined;
  if (metrics) log(`bridge: metrics on ${metrics.url}/metrics (health: /healthz, /readyz)`);
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
    for (const s of signals) process.once(s, onSignal);
  });
  const signal = await signalled;
  for (const s of signals) process.removeListener(s, onSignal);
  log(`bridge: ${signal}: finishing the batch in hand`);
  await bridge.stop();
  await metrics?.close();
}

/** Adds `bridge` as a subcommand of the `slides` program. */
export function registerBridgeCommand(program: Command): Command {
  return program
    .command('bridge')
    .description(
      'turn S3 upload events from SQS (SQS_QUEUE_URL) into processSlide workflows, until SIGTERM/SIGINT (settings: src/bridge/README.md)',
    )
    .action(async () => {
      await runBridge();
    });
}
