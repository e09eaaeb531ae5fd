const preset = require('../../jest.preset');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'functions-host',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
  globalSetup: '<rootDir>/test/global-setup.ts',
};
