import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'build', 'dist', 'runs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `any` switches type checking off where it matters most (the seams between layers): use types or `unknown`.
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests and benchmarks poke at internals and parse untyped JSON; there `any` stays allowed.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
