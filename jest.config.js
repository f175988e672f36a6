/**
 * Jest runs TypeScript through ts-jest; type checking is `npm run typecheck`'s job. Each test
 * file runs in tests/support/environment.ts: at its end, what it started and left open is
 * released (and named); the global teardown reports what is still open in the run's process.
 */
module.exports = {
  testEnvironment: '<rootDir>/tests/support/environment.ts',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { }] },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 120_000,
};
