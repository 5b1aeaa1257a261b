// The CLI's exit codes, which scripts rely on, and the errors that carry them to main().
//   0 done as asked; 1 a slide failed, was not found or could not be started;
//   2 bad usage (the message says what is wrong); 3 Temporal could not be reached.
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

/** Bad usage the argument parser cannot see (e.g. an S3 URI without a key): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure that ends the command with `code`. */
export class ExitError extends Error {
  override readonly name = 'ExitError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The exit code and message (if any) for an error thrown by a command. */
export function exitFor(err: unknown): { code: number; message?: string } {
  if (err instanceof UsageError) return { code: EXIT.usage, message: err.message };
  if (err instanceof ExitError) return { code: err.code, message: err.message };
  return { code: EXIT.failed, message: err instanceof Error ? err.message : String(err) };
}
