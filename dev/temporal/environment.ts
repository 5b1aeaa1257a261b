// The one way the project gets a Temporal server locally: tests, `npm start` and the
// benchmarks all come through here. Both servers run from the binaries that
// `npm run setup` installed (never the SDK's download, which needs the internet).
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireTemporalCli, requireTestServer, type ToolOptions } from '../tools/binaries';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

export interface DevServerOptions extends ToolOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Serve the Web UI on this port. */
  uiPort?: number;
  /** SQLite file that keeps history across restarts; in memory when omitted. */
  dbFilename?: string;
  namespace?: string;
  /** Listen address; default localhost. */
  ip?: string;
}

/**
 * Dynamic config for task-queue priority and fairness: the new matcher (priority keys),
 * fairness keys, and one partition per task queue so the order holds across the whole
 * queue, not per partition. A production server needs the same (see docs/concurrency.md).
 */
export const PRIORITY_DYNAMIC_CONFIG = [
  'matching.useNewMatcher=true',
  'matching.enableFairness=true',
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
];

/**
 * SQLite settings for a dev server that keeps its history in a file. SQLite's default rollback
 * journal syncs every commit to disk and blocks readers while it writes; under a backlog of
 * a thousand busy workflows the server's one connection then falls behind its 5 s persistence
 * deadline ("context deadline exceeded") and every poller stalls. With a write-ahead log,
 * readers do not wait for the writer, and `synchronous=normal` syncs at checkpoints instead
 * of at every commit (a power cut can lose the last commits, never corrupt the file: fine
 * for a development server).
 */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

/**
 * Dynamic config for load. The dev server turns its search-attribute cache off unless told
 * otherwise (so that attributes added while it runs are seen at once), and then every
 * search-attribute read (every start, upsert and visibility write) reads the cluster
 * metadata and the namespace from SQLite: measured under 1000 slides, a third of the one
 * SQLite connection's time. The project registers its attributes when the server starts, so
 * the cache is safe to keep.
 */
export const LOAD_DYNAMIC_CONFIG = ['system.forceSearchAttributesCacheRefreshOnRead=false'];

/** The Temporal CLI's dev server, with the project's search attributes and priority/fairness on. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalCli(opts) },
      port: opts.port,
      ip: opts.ip,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFilename,
      namespace: opts.namespace,
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'warn' },
      extraArgs: [
        ...[...PRIORITY_DYNAMIC_CONFIG, ...LOAD_DYNAMIC_CONFIG].flatMap((kv) => [
          '--dynamic-config-value',
          kv,
        ]),
        ...(opts.dbFilename ? SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p]) : []),
      ],
    },
  });
}

/**
 * Java time-skipping test server: timers fire as soon as the workflow is blocked on them.
 * It takes no search-attribute flags, so they are registered through its operator API.
 */
export async function startTimeSkippingServer(opts: ToolOptions = {}): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireTestServer(opts) } },
  });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        ALL_SEARCH_ATTRIBUTES.map((key) => {
          const type = encodeSearchAttributeIndexedValueType(key.type);
          if (type === undefined)
            throw new Error(`search attribute ${key.name} has unknown type ${key.type}`);
          return [key.name, type];
        }),
      ),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/**
 * A Temporal server someone already runs (a self-hosted cluster, Temporal Cloud), for the
 * benchmarks: `TEMPORAL_ADDRESS` (and `TEMPORAL_NAMESPACE`) name it. The project's search
 * attributes are registered on it when missing; priority and fairness are its operator's
 * settings (docs/concurrency.md).
 */
export async function connectExistingServer(
  address: string,
  namespace = 'default',
): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address, namespace });
  const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length > 0) {
    await env.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type) ?? 0]),
      ),
    });
  }
  return env;
}
