// packages/task-contract/contract.json is the contract's one source of truth; the TypeScript
// constants stay hand-written because their users rely on literal types (a zod schema keyed by
// `[TASK_ENV.slideBucket]`), which a JSON import would widen to `string`. This test is what keeps
// the two equal. The Python library has its own drift test (packages/task-py/tests).
import Ajv2020 from 'ajv/dist/2020';
import contract from '@wsi-orchestrator/task-contract/contract.json';
import {
  CHECKPOINT_VERSION,
  readCheckpointBody,
  TASK_ENV,
  TASK_EXIT,
  type CheckpointCore,
} from '@wsi-orchestrator/task-contract';
import { loadSettings } from '../../src/settings/settings';

const mapValues = <T, R>(o: Record<string, T>, f: (v: T) => R): Record<string, R> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

describe('task contract: TypeScript and contract.json agree', () => {
  test('environment variable names', () => {
    expect(TASK_ENV).toEqual(mapValues(contract.environment, (e) => e.name));
  });

  test('exit codes', () => {
    expect(TASK_EXIT).toEqual(mapValues(contract.exitCodes, (e) => e.code));
  });

  test("the orchestrator's default permanent exit codes are the ones marked permanent", () => {
    const permanent = Object.values(contract.exitCodes)
      .filter((e) => e.permanent)
      .map((e) => e.code);
    expect([...(loadSettings({}).policy.permanentExitCodes ?? [])].sort((a, b) => a - b)).toEqual(permanent);
  });

  test('checkpoint version and fields', () => {
    expect(CHECKPOINT_VERSION).toBe(contract.checkpoint.version);
    // Every field of CheckpointCore, set: adding one to the interface fails to compile here
    // until it is listed, which is the prompt to add it to contract.json too.
    const full: Required<CheckpointCore> = { version: 1, done: 0, total: 0, complete: false };
    expect(Object.keys(full).sort()).toEqual(Object.keys(contract.checkpoint.schema.properties).sort());
  });

  describe("readCheckpointBody agrees with the checkpoint's JSON Schema", () => {
    const validate = new Ajv2020({ strict: true }).compile(contract.checkpoint.schema);

    test.each([
      [{ done: 3, total: 10 }],
      [{ version: 1, done: 10, total: 10, complete: true }],
      [{ done: 0, total: 0, extra: 'a task may add fields' }],
    ])('valid %j has progress', (body) => {
      expect(validate(body)).toBe(true);
      expect(readCheckpointBody(body).progress).toEqual({ done: body.done, total: body.total });
    });

    test.each(contract.checkpoint.schema.required)('without %s: invalid, no progress', (field) => {
      const body: Record<string, unknown> = { done: 1, total: 2 };
      delete body[field];
      expect(validate(body)).toBe(false);
      expect(readCheckpointBody(body)).toEqual({ complete: false });
    });

    test('complete counts only with done == total', () => {
      const early = { done: 9, total: 10, complete: true };
      expect(validate(early)).toBe(true);
      expect(readCheckpointBody(early).complete).toBe(false);
    });
  });
});
