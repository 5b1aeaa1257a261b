/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // The orchestrator's tests, each package's own, and the CDK app's.
  roots: [
    '<rootDir>/test',
    '<rootDir>/packages/local-ecs/test',
    '<rootDir>/packages/processor/test',
    '<rootDir>/deploy/aws/test',
  ],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Servers (Temporal dev server, local ECS, moto) take seconds to start; two workers fit two cores.
  testTimeout: 120_000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
};
