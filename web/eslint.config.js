import js from '@eslint/js';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Strings that are code, not words a person reads: printable ASCII without spaces (identifiers,
// paths, keys, CSS values, MIME types), except a single capitalised word, which is likely English.
const NOT_WORDS = [/^(?![A-Z][a-z]+$)[\x21-\x7E]*$/u];

export default tseslint.config(
  // src/types/openapi.ts is generated from the API's document (npm run api:types).
  { ignores: ['dist', 'node_modules', 'playwright-report', 'test-results', '../storybot/static', 'src/types/openapi.ts'] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked, ...tseslint.configs.stylisticTypeChecked],
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      ecmaVersion: 2023,
      globals: { ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: {
      'react-hooks': reactHooks,
      'react-refresh': reactRefresh,
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // Layers: shared code (components, lib, config, types) -> features -> app; features stay apart.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*/**', '../../*'], message: 'Import across folders with the @/ alias.' },
          ],
        },
      ],
    },
  },
  {
    // Every user-visible string comes from src/locales/*.json.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/**/*.test.{ts,tsx}', 'src/testing/**'],
    plugins: { i18next },
    rules: {
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'all',
          words: { exclude: NOT_WORDS },
          'jsx-attributes': {
            exclude: ['className', 'style', 'type', 'key', 'id', 'to', 'href', 'accept', 'variant', 'color', 'size', 'c', 'fw', 'ta', 'tt', 'lh', 'p', 'px', 'py', 'm', 'mt', 'mb', 'mx', 'maw', 'mih', 'w', 'h', 'align', 'justify', 'gap', 'position', 'radius', 'padding', 'component', 'wrap', 'lang', 'data-testid', 'role', 'aria-live', 'aria-labelledby', 'hiddenFrom', 'visibleFrom', 'autoComplete', 'inputMode'],
          },
          callees: {
            exclude: ['t', 'i18n(ext)?\\.t', 'Error', 'ConfigError', 'ApiError', 'console\\.\\w+', 'useMediaQuery', 'document\\.\\w+', 'set', 'get', 'has', 'delete'],
          },
          'object-properties': { exclude: ['code', 'message', 'name', 'queryKey', 'method', 'lng', 'value', 'fontFamily'] },
        },
      ],
    },
  },
  {
    files: ['src/features/*/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/features/*/**', '@/app/**'], message: 'A feature imports only shared code and itself.' },
            { group: ['../../*'], message: 'Import across folders with the @/ alias.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/components/**', 'src/lib/**', 'src/config/**', 'src/types/**', 'src/utils/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@/features/**', '@/app/**'], message: 'Shared code does not import features or the app.' }] },
      ],
    },
  },
  {
    // The route table holds the lazy page components; fast refresh does not matter there.
    files: ['src/app/router.tsx'],
    rules: { 'react-refresh/only-export-components': 'off' },
  },
  {
    files: ['e2e/**', '*.config.{ts,js}'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
);
