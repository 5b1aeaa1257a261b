// Every benchmark runs on the dev server it starts, or on a Temporal server someone already
// runs: set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) to measure a production cluster.
import type { LocalStackOptions } from '../dev/stack/local-stack';

export function benchTemporal(): Pick<LocalStackOptions, 'temporalAddress' | 'temporalNamespace'> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) return {};
  console.log(`bench: Temporal at ${address}, namespace ${process.env.TEMPORAL_NAMESPACE ?? 'default'}`);
  return { temporalAddress: address, temporalNamespace: process.env.TEMPORAL_NAMESPACE };
}
