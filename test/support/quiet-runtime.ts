// Keeps the Temporal SDK's INFO and WARN lines (worker states, expected activity retries) out of test output.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this Jest worker: keep the existing runtime.
}
