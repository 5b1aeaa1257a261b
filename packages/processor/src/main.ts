// Entry point of the processor container: `node dist/main.js` (compiled, the image), or
// `node --require tsx/cjs src/main.ts` from the sources (the local stack).
// Owns the process-level concerns: settings, signals, exit codes. The work is in run.ts.
import { constants } from 'node:os';
import sharp from 'sharp';
import { createS3Client } from './s3-client';
import { loadProcessorSettings, type ProcessorSettings } from './settings';
import { errorMessage, EXIT, ProcessorError } from './errors';
import { jsonLogger } from './log';
import { runProcessor } from './run';
import { StopSignal } from './stop';

function fail(message: string): void {
  process.stderr.write(`processor: ${message}\n`);
}

async function main(): Promise<number> {
  let settings: ProcessorSettings;
  try {
    settings = loadProcessorSettings(process.env);
  } catch (err) {
    fail(errorMessage(err));
    return err instanceof ProcessorError ? err.exitCode : EXIT.badEnvironment;
  }

  // Every tile is cut once, so libvips' operation cache would only hold on to memory.
  sharp.cache(false);

  const log = jsonLogger({ slideId: settings.slideId });
  const stop = new StopSignal();
  let stopCode: number = EXIT.stopped;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.requested) {
      fail(`second ${signal}: exiting without waiting for the in-flight tiles`);
      process.exit(stopCode);
    }
    stopCode = 128 + constants.signals[signal];
    stop.request(signal);
    // The checkpoint in S3 is always a safe lower bound, so leaving without the final write is
    // still correct; this only guarantees we are gone well before ECS's SIGKILL.
    setTimeout(() => {
      fail(`did not stop within ${settings.stopGraceMs} ms of ${signal}; exiting`);
      process.exit(stopCode);
    }, settings.stopGraceMs).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const s3 = createS3Client(process.env);
  try {
    const result = await runProcessor(settings, { s3, log, stop });
    return result.status === 'stopped' ? stopCode : EXIT.ok;
  } catch (err) {
    const code = err instanceof ProcessorError ? err.exitCode : EXIT.failure;
    fail(errorMessage(err));
    log.event('failed', { error: errorMessage(err), exitCode: code });
    return code;
  } finally {
    s3.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    fail(`unexpected: ${errorMessage(err)}`);
    process.exit(EXIT.failure);
  },
);
