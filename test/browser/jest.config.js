/**
 * Headless-Chromium tests (browser.mk, `make browser-test`): a project of their own so the default
 * `make jest` never starts Airflow or a browser. One file at a time: each drives a browser, and the
 * Airflow one a whole Airflow.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.tsx?$': 'ts-jest' },
  maxWorkers: 1,
  testTimeout: 60000,
};
