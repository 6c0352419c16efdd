import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import boundaries from './scripts/lint/boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'core/ runs anywhere Node runs: no Electron here.' }] }],
    },
  },
  {
    files: ['src-renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'electron', 'fs', 'path', 'child_process'], message: 'The renderer talks to the main process only through the contract client.' }] }],
    },
  },
  {
    // CommonJS on purpose: the benches' floor programs (the least loader work a Node program does)
    // and the installed command (bin/package.json), which loads the command line's CommonJS chunks.
    files: ['bench/floors/*.cjs', 'bin/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Svelte components and `.svelte.ts` rune modules, with TypeScript in their scripts.
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // A rune module's helpers return fresh Sets as ReadonlySet values, which the rule cannot tell
    // from mutable state; it stays an error in components.
    files: ['**/*.svelte.ts'],
    rules: { 'svelte/prefer-svelte-reactivity': 'warn' },
  },
  // Layers (docs/ARCHITECTURE.md): the first zone that holds a file applies (scripts/lint/boundaries.js).
  {
    files: ['src-main/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    plugins: { curvekeep: { rules: { boundaries } } },
    rules: {
      'curvekeep/boundaries': ['error', [
        {
          files: ['src-main/common/'],
          allow: ['src-main/common/'],
          message: 'common/ is the shared vocabulary: it depends on nothing',
        },
        {
          files: ['src-main/core/'],
          allow: ['src-main/core/', 'src-main/common/'],
          // The SecretStore port, until it moves into core/ (b-store's part of issue 9); the
          // adapter (keychain/os-keychain) stays refused.
          allowTypes: ['src-main/keychain/secret-store.ts'],
          packages: true,
          forbidPackages: ['electron'],
          builtins: true,
          message: 'core/ imports no outer layer (ipc, cli, app, shell, bridge, keychain)',
        },
        {
          files: ['src-renderer/'],
          allow: ['src-renderer/', 'src-main/common/', 'src-main/ipc/transport.ts'],
          allowTypes: ['src-main/ipc/contract.ts', 'src-main/ipc/channels/'],
          packages: true,
          forbidPackages: ['electron'],
          message: 'the page imports the shared vocabulary, the dependency-free transport and the contract\'s types only',
        },
        {
          files: ['src-main/app/'],
          allow: ['src-main/'],
          packages: true,
          builtins: true,
        },
        {
          files: ['src-main/'],
          allow: ['src-main/'],
          deny: ['src-main/app/'],
          packages: true,
          forbidPackages: ['electron'],
          builtins: true,
          message: 'Electron and the Electron main folder (app/) are for the Electron main process only',
        },
      ]],
    },
  },
  {
    // A list spread into a call's arguments: past ~125,000 items the call overflows the stack, and
    // a fleet's lists are that long (the Timeline's axis, `status`, the CLI's tables, a job's rows).
    files: ['src-main/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: {
      'no-restricted-syntax': ['error',
        {
          selector: "CallExpression[callee.property.name=/^(push|unshift)$/] > SpreadElement",
          message: 'push(...list) takes one argument per item and overflows the stack for a long list: concat, a loop, or an array literal',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(min|max)$/] > SpreadElement",
          message: 'Math.min/max(...list) takes one argument per item and overflows the stack for a long list: a loop',
        },
      ],
    },
  },
);
