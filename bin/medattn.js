#!/usr/bin/env node
// The medattn command. In a source checkout (src/ is there) it runs the TypeScript sources through tsx, so an edit
// never meets a stale build; an installed package ships only the compiled dist/ and runs that, without tsx.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
