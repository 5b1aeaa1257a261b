// Keeps the Temporal SDK's INFO and WARN lines (worker states, expected activity retries) out of test output.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed in this Jest worker: keep the existing runtime.
}

// Tests that build AWS clients directly (not through src/aws/clients.ts) skip its silencing of
// the SDK's Node 22 notice; silence it here too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
