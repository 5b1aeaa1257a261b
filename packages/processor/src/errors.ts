// Errors that carry the process exit code, so main.ts maps failures to the documented codes
// (the orchestrator classifies outcomes by exit code) in one place.
import { TASK_EXIT } from '@wsi-orchestrator/task-contract';

/** The task contract's exit codes (what the orchestrator classifies outcomes by). */
export const EXIT = TASK_EXIT;

export class ProcessorError extends Error {
  override readonly name: string = 'ProcessorError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class SettingsError extends ProcessorError {
  override readonly name = 'SettingsError';
  constructor(message: string) {
    super(message, EXIT.badEnvironment);
  }
}

export class SlideNotFoundError extends ProcessorError {
  override readonly name = 'SlideNotFoundError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.slideNotFound, options);
  }
}

export class SlideFormatError extends ProcessorError {
  override readonly name = 'SlideFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.badSlide, options);
  }
}

/** Thrown inside the run when SIGTERM arrives during a long step (download, level render). */
export class StopRequested extends Error {
  override readonly name = 'StopRequested';
  constructor() {
    super('stop requested');
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
