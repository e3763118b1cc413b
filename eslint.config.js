// Lint rules, including the architecture's import boundaries (DESIGN.md §1).
// A later block's no-restricted-imports replaces an earlier one for the same file, so general
// rules come first and each folder's block repeats what still applies to it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const noK8s = { group: ['@kubernetes/*'], message: 'Only operator/ and controllers/ talk to the Kubernetes API.' };
const noAlicloud = { group: ['@alicloud/*'], message: 'Only src/cloud/alibaba/ uses the Alibaba SDK.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'charts/**', '.cache/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.ts'], rules: restrict(noAlicloud) },
  { files: ['src/apis/**/*.ts', 'src/cloud/*.ts', 'src/ipam/**/*.ts', 'src/catalog/**/*.ts'], rules: restrict(noK8s, noAlicloud) },
  { files: ['src/cloud/alibaba/**/*.ts'], rules: restrict(noK8s) },
  {
    files: ['src/scheduling/**/*.ts', 'src/disruption/**/*.ts'],
    rules: restrict(noK8s, noAlicloud, {
      group: ['**/cloud/**', '**/controllers/**', '**/operator/**', '**/simulator/**', 'pino', 'prom-client', 'node:*'],
      message: 'scheduling/ and disruption/ are pure: no I/O, no clients, no controllers.',
    }),
  },
  {
    // Colocated unit tests of the pure core may use the test runner and assert, nothing else of node:*.
    files: ['src/scheduling/**/*.test.ts', 'src/disruption/**/*.test.ts'],
    rules: restrict(noK8s, noAlicloud, {
      group: ['**/cloud/**', '**/controllers/**', '**/operator/**', '**/simulator/**', 'pino', 'prom-client', 'node:*', '!node:test', '!node:assert', '!node:assert/strict'],
      message: 'scheduling/ and disruption/ are pure: their tests use node:test and node:assert only.',
    }),
  },
  {
    files: ['src/simulator/**/*.ts'],
    ignores: ['src/simulator/**/*.test.ts'],
    // The simulator plays the cloud and the node bootstrap, so it may register Nodes with the
    // Kubernetes client, but it imports nothing of the operator.
    rules: restrict(noAlicloud, {
      group: ['**/cloud/**', '**/controllers/**', '**/operator/**', '**/scheduling/**', '**/apis/**', '**/ipam/**'],
      message: 'The simulator stands alone: it imports nothing of the operator.',
    }),
  },
);
