// A worker told to stop while it is still starting (its budget query not yet answered) drains
// and exits: the start-up budget line never keeps it alive. CI once hung here for minutes.
import { startLocalStack, type LocalStack } from '../../dev/stack/local-stack';
import { freePort } from '../../src/util/net';
import { startWorkerProcess } from '../support/worker-process';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.close();
});

test('SIGTERM right after start-up: the worker exits cleanly, without waiting on the budget query', async () => {
  const port = await freePort();
  const worker = await startWorkerProcess({ ...stack.env, METRICS_ADDRESS: `127.0.0.1:${port}` });
  worker.kill('SIGTERM');
  const exit = await Promise.race([
    worker.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000).unref()),
  ]);
  if (exit === 'hung') worker.kill('SIGKILL');
  expect(exit).toEqual({ code: 0, signal: null });
}, 150_000);
