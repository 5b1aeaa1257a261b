// The worker's one HTTP port (METRICS_ADDRESS): /metrics (the project's metrics and the
// Temporal SDK's, which the SDK serves on a loopback port of its own and this appends),
// /healthz (the process answers) and /readyz (connected to Temporal, pollers running).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Readiness {
  ready: boolean;
  why: string;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** The SDK's own Prometheus endpoint, appended to each scrape. */
  sdkMetricsUrl?: string;
  /** Brings pulled figures (the budget, the bridge) up to date before a scrape. */
  beforeScrape?: () => Promise<void>;
  readiness: () => Promise<Readiness>;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SDK_SCRAPE_TIMEOUT_MS = 2_000;

async function sdkMetrics(url: string | undefined): Promise<string> {
  if (!url) return '';
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
    return res.ok ? await res.text() : '';
  } catch {
    return ''; // The project's metrics are still worth serving.
  }
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    const handle = async (): Promise<void> => {
      if (path === '/healthz') return reply(200, 'ok\n');
      if (path === '/readyz') {
        const r = await opts.readiness();
        return reply(r.ready ? 200 : 503, `${r.why}\n`);
      }
      if (path === '/metrics') {
        await opts.beforeScrape?.();
        const own = await opts.registry.metrics();
        const sdk = await sdkMetrics(opts.sdkMetricsUrl);
        return reply(200, `${own.trimEnd()}\n${sdk}`, opts.registry.contentType);
      }
      reply(404, 'not found: try /metrics, /healthz or /readyz\n');
    };
    handle().catch((err: unknown) => reply(500, `${(err as Error).message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
