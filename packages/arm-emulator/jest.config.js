const preset = require('../../jest.preset');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  displayName: 'arm-emulator',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
};
