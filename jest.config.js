/**
 * Two projects. `unit`: the pure specs beside the code (`src/**\/*.spec.ts`), no database, no
 * build. `database`: integration and end-to-end tests on real PostgreSQL; its globalSetup
 * (run only when one of its tests is selected) starts the embedded server (or uses
 * DATABASE_URL) and prepares a migrated template database that each test file clones.
 */
const typescript = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
};

export default {
  testTimeout: 60000,
  maxWorkers: 2,
  // A database worker ends holding ~1 GB of heap (each e2e file loads the app into a context of
  // its own) and takes longer than Jest's default 500 ms to exit once its last file is done. No
  // file leaves a handle open: counted once with process.getActiveResourcesInfo() after each
  // file's teardown, only the worker's own three pipes remained.
  workerGracefulExitTimeout: 5000,
  projects: [
    { ...typescript, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...typescript,
      displayName: 'database',
      testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
    },
  ],
};
