#!/usr/bin/env node
// The `slides` command. Runs the compiled CLI in dist/ (`npm run build`), as the Docker images
// do. Without dist/ (a fresh clone before its first build), or with SLIDES_FROM_SOURCE=1, it
// runs the TypeScript sources through tsx, a development dependency, so the sources can be
// tried without building. There is no `prepare` build on `npm install`: the images'
// `npm ci --omit=dev` has no compiler to run it, and a build on every install is slow.
const { existsSync } = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'src', 'client.js');
if (process.env.SLIDES_FROM_SOURCE !== '1' && existsSync(compiled)) {
  require(compiled).main();
} else {
  try {
    require.resolve('tsx/cjs');
  } catch {
    console.error('slides: dist/ is missing and tsx is not installed: run `npm install && npm run build`');
    process.exit(1);
  }
  // The shared packages are loaded compiled even from the sources: `npm run setup` builds them.
  if (!existsSync(path.join(__dirname, '..', 'packages', 'task-contract', 'dist', 'index.js'))) {
    console.error('slides: the shared packages are not built yet: run `npm run setup` (or `npm run build`)');
    process.exit(1);
  }
  require('tsx/cjs');
  require('../src/client.ts').main();
}
