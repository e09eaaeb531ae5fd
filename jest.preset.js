/** What every project's jest config shares: TypeScript through SWC (type-checking is `tsc`'s job). */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }],
  },
  testTimeout: 60000,
};
