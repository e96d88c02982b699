// Lint: mainly the layer rule of the house style (docs: ../README.md#layout).
//   shared/          pure TypeScript: no node:, no electron, no DOM-only code, imports nothing outside shared/
//   renderer/        imports shared/ only (and browser libraries), never node: or electron or main/
//   main/            imports shared/ and Node; only main/electron/ may import electron
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const electron = { name: 'electron', message: 'Only main/electron/ may import electron (layer rule).' };
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
          patterns: [
            {
              group: ['**/renderer/**', '../renderer*', '**/electron/**'],
              message: 'main/ does not import renderer/ or main/electron/ (layer rule).',
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
