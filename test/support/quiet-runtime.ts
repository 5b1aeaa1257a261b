// Keeps the Temporal SDK's INFO lines (worker state changes) out of test output.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this Jest worker: keep the existing runtime.
}
