// HTTP plumbing: `POST /` carries ECS JSON 1.1 calls, `/_local-ecs/...` the admin endpoint.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ADMIN_PREFIX, handleAdmin } from './admin';
import { ecsActions, type ActionHandler } from './api';
import { actionFromTarget, checkContentType, EcsError, JSON_CONTENT_TYPE, parseJsonBody } from './protocol';
import type { LocalEcsService } from './service';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

class BodyTooLarge extends Error {}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, status: number, body: unknown, contentType: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

function answerEcs(
  actions: ReadonlyMap<string, ActionHandler>,
  req: http.IncomingMessage,
  raw: string,
): [number, unknown] {
  try {
    if (req.method !== 'POST') throw new EcsError('UnknownOperationException', 'ECS calls are POST /');
    const action = actionFromTarget(req.headers['x-amz-target']);
    const handler = actions.get(action);
    if (!handler) throw new EcsError('UnknownOperationException', `Unknown operation ${action}`);
    checkContentType(req.headers['content-type']);
    return [200, handler(parseJsonBody(raw))];
  } catch (err) {
    if (err instanceof EcsError) return [err.status, err.toBody()];
    console.error('[local-ecs] internal error:', err);
    const e = new EcsError('ServerException', `Internal error: ${(err as Error).message}`);
    return [e.status, e.toBody()];
  }
}

function answerAdmin(
  service: LocalEcsService,
  req: http.IncomingMessage,
  url: URL,
  raw: string,
): [number, unknown] {
  let body: unknown;
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      return [400, { error: 'body is not JSON' }];
    }
  }
  try {
    const answer = handleAdmin(service, {
      method: req.method ?? 'GET',
      path: url.pathname.slice(ADMIN_PREFIX.length) || '/',
      query: url.searchParams,
      body,
    });
    return [answer.status, answer.body];
  } catch (err) {
    console.error('[local-ecs] admin error:', err);
    return [500, { error: (err as Error).message }];
  }
}

export interface ListeningServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(service: LocalEcsService, host: string, port: number): Promise<ListeningServer> {
  const actions = ecsActions(service);
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local-ecs');
      const admin = url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`);
      let raw: string;
      try {
        raw = await readBody(req);
      } catch (err) {
        const message = err instanceof BodyTooLarge ? 'request body too large' : 'could not read request';
        if (admin) send(res, 413, { error: message }, 'application/json');
        else send(res, 413, new EcsError('SerializationException', message).toBody(), JSON_CONTENT_TYPE);
        return;
      }
      if (admin) {
        const [status, body] = answerAdmin(service, req, url, raw);
        send(res, status, body, 'application/json');
      } else {
        const [status, body] = answerEcs(actions, req, raw);
        send(res, status, body, JSON_CONTENT_TYPE);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
