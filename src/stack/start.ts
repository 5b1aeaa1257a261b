// `npm start`: the local stack in one process. Today that is the Temporal dev server with
// its Web UI, persisted to .data/temporal.sqlite so history survives a restart.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startDevServer } from '../temporal/environment';
import { PROJECT_ROOT } from '../tools/binaries';

export interface StackOptions {
  temporalPort: number;
  uiPort: number;
  dataDir: string;
}

export const DEFAULT_STACK: StackOptions = {
  temporalPort: 7233,
  uiPort: 8233,
  dataDir: path.join(PROJECT_ROOT, '.data'),
};

export async function startStack(opts: StackOptions = DEFAULT_STACK): Promise<() => Promise<void>> {
  mkdirSync(opts.dataDir, { recursive: true });
  const temporal = await startDevServer({
    port: opts.temporalPort,
    uiPort: opts.uiPort,
    dbFilename: path.join(opts.dataDir, 'temporal.sqlite'),
  });
  console.log(`Temporal server: localhost:${opts.temporalPort} (namespace default)`);
  console.log(`Temporal Web UI: http://localhost:${opts.uiPort}`);
  return () => temporal.teardown();
}

async function main(): Promise<void> {
  const stop = await startStack();
  console.log('Press Ctrl-C to stop.');
  // The server lives in the SDK's native runtime, which does not hold Node's event loop open.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
