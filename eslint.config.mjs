// @ts-check
import eslint from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

const STAND_INS = ['@azure-cluster-provisioner/*', '**/packages/**'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      'node_modules/**',
      'coverage/**',
      '.local/**',
      'eslint.config.mjs',
      '**/jest.config.js',
      'jest.*.js',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
    },
  },
  {
    // What deploys is what runs locally: the app never depends on the offline stand-ins.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: STAND_INS, message: 'The app never imports the offline stand-ins (packages/).' },
            { group: ['**/deploy/**'], message: 'The app never imports the deploy tool (deploy/).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cluster/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@azure/*', ...STAND_INS, '**/resources/**', 'node:fs', 'fs'],
              message: 'src/cluster is pure: no SDK, no I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    // Each stand-in stands alone: it imports neither the app nor the other stand-in (the emulator stays
    // independent of the code it checks, so there is no shared "common" package either).
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@azure-cluster-provisioner/*',
                '../../../**',
                '**/arm-emulator/**',
                '**/functions-host/**',
              ],
              message: 'A stand-in imports neither the app nor the other stand-in.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
