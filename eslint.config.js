// Lint: mainly the layer rule of the house style (README.md, "How it works"). The runtime of each layer
// (no DOM in shared/ and main/, no Node types in shared/ and renderer/) is the compiler's job: one
// tsconfig per layer (tsconfig.json). Imports are this file's; test/unit/layers.test.ts proves both.
//   shared/          pure TypeScript: no node:, no electron, imports nothing outside shared/
//   renderer/        imports shared/ only (and browser libraries), never node: or electron or main/
//   main/            imports shared/ and Node; only main/electron/ may import electron
//   main/engine/, main/store/  host-agnostic (house style #5): no main/{host,web,cli,electron}
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = { name: 'electron', message: 'Only main/electron/ may import electron (layer rule).' };
const mainPatterns = [
  {
    group: ['**/renderer/**', '../renderer*', '**/electron/**'],
    message: 'main/ does not import renderer/ or main/electron/ (layer rule).',
  },
];
const node = (where) => nodeBuiltins.map((name) => ({ name, message: `${where} is pure: no Node built-ins (layer rule).` }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'release/', 'coverage/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [electron] }],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron, ...node('shared/')],
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', '../main*', '../renderer*'],
              message: 'shared/ imports nothing outside shared/ (layer rule).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron, ...node('renderer/')],
          patterns: [
            { group: ['**/main/**', '../main*'], message: 'renderer/ talks to main only through the contract in shared/ (layer rule).' },
          ],
        },
      ],
    },
  },
  {
    files: ['main/**'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: mainPatterns,
        },
      ],
    },
  },
  {
    // the engine and the store know no host: the CLI, the browser host and Electron wrap them (house style #5)
    files: ['main/engine/**', 'main/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            ...mainPatterns,
            {
              group: ['**/host/**', '**/web/**', '**/cli/**', '../host*', '../web*', '../cli*', '../electron*'],
              message: 'main/engine/ and main/store/ import no host: main/{host,web,cli,electron} wrap them (layer rule).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/renderer/**'], message: 'main/ does not import renderer/ (layer rule).' }] },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**', 'bin/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
