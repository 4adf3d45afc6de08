#!/usr/bin/env node
// The medattn command: TypeScript sources run through tsx, so there is no separate build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
