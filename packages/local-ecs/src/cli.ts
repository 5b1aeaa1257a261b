// `local-ecs [--port <port>] [--host <host>] [--config <file.json>]`: runs the local ECS until
// SIGINT/SIGTERM (bin/local-ecs.js; `npx local-ecs` in this repository).
import { Command, InvalidArgumentError } from 'commander';
import {
  loadLocalEcsConfigFile,
  localEcsConfigJsonSchema,
  parseLocalEcsConfig,
  type LocalEcsConfig,
} from './config';
import { startLocalEcs, type LocalEcs } from './index';

export interface LocalEcsCliOptions {
  port?: number;
  host?: string;
  config?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return port;
}

/** The config file (if any) with --port/--host on top, validated. */
export function resolveCliConfig(opts: LocalEcsCliOptions): LocalEcsConfig {
  const base = opts.config !== undefined ? loadLocalEcsConfigFile(opts.config) : parseLocalEcsConfig({});
  return parseLocalEcsConfig(
    {
      ...base,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
    },
    opts.config !== undefined ? `local ECS config ${opts.config}` : 'local ECS options',
  );
}

/** Starts the server, prints where it listens, and closes it on SIGINT/SIGTERM. */
export async function runLocalEcsServer(
  opts: LocalEcsCliOptions,
  log: (line: string) => void = (line) => console.log(line),
): Promise<LocalEcs> {
  const ecs = await startLocalEcs(resolveCliConfig(opts));
  const clusters = ecs.config.clusters
    .map((c) =>
      c.capacityProvider !== undefined
        ? `${c.name} (capacity provider)`
        : `${c.name} (${c.cpu} CPU, ${c.memory} MiB)`,
    )
    .join(', ');
  // One write, so a reader of the pipe sees the whole banner at once.
  log(
    [
      `local ECS listening on ${ecs.endpoint}`,
      `  export AWS_ENDPOINT_URL_ECS=${ecs.endpoint}`,
      `  clusters: ${clusters || 'none'}; task logs in ${ecs.config.logDir}`,
      `  admin: ${ecs.endpoint}/_local-ecs/ (stats, faults, capacity)`,
    ].join('\n'),
  );
  const stop = (signal: NodeJS.Signals) => {
    log(`local ECS: ${signal}, stopping tasks`);
    void ecs.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ecs;
}

function configure(command: Command): Command {
  return command
    .description('Run the local ECS endpoint (ECS JSON protocol, tasks as local processes)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default: config, else 0)', parsePort)
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--config <file>', 'JSON config file (see the README and local-ecs.schema.json)')
    .option('--print-schema', "print the config file's JSON Schema and exit")
    .action(async (opts: LocalEcsCliOptions & { printSchema?: boolean }) => {
      if (opts.printSchema) {
        process.stdout.write(`${JSON.stringify(localEcsConfigJsonSchema(), null, 2)}\n`);
        return;
      }
      await runLocalEcsServer(opts);
    });
}

/** Runs the command with `argv` being its own arguments (e.g. `['--port', '4566']`). */
export async function runLocalEcsCli(argv: string[]): Promise<void> {
  await configure(new Command('local-ecs')).parseAsync(argv, { from: 'user' });
}

if (require.main === module) {
  runLocalEcsCli(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
