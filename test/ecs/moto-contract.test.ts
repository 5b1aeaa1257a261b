// Contract check: the requests the project sends to ECS are accepted by moto (an independent
// emulator of the AWS APIs) and by the local ECS alike. CONTRACT_REQUESTS are built by the
// project's own code: the worker's RunTask builder and the local stack's task definition.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type DescribeTasksCommandInput,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type StopTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { startMotoServer, type MotoServer } from '../../dev/aws/moto-server';
import { loadSettings } from '../../src/settings/settings';
import { buildRunTaskInput, TAG_SLIDE_ID } from '../../src/ecs/requests';
import { clientTokenFor, startedByFor } from '../../src/slides/identity';
import { processorContainer, taskDefinitionRequest } from '../../dev/stack/local-stack';
import type { SizeTier } from '../../src/workflows/types';
import type { LocalEcs } from '@wsi-orchestrator/local-ecs';
import { SCRIPTS, startTestEcs, waitForStatus } from '../../packages/local-ecs/test/helpers';

const CLUSTER = 'slides';

/** Every request under contract, made by the project's own builders (what the worker sends). */
const CONTRACT_REQUESTS = {
  registerTaskDefinition: (command: string[]): RegisterTaskDefinitionCommandInput =>
    // The command is swapped for a long-running stand-in so the local ECS task stays up until stopped.
    taskDefinitionRequest('wsi-processor', { ...processorContainer(), entryPoint: undefined, command }),
  runTask: (taskDefinition: string, subnet: string): RunTaskCommandInput => {
    const settings = loadSettings({
      ECS_TASK_DEFINITION: taskDefinition,
      ECS_SUBNETS: subnet,
      ECS_SECURITY_GROUPS: 'sg-0123456789abcdef0',
    });
    const tier = settings.tiers[1] as SizeTier;
    return buildRunTaskInput(
      settings.ecs,
      {
        slideId: 'a1b2c3',
        bucket: 'slides',
        key: 'in/a.svs',
        cluster: CLUSTER,
        tier,
        launchNumber: 1,
        checkpointUri: 's3://slides/checkpoints/a1b2c3.json',
        outputUri: 's3://slides/out/a1b2c3/',
        stuckAfterMs: 60_000,
        capacityDeadline: Date.now() + 60_000,
      },
      {
        clientToken: clientTokenFor('slide:slides/in/a.svs', 'run-1', 1),
        startedBy: STARTED_BY,
        workflowRunId: 'run-1',
      },
    );
  },
  describeTasks: (tasks: string[]): DescribeTasksCommandInput => ({
    cluster: CLUSTER,
    tasks,
    include: ['TAGS'],
  }),
  stopTask: (task: string): StopTaskCommandInput => ({
    cluster: CLUSTER,
    task,
    reason: 'slide workflow cancelled',
  }),
};

const STARTED_BY = startedByFor('slide:slides/in/a.svs');

function client(endpoint: string): ECSClient {
  return new ECSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

/** A subnet of moto's default VPC, through EC2's query API (no EC2 client in the project). */
async function motoSubnet(endpoint: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: 'Action=DescribeSubnets&Version=2016-11-15',
  });
  const subnet = /<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/.exec(await res.text())?.[1];
  if (!subnet) throw new Error('moto returned no subnet');
  return subnet;
}

let moto: MotoServer;
let ecs: LocalEcs;

beforeAll(async () => {
  [moto, ecs] = await Promise.all([
    startMotoServer(),
    startTestEcs({ clusters: [{ name: CLUSTER, cpu: 8192, memory: 16384 }] }),
  ]);
});
afterAll(async () => {
  await Promise.all([moto?.close(), ecs?.close()]);
});

test('moto and the local ECS both accept the project’s RegisterTaskDefinition, RunTask, DescribeTasks, StopTask', async () => {
  const targets = [
    { name: 'moto', ecs: client(moto.endpoint), subnet: await motoSubnet(moto.endpoint) },
    { name: 'local', ecs: client(ecs.endpoint), subnet: 'subnet-0123456789abcdef0' },
  ];
  for (const target of targets) {
    const c = target.ecs;
    await c.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const td = await c.send(
      new RegisterTaskDefinitionCommand(CONTRACT_REQUESTS.registerTaskDefinition(SCRIPTS.forever())),
    );
    const tdArn = td.taskDefinition?.taskDefinitionArn as string;
    expect(tdArn).toMatch(/:task-definition\/wsi-processor:1$/);

    const run = await c.send(new RunTaskCommand(CONTRACT_REQUESTS.runTask(tdArn, target.subnet)));
    expect(run.failures ?? []).toEqual([]);
    expect(run.tasks).toHaveLength(1);
    const task = run.tasks?.[0];
    const taskArn = task?.taskArn as string;
    // moto makes UUID task ids, ECS (and the local ECS) 32 hex digits: clients must accept both.
    expect(taskArn).toMatch(new RegExp(`:task/${CLUSTER}/[0-9a-f-]+$`));
    expect(task).toMatchObject({
      launchType: 'FARGATE',
      startedBy: STARTED_BY,
      taskDefinitionArn: tdArn,
    });

    const described = await c.send(new DescribeTasksCommand(CONTRACT_REQUESTS.describeTasks([taskArn])));
    expect(described.failures ?? []).toEqual([]);
    expect(described.tasks?.[0]?.taskArn).toBe(taskArn);
    expect(described.tasks?.[0]?.tags).toEqual(
      expect.arrayContaining([{ key: TAG_SLIDE_ID, value: 'a1b2c3' }]),
    );
    expect(described.tasks?.[0]?.overrides?.containerOverrides?.[0]?.environment).toContainEqual({
      name: 'SLIDE_ID',
      value: 'a1b2c3',
    });

    const stopped = await c.send(new StopTaskCommand(CONTRACT_REQUESTS.stopTask(taskArn)));
    expect(stopped.task?.taskArn).toBe(taskArn);
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    if (target.name === 'local') {
      const final = await waitForStatus(c, taskArn, 'STOPPED', { cluster: CLUSTER });
      expect(final).toMatchObject({
        stopCode: 'UserInitiated',
        stoppedReason: 'slide workflow cancelled',
        cpu: '2048',
        memory: '8192',
      });
    }
  }
});
