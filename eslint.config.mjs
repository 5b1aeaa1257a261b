// Flat config: typescript-eslint with type information, so promise misuse is caught; and the
// architecture's boundaries (docs/architecture.md, "The tree") as import rules, so an import the
// wrong way fails `npm run lint` instead of waiting for a review.
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** `no-restricted-imports` options: specifiers matching `regex` fail with `message`. */
const restrict = (...patterns) => [
  'error',
  { patterns: patterns.map(([regex, message]) => ({ regex, message })) },
];

/** Imports must be declared in `dir`'s package.json: only `dependencies` unless `dev`. */
const declaredIn = (dir, dev = false) => [
  'error',
  { packageDir: [path.join(ROOT, dir)], devDependencies: dev, peerDependencies: true },
];

// Each package keeps its files one folder below its root (src/, test/), so a specifier that
// starts with two `../` leaves the package.
const LEAVES_PACKAGE = '^(\\.\\./){2,}';

// The orchestrator (src/): never the development harness, the tests, or another package's files.
const PRODUCT_BOUNDARY = [
  '^(\\.\\./)+(dev|test|bench|scripts|deploy|packages)(/|$)',
  'The orchestrator (src/) may not import dev/ (the local stack, tools, synthetic slides), tests, benches, deploy/ or a package by path; what it shares with the task is @wsi-orchestrator/task-contract.',
];
const PRODUCT_PACKAGES = [
  '^@wsi-orchestrator/(local-ecs|processor)(/|$)',
  'The orchestrator may not import the local ECS (a test double) or the processor (the task container).',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'packages/*/dist/',
      '.tools/',
      '.data/',
      'coverage/',
      'bin/',
      'packages/*/bin/',
      '*.config.js',
      'deploy/aws/cdk.out/',
      'deploy/aws/*.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: ROOT } },
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: path.join(ROOT, 'tsconfig.json') }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No module may reach itself through its imports.
      'import-x/no-cycle': 'error',
    },
  },
  {
    // The product's runtime needs only its `dependencies`: a test, emulator or image library
    // (sharp, @temporalio/testing) imported from src/ fails here.
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': declaredIn('.'),
      'no-restricted-imports': restrict(PRODUCT_BOUNDARY, PRODUCT_PACKAGES),
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O. (A later
    // block replaces a rule's options, so the product's boundary is repeated.)
    files: ['src/workflows/**/*.ts', 'test/fixtures/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow code must not use Node built-ins.',
          })),
          patterns: [PRODUCT_BOUNDARY, PRODUCT_PACKAGES].map(([regex, message]) => ({ regex, message })),
        },
      ],
    },
  },
  {
    // The local ECS stands alone: it could leave this repository as it is.
    files: ['packages/local-ecs/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': declaredIn('packages/local-ecs', true),
      'no-restricted-imports': restrict(
        [LEAVES_PACKAGE, 'The local ECS may not import files outside packages/local-ecs.'],
        [
          '^@wsi-orchestrator/(?!settings-errors$)',
          'The local ECS may import only @wsi-orchestrator/settings-errors of the workspace packages.',
        ],
      ),
    },
  },
  {
    files: ['packages/local-ecs/src/**/*.ts'],
    rules: { 'import-x/no-extraneous-dependencies': declaredIn('packages/local-ecs') },
  },
  {
    // The processor (the task container) knows the orchestrator only through the task contract.
    files: ['packages/processor/src/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': declaredIn('packages/processor'),
      'no-restricted-imports': restrict(
        [LEAVES_PACKAGE, 'The processor may not import files outside packages/processor.'],
        [
          '^@wsi-orchestrator/(?!(task-contract|settings-errors)$)',
          'The processor may import only @wsi-orchestrator/task-contract and settings-errors.',
        ],
      ),
    },
  },
  {
    // Its tests run it against moto with synthetic slides: the repository's dev/ harness.
    files: ['packages/processor/test/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [
          '^\\.\\./\\.\\./(?!\\.\\./dev/)',
          "The processor's tests may leave packages/processor only for the repository's dev/ harness.",
        ],
        [
          '^@wsi-orchestrator/(?!(task-contract|settings-errors)$)',
          'The processor may import only @wsi-orchestrator/task-contract and settings-errors.',
        ],
      ),
    },
  },
  {
    // The shared packages are leaves: plain data and functions, their own files only (zod's
    // types for the settings-error format).
    files: ['packages/task-contract/**/*.ts', 'packages/settings-errors/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        '^(?!\\./|zod$)',
        'A shared package imports only its own files (and zod types): both sides and their images carry it.',
      ]),
    },
  },
  {
    // dev/ (the local stack, tools, synthetic slides) uses the packages by their names.
    files: ['dev/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        '^(\\.\\./)+packages/[^/]+/src(/|$)',
        'Outside its package, a workspace package is imported by its name (@wsi-orchestrator/...), not by path.',
      ]),
    },
  },
);
