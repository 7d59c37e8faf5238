// ESLint (flat config), run by `npm run lint` with --max-warnings 0 beside tsc: typescript-eslint's
// type-aware recommended rules for every package's TypeScript, the recommended rules for the scripts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'test/compat/runtimes/**', 'test/artifacts/**', '.demo/**', 'data/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // test/tsconfig.json also holds collector/test and bench, which no tsconfig beside them does.
      parserOptions: { project: ['./tsconfig.json', './protocol/tsconfig.json', './collector/tsconfig.json', './test/tsconfig.json', './resources/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Allowed with a comment saying why (the project's rule); tsc and review hold that line.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The plugin takes the protocol's values by module path (durations, insight, answer...): its root
    // also loads the report's JSON Schemas and the field catalogue, which only the collector needs and
    // which would cost a Node-RED memory (test/runtime/lazy-loading.test.ts). Types come from anywhere.
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: '@node-red-telemetry/protocol', message: 'Import values from a module path, e.g. @node-red-telemetry/protocol/insight.', allowTypeImports: true }] },
      ],
    },
  },
  {
    // Tests read JSON answers as `any` on purpose and assert on what they read.
    files: ['test/**/*.ts', 'collector/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Node.js scripts: the plugin's entry, the collector's bin, fixtures, the demo, helpers in plain JS.
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['eslint.config.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    // The editor's scripts run in Node-RED's editor page: browser globals, jQuery, RED.
    files: ['resources/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, $: 'readonly', jQuery: 'readonly', RED: 'readonly' } },
  },
  {
    // The dashboard's ES modules, served to browsers with uPlot loaded before them.
    files: ['collector/web/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser, uPlot: 'readonly' } },
  },
);
