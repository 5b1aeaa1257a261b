// moto in server mode: the local stand-in for S3 and SQS (and the contract check for the
// project's ECS requests). Runs from the project-local install made by `npm run setup`.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from '../../src/util/net';
import { pythonPathFor, type ToolOptions } from '../tools/binaries';

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

export async function startMotoServer(opts: MotoOptions = {}): Promise<MotoServer> {
  const env = opts.env ?? process.env;
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const child: ChildProcess = spawn(
    opts.python ?? env.PYTHON ?? 'python3',
    ['-m', 'moto.server', '-H', host, '-p', String(port)],
    { env: { ...env, PYTHONPATH: pythonPathFor(opts) }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForPort(port, host),
      exited.then(() => {
        throw new Error(
          `moto server exited at start-up (is moto[server] installed? run npm run setup):\n${stderr}`,
        );
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
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
