// ECS's token buckets over HTTP: a burst passes, the next call is a ThrottlingException
// ("Rate exceeded"), and calls pass again at the refill rate. The buckets and storms read a clock
// the test moves by hand, so each refill and each storm boundary is exact on any machine.
import {
  DescribeTasksCommand,
  ECSServiceException,
  RunTaskCommand,
  ServerException,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { LocalEcs, LocalEcsOptions } from '../src';
import { ecsClient, register, simulatedContainer, startTestEcs } from './helpers';

let ecs: LocalEcs;
let client: ECSClient;
let td: string;
/** The rate limits' clock, in milliseconds; only `advance` moves it. */
let clockMs = 0;
const advance = (ms: number) => {
  clockMs += ms;
};

async function setUp(rateLimits: LocalEcsOptions['rateLimits'], extra: LocalEcsOptions = {}) {
  clockMs = 0;
  ecs = await startTestEcs(
    { rateLimits, clusters: [{ name: 'default', cpu: 1_000_000, memory: 1_000_000 }], ...extra },
    { rateLimitClock: () => clockMs },
  );
  client = ecsClient(ecs);
  td = await register(client, 'rl', simulatedContainer({ SIM_DURATION_MS: '50' }));
}
afterEach(async () => {
  await ecs?.close();
});

const run = (count = 1) =>
  client.send(new RunTaskCommand({ taskDefinition: td, count })).then(
    () => 'ok' as const,
    (e: unknown) => {
      if (e instanceof ECSServiceException && e.name === 'ThrottlingException') {
        expect(e.message).toBe('Rate exceeded');
        expect(e.$metadata.httpStatusCode).toBe(400);
        return 'throttled' as const;
      }
      throw e;
    },
  );

const together = (n: number, call: () => Promise<string>) => Promise.all(Array.from({ length: n }, call));
const count = (results: string[], what: string) => results.filter((r) => r === what).length;

test('RunTask calls: burst, then ThrottlingException, then recovery at the refill rate', async () => {
  await setUp({ runTask: { burst: 5, perSecond: 2 }, taskLaunch: false, describeTasks: false });
  const burst = await together(6, () => run());
  expect([count(burst, 'ok'), count(burst, 'throttled')]).toEqual([5, 1]);
  advance(500); // one token at 2/s
  expect(await run()).toBe('ok');
  expect(await run()).toBe('throttled');
  // Calling every 100 ms for a second: one call passes per half second, never a second burst.
  const paced: string[] = [];
  for (let step = 0; step < 10; step += 1) {
    advance(100);
    paced.push(await run());
  }
  expect(paced.map((r, i) => (r === 'ok' ? i : -1)).filter((i) => i >= 0)).toEqual([4, 9]);
  // A long quiet time refills the bucket to its burst and no further.
  advance(60_000);
  const refilled = await together(7, () => run());
  expect([count(refilled, 'ok'), count(refilled, 'throttled')]).toEqual([5, 2]);
  const s = ecs.stats().runTask;
  expect(s.throttled).toBe(s.calls - s.accepted);
  expect([s.accepted, s.throttled]).toEqual([5 + 1 + 2 + 5, 1 + 1 + 8 + 2]);
});

test('task launches: count=N takes N tokens; launches never outrun the bucket', async () => {
  await setUp({ runTask: false, taskLaunch: { burst: 10, perSecond: 2 }, describeTasks: false });
  expect(await run(10)).toBe('ok');
  expect(await run(2)).toBe('throttled');
  advance(1000); // two tokens
  expect(await run(2)).toBe('ok');
  expect(await run(1)).toBe('throttled');
  advance(499);
  expect(await run(1)).toBe('throttled');
  advance(1);
  expect(await run(1)).toBe('ok');
  // A throttled RunTask launches nothing, and a refused count takes no tokens.
  advance(1000);
  expect(await run(3)).toBe('throttled');
  expect(await run(2)).toBe('ok');
  expect(ecs.stats().tasksLaunched).toBe(10 + 2 + 1 + 2);
});

const describeX = () =>
  client.send(new DescribeTasksCommand({ tasks: ['x'] })).then(
    () => 'ok',
    (e: Error) => e.name,
  );

test('DescribeTasks has its own bucket', async () => {
  await setUp({ runTask: false, taskLaunch: false, describeTasks: { burst: 3, perSecond: 4 } });
  const results = await together(4, describeX);
  expect([count(results, 'ok'), count(results, 'ThrottlingException')]).toEqual([3, 1]);
  expect(await run()).toBe('ok');
  advance(250);
  expect(await describeX()).toBe('ok');
  expect(await describeX()).toBe('ThrottlingException');
  expect(ecs.stats().describeTasks).toMatchObject({ calls: 6, throttled: 2 });
});

test('ECS default buckets: 100 RunTask calls pass, the 101st in the same instant is throttled', async () => {
  await setUp({ runTask: { burst: 100, perSecond: 40 }, taskLaunch: false, describeTasks: false });
  const results = await Promise.all(Array.from({ length: 101 }, () => run()));
  expect([count(results, 'ok'), count(results, 'throttled')]).toEqual([100, 1]);
});

test('a throttling storm: for its duration the chosen actions are throttled, then it ends', async () => {
  await setUp({ runTask: false, taskLaunch: false, describeTasks: false });
  ecs.throttle({ actions: ['RunTask'], durationMs: 300 });
  expect(await run()).toBe('throttled');
  expect((await client.send(new DescribeTasksCommand({ tasks: ['x'] }))).failures).toHaveLength(1);
  advance(299);
  expect(await run()).toBe('throttled');
  advance(1);
  expect(await run()).toBe('ok');

  // Through the admin endpoint, with a probability (seeded, so repeatable).
  const res = await fetch(`${ecs.endpoint}/_local-ecs/throttle`, {
    method: 'POST',
    body: JSON.stringify({ durationMs: 60_000, probability: 0.5 }),
  });
  expect(res.status).toBe(200);
  const results: string[] = [];
  for (let i = 0; i < 40; i += 1) results.push(await run());
  expect(count(results, 'throttled')).toBeGreaterThan(5);
  expect(count(results, 'throttled')).toBeLessThan(35);
  // Clearing the fault rules ends storms too.
  await fetch(`${ecs.endpoint}/_local-ecs/faults`, { method: 'DELETE' });
  expect(await together(10, () => run())).toEqual(Array(10).fill('ok'));

  // A ServerException storm: HTTP 500, a transient error the SDK would retry.
  await fetch(`${ecs.endpoint}/_local-ecs/throttle`, {
    method: 'POST',
    body: JSON.stringify({ durationMs: 60_000, actions: ['DescribeTasks'], error: 'ServerException' }),
  });
  const err = await client.send(new DescribeTasksCommand({ tasks: ['x'] })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServerException);
  expect((err as ServerException).$metadata.httpStatusCode).toBe(500);
  expect(await run()).toBe('ok');
});

test('a storm from the config file starts and ends on its schedule', async () => {
  await setUp(
    { runTask: false, taskLaunch: false, describeTasks: false },
    { faults: [{ type: 'throttlingStorm', actions: ['DescribeTasks'], startAfterMs: 500, durationMs: 500 }] },
  );
  expect(await describeX()).toBe('ok');
  advance(499);
  expect(await describeX()).toBe('ok');
  advance(1);
  expect(await describeX()).toBe('ThrottlingException');
  expect(await run()).toBe('ok');
  advance(499);
  expect(await describeX()).toBe('ThrottlingException');
  advance(1);
  expect(await describeX()).toBe('ok');
});
