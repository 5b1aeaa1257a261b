// The one table of what ECS means (src/ecs/errors.ts), row by row, with the messages ECS
// really sends (as reported in dagster#33439, neuron_morphology#155, construct-hub#415).
import { ECSServiceException, InvalidParameterException, ClientException } from '@aws-sdk/client-ecs';
import { classifyEcsError, classifyRunTaskFailure, toActivityFailure } from '../../src/ecs/errors';
import { FailureType } from '../../src/workflows/errors';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode }, $fault: 'client' as const });

function awsError(name: string, message: string, status = 400): Error {
  if (name === 'InvalidParameterException')
    return new InvalidParameterException({ message, ...meta(status) });
  if (name === 'ClientException') return new ClientException({ message, ...meta(status) });
  return new ECSServiceException({ name, message, ...meta(status) });
}

describe('classifyEcsError: thrown errors', () => {
  test.each<[string, string, number, string]>([
    [
      'InvalidParameterException',
      'Error retrieving subnet information for [subnet-0a1b2c]: Rate exceeded (ErrorCode: Throttling)',
      400,
      'transient',
    ],
    [
      'InvalidParameterException',
      'Error retrieving security group information for [sg-1]: Request limit exceeded. (ErrorCode: RequestLimitExceeded)',
      400,
      'transient',
    ],
    ['ClientException', 'Rate exceeded', 400, 'transient'],
    ['ThrottlingException', 'Rate exceeded', 400, 'transient'],
    ['TooManyRequestsException', 'slow down', 429, 'transient'],
    ['ServerException', 'Service unavailable', 500, 'transient'],
    ['SomethingNew', 'bad gateway', 502, 'transient'],
    ['InvalidParameterException', 'TaskDefinition not found.', 400, 'configuration'],
    ['InvalidParameterException', 'subnets can not be empty.', 400, 'configuration'],
    ['ClientException', 'Unable to assume the service linked role.', 400, 'configuration'],
    // Past the per-cluster quota of tasks in PROVISIONING (300): a wait for room, not a bad request.
    ['ClientException', 'Tasks provisioning capacity limit exceeded.', 400, 'no-capacity'],
    ['AccessDeniedException', 'User is not authorized to perform: ecs:RunTask', 400, 'configuration'],
    ['ClusterNotFoundException', 'Cluster not found.', 400, 'configuration'],
    ['UnknownOperationException', 'no such action', 400, 'configuration'],
  ])('%s "%s" (HTTP %i) is %s', (name, message, status, verdict) => {
    expect(classifyEcsError(awsError(name, message, status))).toBe(verdict);
  });

  test('connection resets and timeouts without an HTTP answer are transient', () => {
    expect(classifyEcsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'transient',
    );
    expect(classifyEcsError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(
      'transient',
    );
    expect(classifyEcsError(new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(
      'transient',
    );
  });

  test('failures carry the type the workflow retries by, and the AWS message', () => {
    const wrapped = toActivityFailure(
      awsError(
        'InvalidParameterException',
        'Error retrieving subnet information for [subnet-1]: Rate exceeded',
      ),
      'RunTask',
    );
    expect(wrapped.type).toBe(FailureType.EcsTransient);
    expect(wrapped.nonRetryable).toBe(false);
    expect(wrapped.message).toContain('InvalidParameterException: Error retrieving subnet information');

    const config = toActivityFailure(
      awsError('InvalidParameterException', 'TaskDefinition not found.'),
      'RunTask',
    );
    expect(config.type).toBe(FailureType.EcsConfiguration);
    expect(config.nonRetryable).toBe(true);
    expect(config.message).toBe('ECS RunTask: InvalidParameterException: TaskDefinition not found.');
  });
});

describe('classifyRunTaskFailure: failures[] reasons', () => {
  test.each<[string, string | undefined, string]>([
    [
      'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      undefined,
      'no-capacity',
    ],
    ['RESOURCE:MEMORY', undefined, 'no-capacity'],
    ['RESOURCE:CPU', undefined, 'no-capacity'],
    ['RESOURCE:ENI', undefined, 'no-capacity'],
    ['AGENT', undefined, 'no-capacity'],
    ['ATTRIBUTE', 'requires attribute ecs.capability.efs', 'no-capacity'],
    ['MISSING', 'no such platform', 'configuration'],
    ['Rate exceeded', undefined, 'transient'],
  ])('%s is %s', (reason, detail, verdict) => {
    expect(classifyRunTaskFailure(reason, detail)).toBe(verdict);
  });
});
