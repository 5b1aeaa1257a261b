// ECS_TASK_SLOTS=auto: the cap derived from the cluster's registered capacity with headroom,
// read through the real SDK from the local ECS's container instances.
import { deriveTaskSlots, slotsFor } from '../../src/ecs/capacity';
import { startLocalEcs, type LocalEcs } from '@wsi-orchestrator/local-ecs';
import { ecsClientFor } from '../support/ecs';

const small = { name: 'small', cpu: 256, memory: 512 };

test('slotsFor: 80% of what fits, limited by the scarcer resource, at least one', () => {
  expect(slotsFor({ cpu: 4096, memory: 8192 }, small, 0.8)).toBe(12); // 16 fit
  expect(slotsFor({ cpu: 4096, memory: 2048 }, small, 0.8)).toBe(3); // memory: 4 fit
  expect(slotsFor({ cpu: 256, memory: 512 }, small, 0.8)).toBe(1);
});

describe('deriveTaskSlots against the local ECS', () => {
  let ecs: LocalEcs;
  beforeAll(async () => {
    ecs = await startLocalEcs({ clusters: [{ name: 'lab', cpu: 8192, memory: 16384 }] });
  });
  afterAll(async () => {
    await ecs?.close();
  });

  test('reads registered CPU and memory and keeps 20% headroom', async () => {
    await expect(deriveTaskSlots(ecsClientFor(ecs.endpoint), 'lab', small, 0.8)).resolves.toBe(25); // 32 fit
    await expect(
      deriveTaskSlots(ecsClientFor(ecs.endpoint), 'lab', { name: 'big', cpu: 1024, memory: 4096 }, 0.8),
    ).resolves.toBe(3); // 4 fit
  });

  test('a cluster with no registered capacity (Fargate) is an error that says what to set', async () => {
    ecs.setClusterCapacity('lab', { cpu: 0, memory: 0 });
    await expect(deriveTaskSlots(ecsClientFor(ecs.endpoint), 'lab', small, 0.8)).rejects.toThrow(
      'set ECS_TASK_SLOTS to a number',
    );
  });
});
