// `npm run setup`: installs the pinned Temporal CLI, test server, moto, and the Python task
// library's boto3, pytest and ruff into .tools/ (the project's own folder; nothing is installed
// on the system). Runs before `npm test` and `npm start`; a no-op when everything is already there.
import { ensureTools, MissingToolError } from '../tools/binaries';

try {
  const tools = ensureTools();
  console.log(`Temporal CLI:         ${tools.temporalCli}`);
  console.log(`Temporal test server: ${tools.testServer}`);
} catch (err) {
  if (err instanceof MissingToolError) {
    console.error(`\n${err.message}`);
    process.exit(1);
  }
  throw err;
}
