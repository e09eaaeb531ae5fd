/**
 * One `jest` runs every project: the app's tests here, and each offline stand-in's own suite
 * (`npm test -w packages/arm-emulator` runs one alone).
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    '<rootDir>/jest.app.config.js',
    '<rootDir>/packages/arm-emulator',
    '<rootDir>/packages/functions-host',
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
