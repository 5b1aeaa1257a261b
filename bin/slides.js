#!/usr/bin/env node
// The `slides` command: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs');
require('../src/client.ts').main();
