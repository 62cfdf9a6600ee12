// ESLint for the web app (browser ES modules) and the test suites (Node): the recommended
// rules, which catch undefined names, unused variables and unreachable code. Formatting is
// left to the eye (no prettier: the code is laid out by hand, as the C is by clang-format).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/**', 'build/**', 'web/vendor-*.js'] },
  js.configs.recommended,
  {
    files: ['web/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['tests/**/*.mjs', 'bench/**/*.mjs', 'scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
  { rules: { 'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true }] } },
];
