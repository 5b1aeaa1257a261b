#!/usr/bin/env node
// `local-ecs`: the local ECS endpoint. It is a development tool, run from its TypeScript
// sources through tsx (a dependency of this package): no build step.
require('tsx/cjs');
require('../src/cli.ts')
  .runLocalEcsCli(process.argv.slice(2))
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
