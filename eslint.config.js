// Lint: typescript-eslint's recommended type-checked rules on every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'data/', 'reports/', 'coverage/', 'src/console/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Ports are async whatever the adapter; a synchronous adapter (SQLite) still returns promises.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // The web console runs in the browser.
    files: ['src/console/app/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The domain core stays free of adapters: no AWS SDK, no ssh2, no filesystem.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*', 'aws-sdk', 'ssh2', 'better-sqlite3', 'node:fs', 'node:fs/*', 'fs', 'fs/*', '../adapters/*', '../sftp/*', '../admin/*'],
            message: 'src/core talks to ports only; adapters live in src/adapters.' },
        ],
      }],
    },
  },
);
