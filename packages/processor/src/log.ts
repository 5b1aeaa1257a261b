// One JSON object per line on stdout: the local ECS keeps stdout in a per-task log file and
// CloudWatch splits on lines, so each event stays one parseable record.

export type LogFields = Record<string, unknown>;

export interface JsonLogger {
  event(event: string, fields?: LogFields): void;
}

export function jsonLogger(
  base: LogFields,
  write: (line: string) => void = (line) => process.stdout.write(line),
): JsonLogger {
  return {
    event(event, fields = {}) {
      write(`${JSON.stringify({ ts: new Date().toISOString(), event, ...base, ...fields })}\n`);
    },
  };
}
