// The memory limit is real: a process tree whose RSS passes the container's hard limit is
// SIGKILLed, as the kernel's OOM killer does inside a container.
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  container,
  ecsClient,
  register,
  SCRIPTS,
  startTestEcs,
  waitForStatus,
  OOM_KILLED_CONTAINER,
} from './helpers';

test('a node child allocating past 128 MiB is killed: exit 137, OutOfMemoryError', async () => {
  const ecs = await startTestEcs({ memoryPollMs: 50 });
  try {
    const client = ecsClient(ecs);
    const td = await register(client, 'hog', container(SCRIPTS.hog(), { memory: 128 }));
    const out = await client.send(new RunTaskCommand({ taskDefinition: td }));
    const stopped = await waitForStatus(client, out.tasks?.[0]?.taskArn as string, 'STOPPED', {
      timeoutMs: 30_000,
    });
    expect(stopped).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
    });
    expect(stopped.containers?.[0]).toMatchObject(OOM_KILLED_CONTAINER);
  } finally {
    await ecs.close();
  }
});

test('without a container limit the task memory is the hard limit', async () => {
  const ecs = await startTestEcs({ memoryPollMs: 50 });
  try {
    const client = ecsClient(ecs);
    const td = await register(client, 'hog-task', container(SCRIPTS.hog(), { memory: undefined }), {
      memory: '160',
    });
    const out = await client.send(new RunTaskCommand({ taskDefinition: td }));
    const stopped = await waitForStatus(client, out.tasks?.[0]?.taskArn as string, 'STOPPED', {
      timeoutMs: 30_000,
    });
    expect(stopped.containers?.[0]?.exitCode).toBe(137);
    expect(stopped.containers?.[0]?.reason).toMatch(/^OutOfMemoryError/);
  } finally {
    await ecs.close();
  }
});
