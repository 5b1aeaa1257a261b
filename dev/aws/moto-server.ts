// moto in server mode: the local stand-in for S3 and SQS (and the contract check for the
// project's ECS requests). Runs from the project-local install made by `npm run setup`.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { freePort } from '../../src/util/net';
import { pythonInterpreter, pythonPathFor, type ToolOptions } from '../tools/binaries';

export interface MotoServer {
  /** e.g. http://127.0.0.1:5000, for AWS_ENDPOINT_URL_S3 / _SQS. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export interface MotoOptions extends ToolOptions {
  port?: number;
  host?: string;
  python?: string;
}

/** Ports tried when the caller lets moto pick: a free port can be taken again before moto binds it. */
const PORT_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 30_000;

export async function startMotoServer(opts: MotoOptions = {}): Promise<MotoServer> {
  const host = opts.host ?? '127.0.0.1';
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort(host));
    try {
      return await startOn(port, host, opts);
    } catch (err) {
      // Only a lost port race is worth another port; anything else is the caller's to see.
      if (opts.port !== undefined || attempt >= PORT_ATTEMPTS || !(err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startOn(port: number, host: string, opts: MotoOptions): Promise<MotoServer> {
  const env = opts.env ?? process.env;
  const child: ChildProcess = spawn(
    opts.python ?? pythonInterpreter(env),
    ['-m', 'moto.server', '-H', host, '-p', String(port)],
    { env: { ...env, PYTHONPATH: pythonPathFor(opts) }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopWaiting = false;
  try {
    await Promise.race([
      waitForMoto(port, host, () => stopWaiting),
      exited.then(() => {
        if (/address already in use/i.test(stderr))
          throw new PortTakenError(`moto could not listen on ${host}:${port}: the port is already in use`);
        throw new Error(
          `moto server exited at start-up (is moto[server] installed? run npm run setup):\n${stderr}`,
        );
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    stopWaiting = true;
  }
  return {
    endpoint: `http://${host}:${port}`,
    port,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Resolves once moto itself answers on the port. An open TCP port is not enough: another
 * server (a dev server's gRPC port, say) may hold it, and moto then exits "address in use".
 */
async function waitForMoto(port: number, host: string, stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!stopped()) {
    if (await answersAsMoto(port, host)) return;
    if (Date.now() > deadline)
      throw new Error(`moto did not answer on ${host}:${port} within ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** moto's own API answers a JSON object at /moto-api/data.json; nothing else on the machine does. */
function answersAsMoto(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/moto-api/data.json', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && isJsonObject(body)));
      res.on('error', () => resolve(false));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}
