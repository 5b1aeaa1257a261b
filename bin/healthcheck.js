#!/usr/bin/env node
// Container health check: asks the worker's own endpoint (METRICS_ADDRESS) for a path,
// /healthz (alive, the default) or /readyz (connected to Temporal, pollers running).
// Exit 0 healthy, 1 not. A container without METRICS_ADDRESS (local ECS, set-up)
// serves no endpoint and counts as healthy.
const address = process.env.METRICS_ADDRESS;
if (!address) process.exit(0);
const port = address.split(':').pop();
const path = process.argv[2] || '/healthz';
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
