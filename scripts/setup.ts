// `npm run setup`: installs the pinned Temporal CLI, test server and moto into .tools/, and
// a Compose that can validate docker-compose.yml offline.
// Runs before `npm test` and `npm start`; a no-op when everything is already there.
import { ensureTools, MissingToolError } from '../src/tools/binaries';
import { ensureCompose } from '../src/tools/compose';

try {
  const tools = ensureTools();
  console.log(`Temporal CLI:         ${tools.temporalCli}`);
  console.log(`Temporal test server: ${tools.testServer}`);
  const compose = ensureCompose((line) => console.error(line));
  console.log(`Compose (validation): ${compose ? compose.join(' ') : 'not available'}`);
} catch (err) {
  if (err instanceof MissingToolError) {
    console.error(`\n${err.message}`);
    process.exit(1);
  }
  throw err;
}
