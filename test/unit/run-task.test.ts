// runTask's reading of RunTask answers. The real ECSClient is used; a middleware answers in
// place of the network, because the answers under test (a task and failures[] together,
// odd failure reasons) are ones no emulator can be made to give on demand.
import { ECSClient, type RunTaskCommandOutput } from '@aws-sdk/client-ecs';
import { ApplicationFailure } from '@temporalio/common';
import { runTask } from '../../src/ecs/tasks';
import { FailureType } from '../../src/workflows/errors';

function clientAnswering(output: Partial<RunTaskCommandOutput>): { ecs: ECSClient; calls: () => number } {
  const ecs = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  let calls = 0;
  ecs.middlewareStack.add(
    () => async () => {
      calls++;
      return { output: { $metadata: {}, ...output }, response: {} };
    },
    { step: 'initialize', name: 'answerRunTask' },
  );
  return { ecs, calls: () => calls };
}

const request = { cluster: 'c', taskDefinition: 'td', clientToken: 't' };
const future = Date.now() + 60_000;

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('runTask', () => {
  test('a task in the answer wins over failures[]: no retry, so no duplicate launch', async () => {
    const { ecs, calls } = clientAnswering({
      tasks: [{ taskArn: 'arn:task/1' }],
      failures: [{ arn: 'arn:ci/1', reason: 'RESOURCE:MEMORY' }],
    });
    await expect(runTask(ecs, request, future)).resolves.toBe('arn:task/1');
    expect(calls()).toBe(1);
  });

  test.each(['RESOURCE:CPU', 'RESOURCE:MEMORY', 'AGENT'])(
    '%s alone is "no capacity", retryable',
    async (reason) => {
      const { ecs } = clientAnswering({ tasks: [], failures: [{ reason, detail: 'cluster full' }] });
      const failure = await failureOf(runTask(ecs, request, future));
      expect(failure.type).toBe(FailureType.EcsNoCapacity);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.message).toContain(`${reason} (cluster full)`);
    },
  );

  test('Fargate\'s "Capacity is unavailable" is no capacity, retryable', async () => {
    const reason =
      'Capacity is unavailable at this time. Please try again later or in a different availability zone';
    const { ecs } = clientAnswering({ tasks: [], failures: [{ arn: 'arn:az', reason }] });
    const failure = await failureOf(runTask(ecs, request, future));
    expect(failure.type).toBe(FailureType.EcsNoCapacity);
    expect(failure.message).toContain(reason);
  });

  test('a throttle among failures[] is transient, retryable', async () => {
    const { ecs } = clientAnswering({
      tasks: [],
      failures: [{ reason: 'RESOURCE:CPU' }, { reason: 'Rate exceeded' }],
    });
    const failure = await failureOf(runTask(ecs, request, future));
    expect(failure.type).toBe(FailureType.EcsTransient);
    expect(failure.nonRetryable).toBe(false);
  });

  test('no capacity after the deadline is final', async () => {
    const { ecs } = clientAnswering({ tasks: [], failures: [{ reason: 'RESOURCE:CPU' }] });
    const failure = await failureOf(runTask(ecs, request, Date.now() - 1));
    expect(failure.type).toBe(FailureType.EcsNoCapacityTimeout);
    expect(failure.nonRetryable).toBe(true);
  });

  test('any other failure reason is a configuration error, with the reason', async () => {
    const { ecs } = clientAnswering({
      tasks: [],
      failures: [{ reason: 'MISSING', detail: 'no such platform' }],
    });
    const failure = await failureOf(runTask(ecs, request, future));
    expect(failure.type).toBe(FailureType.EcsConfiguration);
    expect(failure.message).toContain('MISSING (no such platform)');
  });
});
