import { FailureType, LEGACY_FAILURE_TYPES, NON_RETRYABLE_FAILURES } from '../../src/workflows/errors';

describe('failure types', () => {
  test('every type ends in Error, and no two share a name', () => {
    const types = Object.values(FailureType);
    for (const type of types) expect(type).toMatch(/Error$/);
    expect(new Set(types).size).toBe(types.length);
  });

  test('a non-retryable type stays non-retryable under its legacy name (workflows started before the rename)', () => {
    for (const [name, legacy] of Object.entries(LEGACY_FAILURE_TYPES)) {
      const current = FailureType[name as keyof typeof FailureType];
      expect(NON_RETRYABLE_FAILURES.includes(legacy)).toBe(NON_RETRYABLE_FAILURES.includes(current));
    }
  });
});
