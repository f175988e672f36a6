import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // Workflow code must be deterministic: time and randomness come from the SDK.
      // Node-side modules (I/O, config, clients) must never reach the workflow bundle.
      'no-restricted-imports': [
        'error',
        {
          patterns: ['node:*', 'fs', 'path', 'crypto', '@temporalio/client', '@temporalio/worker', '../activities/*', '../src/config', '../src/logger', '../src/runtime', '../src/temporal/connect', '../src/temporal/dev-server', '../src/channels/*', '../src/profiles/*'],
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);
