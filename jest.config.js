/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // tsconfig's isolatedModules makes ts-jest transpile only: type-checking is `make typecheck`'s job.
    '^.+\\.tsx?$': 'ts-jest',
  },
  snapshotSerializers: ['<rootDir>/test/harness/asset-hash-serializer.js'],
  // Synthesizing three environments is CPU-heavy; two cores run two files at a time.
  maxWorkers: 2,
  testTimeout: 120000,
};
