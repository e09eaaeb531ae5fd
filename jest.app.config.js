const preset = require('./jest.preset');

/** The app's tests: unit, integration (real SDK ↔ emulator) and e2e (HTTP ↔ host ↔ emulator). */
module.exports = {
  ...preset,
  displayName: 'app',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  // The stand-ins run from their sources in tests, so a test never sees a stale build of them.
  moduleNameMapper: {
    '^@azure-cluster-provisioner/(arm-emulator|functions-host)$': '<rootDir>/packages/$1/src/index.ts',
  },
};
